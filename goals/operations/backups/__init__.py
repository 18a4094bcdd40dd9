"""Backup and restore: the database and every evidence file, in one checked archive.

`create(path)` writes the archive (see goals.operations.backups.archive for its layout): first the
database snapshot (SQLite's online backup API, or pg_dump), then the files of MEDIA_ROOT.
In that order a snapshot never names an evidence file the archive lacks, since a report's
files are written before its transaction commits; a file uploaded meanwhile is merely extra.

Each archive is signed and may be encrypted (goals.operations.backups.sealing); the rows of
the sessions table stay out of it (a restored site asks everyone to sign in again).

`restore(path)` checks the whole archive first (its signature, unless trust_unsigned; the
manifest, every size and SHA-256, same database vendor, no migration this code does not
know), then the targets (a database with
no tables and an empty MEDIA_ROOT, unless force), and only then replaces the database
(atomically: a rename for SQLite, one transaction for PostgreSQL) and moves the files in.
Whatever is refused leaves the database and MEDIA_ROOT as they were.
"""

from __future__ import annotations

import datetime
import os
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError as DjangoDatabaseError
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

from goals.operations import statistics
from goals.operations.backups import archive, databases, sealing
from goals.operations.health import app_version

STAGING_PREFIX = ".goals-restore-"
RECORD_MIGRATION = "goals.0004_backuprecord"


class BackupError(Exception):
    """A backup or restore refused or failed; the message (Chinese) says why and what to do."""


@dataclass
class Outcome:
    path: Path
    size: int
    sha256: str
    vendor: str
    file_count: int
    seconds: float
    created_at: datetime.datetime
    older_schema: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def default_name(now: datetime.datetime) -> str:
    return f"goals-{timezone.localtime(now):%Y%m%d-%H%M%S}.tar.gz"


def _media_files(media_root: Path) -> list[Path]:
    if not media_root.is_dir():
        return []
    found = []
    for folder, dirs, files in os.walk(media_root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                found.append(path)
    return found


def create(destination: Path, *, using: str = "default") -> Outcome:
    """Write a backup archive to `destination` (a directory gets a dated file name)."""
    started = time.monotonic()
    connection = connections[using]
    try:
        databases.check_vendor(connection)
    except databases.DatabaseError as error:
        raise BackupError(str(error)) from None
    now = timezone.now()
    if destination.is_dir() or str(destination).endswith(os.sep):
        destination = destination / default_name(now)
    if destination.exists():
        raise BackupError(_("%(path)s 已存在,不会覆盖;请换一个文件名。") % {"path": destination})
    if not destination.parent.is_dir():
        raise BackupError(_("目录 %(path)s 不存在。") % {"path": destination.parent})
    media_root = Path(settings.MEDIA_ROOT)
    database_file = f"database/goals.{databases.suffix(connection.vendor)}"
    partial = destination.with_name(f".{destination.name}.partial")
    with tempfile.TemporaryDirectory(prefix="goals-backup-") as work:
        dump = Path(work) / "database"
        try:
            if connection.vendor == "sqlite":
                databases.dump_sqlite(connection, dump)
                migrations, tool = databases.sqlite_migrations(dump), "sqlite3 backup API"
            else:
                migrations = databases.postgresql_migrations(connection)
                tool = databases.dump_postgresql(connection, dump)
        except (databases.DatabaseError, DjangoDatabaseError, sqlite3.Error) as error:
            raise BackupError(_("无法导出数据库:%(error)s") % {"error": error}) from None
        files = _media_files(media_root)
        writer = archive.Writer(partial, encryption_key=sealing.encryption_key())
        try:
            writer.add(database_file, dump)
            for path in files:
                writer.add(f"media/{path.relative_to(media_root).as_posix()}", path)
            writer.close(
                {
                    "format": archive.FORMAT,
                    "format_version": archive.FORMAT_VERSION,
                    "created_at": now.isoformat(),
                    "app_version": app_version(),
                    "database": {"vendor": connection.vendor, "file": database_file, "tool": tool},
                    "schema": {"migrations": migrations},
                }
            )
            os.replace(partial, destination)
        except BaseException:
            writer.abort()
            partial.unlink(missing_ok=True)
            raise
    outcome = Outcome(
        path=destination.resolve(),
        size=destination.stat().st_size,
        sha256=archive.sha256_of(destination),
        vendor=connection.vendor,
        file_count=len(files),
        seconds=time.monotonic() - started,
        created_at=now,
    )
    _record(outcome, using=using)
    return outcome


def _record(outcome: Outcome, *, using: str, restored: bool = False) -> None:
    """Note the archive in BackupRecord; a database not yet migrated to have it only warns."""
    from goals.models import BackupRecord

    try:
        BackupRecord.objects.using(using).create(
            created_at=outcome.created_at,
            path=str(outcome.path),
            size=outcome.size,
            sha256=outcome.sha256,
            database_vendor=outcome.vendor,
            file_count=outcome.file_count,
            restored_at=timezone.now() if restored else None,
        )
    except DjangoDatabaseError as error:
        outcome.warnings.append(_("未能在数据库中记下这个备份(%(error)s)。") % {"error": error})


def _check_schema(manifest: dict) -> list[str]:
    """Refuse migrations this code does not have; return the ones the archive lacks."""
    known = {
        f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    }
    archived = set(manifest["schema"]["migrations"])
    unknown = sorted(archived - known)
    if unknown:
        raise BackupError(
            _(
                "这个备份来自更新版本的程序(数据库结构含本程序没有的迁移:%(names)s),请用相同或更新版本的程序恢复。"
            )
            % {"names": ", ".join(unknown[:5])}
        )
    return sorted(known - archived)


def _media_is_empty(media_root: Path) -> bool:
    return not media_root.exists() or not any(media_root.iterdir())


def verify(source: Path, *, trust_unsigned: bool = False) -> dict:
    """Check an archive without touching anything; returns its manifest."""
    with tempfile.TemporaryDirectory(prefix="goals-verify-") as staging:
        try:
            manifest = archive.read(source, Path(staging), trust_unsigned=trust_unsigned)
        except archive.ArchiveError as error:
            raise BackupError(str(error)) from None
    _check_schema(manifest)
    return manifest


def restore(
    source: Path, *, using: str = "default", force: bool = False, trust_unsigned: bool = False
) -> Outcome:
    started = time.monotonic()
    connection = connections[using]
    media_root = Path(settings.MEDIA_ROOT)
    # Staged beside MEDIA_ROOT, so that the files are moved in, not copied, at the end.
    near = media_root.parent if media_root.parent.is_dir() else None
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=near))
    try:
        try:
            manifest = archive.read(source, staging, trust_unsigned=trust_unsigned)
        except archive.ArchiveError as error:
            raise BackupError(str(error)) from None
        vendor = manifest["database"]["vendor"]
        if vendor != connection.vendor:
            raise BackupError(
                _("这个备份来自 %(archive)s 数据库,不能恢复到 %(target)s 数据库;请恢复到同类数据库。")
                % {"archive": vendor, "target": connection.vendor}
            )
        older = _check_schema(manifest)
        try:
            database_empty = databases.is_empty(connection)
        except DjangoDatabaseError as error:
            raise BackupError(
                _("无法连接目标数据库 %(db)s(%(error)s);PostgreSQL 数据库须先建好(createdb)。")
                % {"db": databases.describe(connection), "error": str(error).strip()}
            ) from None
        if not force and not database_empty:
            raise BackupError(
                _("目标数据库不是空的(%(db)s);确认要覆盖请加 --force。")
                % {"db": databases.describe(connection)}
            )
        if not force and not _media_is_empty(media_root):
            raise BackupError(
                _("佐证材料目录 %(path)s 不是空的;确认要覆盖请加 --force。") % {"path": media_root}
            )
        dump = staging / manifest["database"]["file"]
        try:
            if vendor == "sqlite":
                databases.restore_sqlite(connection, dump, force=force)
            else:
                databases.restore_postgresql(connection, dump, force=force)
        except databases.DatabaseError as error:
            raise BackupError(str(error)) from None
        _replace_media(staging / "media", media_root, staging / "old-media")
        files = [entry for entry in manifest["files"] if entry["path"].startswith("media/")]
        outcome = Outcome(
            path=source.resolve(),
            size=source.stat().st_size,
            sha256=archive.sha256_of(source),
            vendor=vendor,
            file_count=len(files),
            seconds=time.monotonic() - started,
            created_at=datetime.datetime.fromisoformat(manifest["created_at"]),
            older_schema=older,
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    connection.close()
    if RECORD_MIGRATION in manifest["schema"]["migrations"]:
        _record(outcome, using=using, restored=True)
    statistics.refresh(using)  # a dump restores rows, not the planner's statistics
    from goals.planning import publication

    try:
        publication.bump()  # drop cached public pages: they may show what was there before
    except Exception as error:  # noqa: BLE001 (the restore itself is done)
        outcome.warnings.append(_("未能清除已缓存的公开页面(%(error)s);请重启网站。") % {"error": error})
    return outcome


def _replace_media(new: Path, media_root: Path, old: Path) -> None:
    """Move the restored files into MEDIA_ROOT (whose old contents, with --force, go away)."""
    media_root.mkdir(parents=True, exist_ok=True)
    old.mkdir()
    for entry in list(media_root.iterdir()):
        shutil.move(entry, old / entry.name)
    if new.is_dir():
        for entry in sorted(new.iterdir()):
            shutil.move(entry, media_root / entry.name)
