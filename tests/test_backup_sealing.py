"""Backups are signed, may be encrypted, and hold no live sessions: an archive re-packed
with a backdoor and recomputed sums, an unsigned one or one signed with another key is
refused (unless the operator says --trust-unsigned); an encrypted one is unreadable without
BACKUP_ENCRYPTION_KEY and restores with it. The helpers and fixtures are tests/test_backup.py's.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import sqlite3
import tarfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.db import connections
from django.test import Client

from goals.operations.backups import archive as archive_format
from goals.operations.backups import sealing
from tests import test_backup as base
from tests.builders import make_user
from tests.test_backup import PNG, refused, repack

pytestmark = pytest.mark.django_db(transaction=True)
media, restore_target, backup_file = base.media, base.restore_target, base.backup_file
KEY = base64.urlsafe_b64encode(bytes(range(32))).decode()
OTHER_KEY = base64.urlsafe_b64encode(bytes(range(1, 33))).decode()


def restore(path: Path, target, *args: str) -> str:
    out = io.StringIO()
    with target.use():
        call_command("restore", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}


def without_signature(source: Path, destination: Path) -> Path:
    with tarfile.open(source) as old, tarfile.open(destination, "w:gz") as new:
        for member in old.getmembers():
            if member.name != sealing.SIGNATURE:
                new.addfile(member, old.extractfile(member))
    return destination


def backdoored(source: Path, destination: Path, workdir: Path) -> Path:
    """What an attacker with the archive but not the key does: a superuser added to the
    database, the manifest's size and sum for it recomputed, the old signature kept."""
    files = members(source)
    database = next(name for name in files if name.startswith("database/"))
    if database.endswith(".sqlite3"):
        copy = workdir / "db.sqlite3"
        copy.write_bytes(files[database])
        with sqlite3.connect(copy) as db:
            db.execute(
                "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email,"
                " is_staff, is_active, date_joined) VALUES ('x', 1, 'backdoor', '', '', '', 1, 1, '2024-01-01')"
            )
        forged = copy.read_bytes()
    else:
        forged = files[database] + b"-- CREATE ROLE backdoor SUPERUSER"

    def edit(manifest):
        for entry in manifest["files"]:
            if entry["path"] == database:
                entry["size"], entry["sha256"] = len(forged), sealing.hashlib.sha256(forged).hexdigest()
        return manifest

    return repack(source, destination, manifest=edit, replace={database: forged}, sign=False)


def test_a_backup_is_signed_and_check_says_so(backup_file, restore_target):
    files = members(backup_file)
    assert files[sealing.SIGNATURE].startswith(b"hmac-sha256 ")
    sealing.check_signature(files[archive_format.MANIFEST], files[sealing.SIGNATURE])
    assert "签名有效" in restore(backup_file, restore_target, "--check")


def test_it_refuses_an_archive_repacked_with_a_backdoor_and_recomputed_sums(
    backup_file, restore_target, tmp_path
):
    path = backdoored(backup_file, tmp_path / "backdoor.tar.gz", tmp_path)
    with restore_target.use(), pytest.raises(CommandError, match="签名不符"):
        call_command("restore", str(path), "--check", stdout=io.StringIO())
    refused(path, restore_target, "签名不符")


def test_it_refuses_an_unsigned_archive_unless_trusted(backup_file, restore_target, tmp_path):
    path = without_signature(backup_file, tmp_path / "unsigned.tar.gz")
    with restore_target.use(), pytest.raises(CommandError, match="没有签名"):
        call_command("restore", str(path), "--check", stdout=io.StringIO())
    refused(path, restore_target, "--trust-unsigned")
    assert "校验和全部相符" in restore(path, restore_target, "--check", "--trust-unsigned")
    restore(path, restore_target, "--trust-unsigned")
    assert restore_target.snapshot()["files"] == {"evidence/2024/1/photo.png": PNG}


def test_it_refuses_an_archive_signed_with_another_key(backup_file, restore_target, settings):
    settings.BACKUP_SIGNING_KEY = "another-signing-key-" + "x" * 20
    refused(backup_file, restore_target, "签名不符")
    settings.BACKUP_SIGNING_KEY = ""
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-secret-key", [settings.SECRET_KEY]
    assert "签名有效" in restore(backup_file, restore_target, "--check")  # a rotated key still verifies


def test_the_signing_key_comes_from_the_environment(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from config import env

    monkeypatch.setenv("BACKUP_SIGNING_KEY", "short")
    with pytest.raises(ImproperlyConfigured, match="BACKUP_SIGNING_KEY must be at least 32"):
        env.env_secret("BACKUP_SIGNING_KEY", min_length=32)
    monkeypatch.setenv("BACKUP_ENCRYPTION_KEY", "not-base64-of-32-bytes")
    with pytest.raises(ImproperlyConfigured, match="BACKUP_ENCRYPTION_KEY must be 32 random bytes"):
        env.env_key("BACKUP_ENCRYPTION_KEY")
    monkeypatch.setenv("BACKUP_ENCRYPTION_KEY", KEY)
    assert env.env_key("BACKUP_ENCRYPTION_KEY") == bytes(range(32))


@pytest.fixture
def encrypted_file(transactional_db, media, tmp_path, settings) -> Path:
    settings.BACKUP_ENCRYPTION_KEY = base64.urlsafe_b64decode(KEY)
    make_user("keeper", password="a-long-password-1234")
    (media / "evidence").mkdir()
    (media / "evidence" / "photo.png").write_bytes(PNG)
    path = tmp_path / "encrypted.tar.gz"
    call_command("backup", str(path), stdout=io.StringIO())
    return path


def test_an_encrypted_archive_is_no_readable_archive_and_holds_no_password_hash(
    encrypted_file, tmp_path, settings
):
    data = encrypted_file.read_bytes()
    digest = get_user_model().objects.get(username="keeper").password.encode()
    assert data.startswith(sealing.MAGIC)
    with pytest.raises(tarfile.ReadError):
        tarfile.open(encrypted_file).close()
    assert not data[len(sealing.MAGIC) :].startswith(b"\x1f\x8b")  # not gzip either
    with pytest.raises(OSError):
        gzip.decompress(data)
    assert digest not in data and PNG not in data
    # The same backup unencrypted carries both, once gunzipped (pg_dump compresses its rows).
    settings.BACKUP_ENCRYPTION_KEY = None
    call_command("backup", str(tmp_path / "plain.tar.gz"), stdout=io.StringIO())
    plain = gzip.decompress((tmp_path / "plain.tar.gz").read_bytes())
    assert PNG in plain
    assert digest in plain or connections["default"].vendor == "postgresql"


def test_an_encrypted_archive_restores_with_its_key_only(encrypted_file, restore_target, settings):
    digest = get_user_model().objects.get(username="keeper").password
    settings.BACKUP_ENCRYPTION_KEY = None
    refused(encrypted_file, restore_target, "已加密")
    settings.BACKUP_ENCRYPTION_KEY = base64.urlsafe_b64decode(OTHER_KEY)
    refused(encrypted_file, restore_target, "无法解密")
    settings.BACKUP_ENCRYPTION_KEY = base64.urlsafe_b64decode(KEY)
    out = restore(encrypted_file, restore_target, "--check")
    assert "签名有效" in out and "已加密" in out
    restore(encrypted_file, restore_target)
    with restore_target.use():
        assert get_user_model().objects.get(username="keeper").password == digest
    assert restore_target.snapshot()["files"] == {"evidence/photo.png": PNG}


@pytest.mark.parametrize("cut", ["truncated", "a chunk flipped", "trailing bytes"])
def test_a_damaged_encrypted_archive_is_refused(encrypted_file, restore_target, cut):
    data = bytearray(encrypted_file.read_bytes())
    if cut == "truncated":
        data = data[: len(data) - 40]
    elif cut == "a chunk flipped":
        data[len(sealing.MAGIC) + 20] ^= 1
    else:
        data += b"more"
    encrypted_file.write_bytes(bytes(data))
    refused(encrypted_file, restore_target, "已损坏" if cut != "truncated" else "不完整")


def test_sessions_are_left_out_of_the_backup(media, restore_target, tmp_path):
    user = make_user("signed-in")
    client = Client()
    client.force_login(user)
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    path = tmp_path / "sessions.tar.gz"
    call_command("backup", str(path), stdout=io.StringIO())

    database = next(data for name, data in members(path).items() if name.startswith("database/"))
    assert key.encode() not in database
    manifest = json.loads(members(path)[archive_format.MANIFEST])
    assert manifest["database"]["file"].startswith("database/")
    restore(path, restore_target)
    with restore_target.use():
        assert get_user_model().objects.filter(username="signed-in").exists()
        assert Session.objects.count() == 0  # the table is there, empty
