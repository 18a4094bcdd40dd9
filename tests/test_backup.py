"""Backup and restore: a round trip keeps every export and evidence file byte for byte, and
an archive that is damaged, truncated, foreign or aimed at a non-empty target changes nothing.

Real tools throughout: SQLite's backup API, pg_dump / pg_restore / psql. The restore goes
into a second database on the same server (a SQLite file, or a PostgreSQL database created
here), made the default connection for a while by ``RestoreTarget.use()``.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import json
import tarfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connections
from django.db.utils import load_backend
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import translation

from goals.models import BackupRecord, Evidence, Target
from goals.operations.backups import archive as archive_format
from goals.operations.backups import sealing
from goals.reporting import services
from tests.builders import make_user

pytestmark = pytest.mark.django_db(transaction=True)
PDF = b"%PDF-1.7\n% \xe9\xaa\x8c\xe6\x94\xb6\xe5\x8d\x95\n" + bytes(range(256)) * 40
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(255, -1, -1)) * 30
EXPORTS = [
    "/data/2024/targets.csv",
    "/data/2024/targets.json",
    "/data/2024/reports.csv",
    "/data/updates.atom",
    "/data/2024/targets.csv?as_of=2024-05-01",
    "/en/data/2024/targets.json",
]


class RestoreTarget:
    """An empty database beside the test database, and an empty media directory."""

    def __init__(self, tmp_path: Path) -> None:
        self.base = connections["default"]
        self.vendor = self.base.vendor
        self.media = tmp_path / "restored-media"
        self.media.mkdir()
        settings_dict = dict(self.base.settings_dict)
        if self.vendor == "sqlite":
            self.path = tmp_path / "restored.sqlite3"
            settings_dict["NAME"] = str(self.path)
        else:
            settings_dict["NAME"] = f"{self.base.settings_dict['NAME']}_restored"
            self._admin(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{settings_dict["NAME"]}"')
        self.name = settings_dict["NAME"]
        self.connection = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "default")

    def _admin(self, sql: str) -> None:
        """CREATE/DROP DATABASE, outside the test's transaction (a connection of its own)."""
        settings_dict = {**self.base.settings_dict, "NAME": "postgres"}
        admin = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "admin")
        try:
            with admin.cursor() as cursor:
                cursor.execute(sql)
        finally:
            admin.close()

    @contextlib.contextmanager
    def use(self):
        """The target is the default database and MEDIA_ROOT inside the block."""
        original = connections["default"]
        connections["default"] = self.connection
        try:
            with override_settings(MEDIA_ROOT=self.media):
                yield
        finally:
            self.connection.close()
            connections["default"] = original

    def close(self) -> None:
        self.connection.close()
        if self.vendor == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def fill(self) -> None:
        """Make the target non-empty: a table with a row, and a file in the media directory."""
        with self.use(), self.connection.cursor() as cursor:
            cursor.execute("CREATE TABLE marker (note varchar(20))")
            cursor.execute("INSERT INTO marker VALUES ('still here')")
        (self.media / "old.txt").write_bytes(b"old file")

    def snapshot(self) -> dict:
        """Everything a restore could change: tables and their rows, files, and leftovers."""
        with self.use():
            tables = sorted(self.connection.introspection.table_names(include_views=True))
            rows = {}
            with self.connection.cursor() as cursor:
                for table in tables if len(tables) < 5 else []:
                    cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (our own table names)
                    rows[table] = cursor.fetchall()
        files = {
            str(p.relative_to(self.media)): p.read_bytes()
            for p in sorted(self.media.rglob("*"))
            if p.is_file()
        }
        raw = self.path.read_bytes() if self.vendor == "sqlite" and self.path.exists() else None
        beside = sorted(p.name for p in self.media.parent.iterdir())
        return {"tables": tables, "rows": rows, "files": files, "raw": raw, "beside": beside}


@pytest.fixture
def restore_target(tmp_path):
    target = RestoreTarget(tmp_path)
    yield target
    target.close()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def publish(plan, code: str, value, day: datetime.date, *, evidence=(), approve=True, author, reviewer):
    target = Target.objects.get(plan=plan, code=code)
    report = services.submit_report(
        target=target, value=Decimal(str(value)), as_of=day, author=author, evidence=list(evidence)
    )
    return services.approve_report(report=report, reviewer=reviewer) if approve else report


def exports(client) -> dict[str, bytes]:
    bodies = {}
    for url in EXPORTS:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies[url] = response.content
    for item in Evidence.objects.filter(report__state="approved").order_by("pk"):
        response = client.get(reverse("evidence", args=[item.pk]))
        assert response.status_code == 200
        bodies[f"evidence {item.pk}"] = b"".join(response.streaming_content)
    return bodies


@pytest.fixture
def backup_file(transactional_db, media, tmp_path) -> Path:
    """An archive of the (empty, migrated) test database and one evidence file."""
    (media / "evidence" / "2024" / "1").mkdir(parents=True)
    (media / "evidence" / "2024" / "1" / "photo.png").write_bytes(PNG)
    path = tmp_path / "backups" / "goals.tar.gz"
    path.parent.mkdir()
    call_command("backup", str(path), stdout=io.StringIO())
    return path


def refused(path: Path, target: RestoreTarget, message: str, *, force: bool = False) -> None:
    """The restore is refused with `message`, and the target is exactly as it was."""
    before = target.snapshot()
    with target.use(), pytest.raises(CommandError) as error:
        call_command("restore", str(path), *(["--force"] if force else []), stdout=io.StringIO())
    assert message in str(error.value)
    assert target.snapshot() == before


def repack(source: Path, destination: Path, *, manifest=None, replace=None, add=None, sign=True) -> Path:
    """A copy of an archive with its manifest edited, members' bytes replaced or members added;
    signed again with the right key (as only someone holding it could), unless sign=False."""
    with tarfile.open(source) as old, tarfile.open(destination, "w:gz") as new:
        edited = None
        for member in old.getmembers():
            data = old.extractfile(member).read()
            if member.name == archive_format.MANIFEST and manifest:
                data = json.dumps(manifest(json.loads(data))).encode()
            if member.name == archive_format.MANIFEST:
                edited = data
            if member.name == sealing.SIGNATURE and sign:
                data = sealing.sign(edited)
            data = (replace or {}).get(member.name, data)
            member.size = len(data)
            new.addfile(member, io.BytesIO(data))
        for name, data in (add or {}).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))
    return destination


# --- the round trip ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_restores_a_backup_with_every_export_and_evidence_file_byte_identical(
    seeded_live, media, restore_target, tmp_path, client
):
    author, reviewer = make_user("author"), make_user("reviewer")
    people = {"author": author, "reviewer": reviewer}
    publish(seeded_live, "P4.1", 5000, datetime.date(2024, 3, 31), **people)
    publish(
        seeded_live,
        "P4.1",
        10450,
        datetime.date(2024, 6, 30),
        evidence=[(SimpleUploadedFile("验收单.pdf", PDF), "application/pdf")],
        **people,
    )
    publish(
        seeded_live,
        "P7.1",
        3100,
        datetime.date(2024, 10, 31),
        evidence=[(SimpleUploadedFile("现场.png", PNG), "image/png")],
        **people,
    )
    publish(seeded_live, "P1.1", 40, datetime.date(2024, 5, 1), approve=False, **people)
    before = exports(client)
    assert len(before) == len(EXPORTS) + 2

    call_command("backup", str(tmp_path), stdout=io.StringIO())
    path = Path(BackupRecord.objects.get().path)
    assert path.parent == tmp_path and path.name.startswith("goals-") and path.name.endswith(".tar.gz")

    with restore_target.use():
        assert restore_target.connection.introspection.table_names() == []
        out = io.StringIO()
        with translation.override("zh-hans"):  # the /en/ export left English active
            call_command("restore", str(path), stdout=out)
        assert "2 个佐证文件" in out.getvalue()
        cache.clear()  # render everything again, from the restored database
        after = exports(client)
        record = BackupRecord.objects.get()
        assert record.restored_at is not None and record.path == str(path)
        assert Evidence.objects.count() == 2
    assert after == before
    # The restored files are where the restored rows say, with the recorded sums.
    restored = sorted(str(p.relative_to(restore_target.media)) for p in restore_target.media.rglob("*.*"))
    assert restored == sorted(str(p.relative_to(media)) for p in media.rglob("*.*"))


def test_the_archive_lists_every_file_with_its_sum_and_the_schema(backup_file, media):
    with tarfile.open(backup_file) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
        data = tar.extractfile("media/evidence/2024/1/photo.png").read()
    vendor = connections["default"].vendor
    assert manifest["format"] == "czedz-goals-backup" and manifest["format_version"] == 1
    assert manifest["database"]["vendor"] == vendor
    assert "goals.0004_backuprecord" in manifest["schema"]["migrations"]
    assert datetime.datetime.fromisoformat(manifest["created_at"]).tzinfo is not None
    files = {entry["path"]: entry for entry in manifest["files"]}
    assert sorted(names) == sorted([*files, "manifest.json", "manifest.sig"])
    assert files["media/evidence/2024/1/photo.png"]["size"] == len(PNG) and data == PNG
    assert manifest["database"]["file"] in files
    assert backup_file.stat().st_mode & 0o777 == 0o600  # password hashes inside
    record = BackupRecord.objects.get()
    assert record.path == str(backup_file) and record.size == backup_file.stat().st_size
    assert record.file_count == 1 and record.restored_at is None


def test_it_does_not_overwrite_an_existing_archive(backup_file):
    before = backup_file.read_bytes()
    with pytest.raises(CommandError, match="已存在"):
        call_command("backup", str(backup_file), stdout=io.StringIO())
    assert backup_file.read_bytes() == before


def test_it_checks_an_archive_without_restoring_it(backup_file, restore_target):
    before = restore_target.snapshot()
    out = io.StringIO()
    with restore_target.use():
        call_command("restore", str(backup_file), "--check", stdout=out)
    assert "校验和全部相符" in out.getvalue()
    assert restore_target.snapshot() == before


# --- refusals: nothing changes ---------------------------------------------------------------------


def test_it_refuses_a_non_empty_target_without_force_and_replaces_it_with_force(backup_file, restore_target):
    restore_target.fill()
    refused(backup_file, restore_target, "不是空的")
    with restore_target.use():
        call_command("restore", str(backup_file), "--force", stdout=io.StringIO())
        tables = restore_target.connection.introspection.table_names()
    assert "marker" not in tables and "goals_target" in tables
    assert restore_target.snapshot()["files"] == {"evidence/2024/1/photo.png": PNG}


def test_it_refuses_a_non_empty_media_directory_without_force(backup_file, restore_target):
    (restore_target.media / "old.txt").write_bytes(b"old file")
    refused(backup_file, restore_target, "佐证材料目录")


def test_it_refuses_an_archive_with_a_byte_flipped(backup_file, restore_target):
    data = bytearray(backup_file.read_bytes())
    data[len(data) // 2] ^= 0x01
    backup_file.write_bytes(bytes(data))
    refused(backup_file, restore_target, "已损坏")


def test_it_refuses_a_member_whose_bytes_differ_from_the_manifest(backup_file, restore_target, tmp_path):
    tampered = PNG[:100] + bytes([PNG[100] ^ 1]) + PNG[101:]
    path = repack(
        backup_file, tmp_path / "tampered.tar.gz", replace={"media/evidence/2024/1/photo.png": tampered}
    )
    refused(path, restore_target, "校验和不符")


def test_it_refuses_a_truncated_archive(backup_file, restore_target):
    data = backup_file.read_bytes()
    backup_file.write_bytes(data[: len(data) * 2 // 3])
    refused(backup_file, restore_target, "不完整")


def test_it_refuses_a_tar_that_is_not_a_backup(restore_target, tmp_path):
    path = tmp_path / "photos.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("holiday.png")
        info.size = len(PNG)
        tar.addfile(info, io.BytesIO(PNG))
    refused(path, restore_target, "不是本系统的备份")


def test_it_refuses_a_file_that_is_not_a_tar(restore_target, tmp_path):
    path = tmp_path / "notes.tar.gz"
    path.write_text("not an archive")
    refused(path, restore_target, "已损坏")


def test_it_refuses_a_backup_of_the_other_database_vendor(backup_file, restore_target, tmp_path):
    other = "postgresql" if restore_target.vendor == "sqlite" else "sqlite"

    def edit(manifest):
        manifest["database"]["vendor"] = other
        return manifest

    refused(repack(backup_file, tmp_path / "other.tar.gz", manifest=edit), restore_target, "不能恢复到")


def test_it_refuses_a_backup_with_a_newer_schema(backup_file, restore_target, tmp_path):
    def edit(manifest):
        manifest["schema"]["migrations"].append("goals.9999_from_the_future")
        return manifest

    refused(repack(backup_file, tmp_path / "newer.tar.gz", manifest=edit), restore_target, "更新版本")


def test_it_refuses_a_newer_archive_format(backup_file, restore_target, tmp_path):
    def edit(manifest):
        manifest["format_version"] = 2
        return manifest

    refused(repack(backup_file, tmp_path / "v2.tar.gz", manifest=edit), restore_target, "格式版本 2")


@pytest.mark.parametrize("name", ["media/../../escaped.txt", "ABSOLUTE"])
def test_it_refuses_members_that_would_land_outside_the_media_directory(
    backup_file, restore_target, tmp_path, name
):
    payload = b"escaped"
    if name == "ABSOLUTE":
        name = str(tmp_path / "escaped-absolute.txt")

    def edit(manifest):
        manifest["files"].append(
            {"path": name, "size": len(payload), "sha256": hashlib.sha256(payload).hexdigest()}
        )
        return manifest

    path = repack(backup_file, tmp_path / "evil.tar.gz", manifest=edit, add={name: payload})
    refused(path, restore_target, "不是普通文件")
    assert not (tmp_path / "escaped.txt").exists()
    assert not (tmp_path / "escaped-absolute.txt").exists()


def test_it_refuses_an_archive_with_files_the_manifest_does_not_list(backup_file, restore_target, tmp_path):
    path = repack(backup_file, tmp_path / "extra.tar.gz", add={"media/extra.txt": b"x"})
    refused(path, restore_target, "多出 media/extra.txt")


@pytest.mark.django_db(transaction=False)
def test_it_refuses_to_back_up_sqlite_from_inside_a_transaction_instead_of_waiting_forever(media, tmp_path):
    make_user("someone")  # a write: the connection holds SQLite's write lock until rollback
    if connections["default"].vendor != "sqlite":
        # pg_dump reads committed data over a connection of its own: nothing to wait for.
        call_command("backup", str(tmp_path / "x.tar.gz"), stdout=io.StringIO())
        assert (tmp_path / "x.tar.gz").is_file()
        return
    with pytest.raises(CommandError, match="事务中"):
        call_command("backup", str(tmp_path / "x.tar.gz"), stdout=io.StringIO())
    assert list(tmp_path.glob("*.tar.gz*")) == [] and list(tmp_path.glob(".x.tar.gz*")) == []


def test_it_restores_an_archive_of_an_older_schema_and_says_to_migrate(backup_file, restore_target, tmp_path):
    def edit(manifest):
        manifest["schema"]["migrations"].remove("goals.0004_backuprecord")
        return manifest

    path = repack(backup_file, tmp_path / "older.tar.gz", manifest=edit)
    out = io.StringIO()
    with restore_target.use(), translation.override("zh-hans"):
        call_command("restore", str(path), stdout=out)
    assert "manage.py migrate" in out.getvalue()
    assert restore_target.snapshot()["files"] == {"evidence/2024/1/photo.png": PNG}


def test_it_backs_up_a_database_not_yet_migrated_to_record_backups(media, tmp_path):
    """A backup taken before `migrate` on upgrade: the archive is written, the record only warns."""
    call_command("migrate", "goals", "0003", verbosity=0)
    try:
        err = io.StringIO()
        call_command("backup", str(tmp_path / "before-upgrade.tar.gz"), stdout=io.StringIO(), stderr=err)
    finally:
        call_command("migrate", "goals", verbosity=0)
    assert "未能在数据库中记下这个备份" in err.getvalue()
    with tarfile.open(tmp_path / "before-upgrade.tar.gz") as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert "goals.0003_roles" in manifest["schema"]["migrations"]
    assert "goals.0004_backuprecord" not in manifest["schema"]["migrations"]
