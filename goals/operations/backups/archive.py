"""The backup archive: a gzip'd tar holding the database, the media files and a manifest.

    database/goals.sqlite3 | database/goals.pgdump    the database (SQLite file or pg_dump -Fc),
                                                       without the sessions table's rows
    media/<path under MEDIA_ROOT>                      every evidence file
    manifest.json                                      written last, describes all of the above
    manifest.sig                                       its signature (goals.operations.backups.sealing)

manifest.json: {"format": "czedz-goals-backup", "format_version": 1, "created_at",
"app_version", "database": {"vendor", "file", "tool"}, "schema": {"migrations": ["app.name",
…]}, "files": [{"path", "sha256", "size"}, …]}. Reading checks everything before anything
is used: the manifest is ours and of a format we know, the archive holds exactly the files
it lists (regular files only), each with its size and SHA-256; members are extracted with
tarfile's "data" filter, so no name can reach outside the staging directory. Before the
manifest is believed, its signature is checked (unless the operator trusts the archive);
an encrypted archive is decrypted into the staging directory first.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
import zlib
from pathlib import Path, PurePosixPath

from django.utils.translation import gettext as _

from goals.operations.backups import sealing

FORMAT = "czedz-goals-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class ArchiveError(Exception):
    """An archive that cannot be used (damaged, truncated, foreign); the message says why."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _Hashing:
    """A file reader that hashes what tarfile copies out of it."""

    def __init__(self, fh) -> None:
        self.fh, self.digest = fh, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        self.digest.update(data)
        return data


class Writer:
    """Adds files to a new archive, noting their sums; `close(manifest)` writes the manifest."""

    def __init__(self, path: Path, *, encryption_key: bytes | None = None) -> None:
        # Readable by its owner only: the database holds password hashes and TOTP seeds.
        self.fh = open(path, "wb", opener=lambda name, flags: os.open(name, flags, 0o600))  # noqa: SIM115
        os.fchmod(self.fh.fileno(), 0o600)  # also when a leftover partial file was reused
        self.sealed = sealing.EncryptingFile(self.fh, encryption_key) if encryption_key else None
        self.tar = tarfile.open(  # noqa: SIM115
            fileobj=self.sealed or self.fh, mode="w:gz", format=tarfile.PAX_FORMAT, compresslevel=6
        )
        self.files: list[dict] = []

    def _info(self, name: str, size: int, mtime: float) -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = size, int(mtime), 0o644
        return info

    def add(self, name: str, source: Path) -> None:
        with source.open("rb") as fh:
            stat = source.stat()
            reader = _Hashing(fh)
            self.tar.addfile(self._info(name, stat.st_size, stat.st_mtime), reader)
        self.files.append({"path": name, "sha256": reader.digest.hexdigest(), "size": stat.st_size})

    def close(self, manifest: dict) -> None:
        data = json.dumps({**manifest, "files": self.files}, ensure_ascii=False, indent=2).encode()
        self.tar.addfile(self._info(MANIFEST, len(data), manifest_time(manifest)), io.BytesIO(data))
        signature = sealing.sign(data)
        self.tar.addfile(
            self._info(sealing.SIGNATURE, len(signature), manifest_time(manifest)), io.BytesIO(signature)
        )
        self.tar.close()
        if self.sealed:
            self.sealed.close()
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()

    def abort(self) -> None:
        self.tar.close()
        self.fh.close()


def manifest_time(manifest: dict) -> float:
    from datetime import datetime

    return datetime.fromisoformat(manifest["created_at"]).timestamp()


def _load_manifest(
    tar: tarfile.TarFile, members: dict[str, tarfile.TarInfo], *, trust_unsigned: bool
) -> dict:
    member = members.get(MANIFEST)
    if member is None or not member.isfile():
        raise ArchiveError(_("这不是本系统的备份文件(或已损坏):其中没有 manifest.json。"))
    raw = tar.extractfile(member).read()
    signed = members.get(sealing.SIGNATURE)
    signature = tar.extractfile(signed).read() if signed is not None and signed.isfile() else None
    if not trust_unsigned:
        try:
            sealing.check_signature(raw, signature)
        except sealing.SealError as error:
            raise ArchiveError(str(error)) from None
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise ArchiveError(_("这不是本系统的备份文件:manifest.json 无法读取。")) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError(_("这不是本系统的备份文件:manifest.json 不是本系统的格式。"))
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ArchiveError(
            _("这个备份由更新版本的程序写成(格式版本 %(version)s),本程序只能读取版本 %(ours)s 及以下。")
            % {"version": version, "ours": FORMAT_VERSION}
        )
    try:
        files = {entry["path"]: entry for entry in manifest["files"]}
        vendor, database_file = manifest["database"]["vendor"], manifest["database"]["file"]
        migrations = manifest["schema"]["migrations"]
        for entry in files.values():
            int(entry["size"]), str(entry["sha256"])  # noqa: B018 (shape check)
    except (KeyError, TypeError, ValueError):
        raise ArchiveError(_("备份的 manifest.json 缺少必要的内容,无法使用。")) from None
    if not isinstance(vendor, str) or database_file not in files or not isinstance(migrations, list):
        raise ArchiveError(_("备份的 manifest.json 缺少必要的内容,无法使用。"))
    manifest["signed"] = signature is not None and not trust_unsigned
    return manifest


def _check_compression(path: Path) -> None:
    """Read a gzip'd archive to its end: its CRC catches any damaged byte, and a cut stream
    fails here. (tarfile alone stops quietly at a damaged header in mid-archive.)"""
    with path.open("rb") as fh:
        if fh.read(2) != b"\x1f\x8b":
            return
    with gzip.open(path, "rb") as fh:
        while fh.read(CHUNK):
            pass


def read(path: Path, staging: Path, *, trust_unsigned: bool = False) -> dict:
    """Check the archive at `path` and extract it into `staging`; returns the manifest, with
    "signed" (the signature was checked) and "encrypted" added.

    Raises ArchiveError, having extracted nothing usable, when anything is wrong.
    """
    plain = staging / ".archive.tar.gz"  # never a member's name: the manifest lists none such
    try:
        encrypted = sealing.is_encrypted(path)
        if encrypted:
            sealing.decrypt(path, plain, sealing.encryption_key())
        manifest = _read_plain(plain if encrypted else path, staging, trust_unsigned=trust_unsigned)
    except sealing.SealError as error:
        raise ArchiveError(str(error)) from None
    except FileNotFoundError:
        raise ArchiveError(_("找不到备份文件 %(path)s。") % {"path": path}) from None
    finally:
        plain.unlink(missing_ok=True)
    manifest["encrypted"] = encrypted
    return manifest


def _read_plain(path: Path, staging: Path, *, trust_unsigned: bool) -> dict:
    try:
        _check_compression(path)
        with tarfile.open(path, "r:*") as tar:
            members = {}
            for member in tar.getmembers():  # reads to the end: a truncated archive fails here
                if member.name in members:
                    raise ArchiveError(_("备份中有重复的文件 %(name)s,无法使用。") % {"name": member.name})
                members[member.name] = member
            manifest = _load_manifest(tar, members, trust_unsigned=trust_unsigned)
            listed = {entry["path"]: entry for entry in manifest["files"]}
            extra = sorted(set(members) - set(listed) - {MANIFEST, sealing.SIGNATURE})
            missing = sorted(set(listed) - set(members))
            if extra or missing:
                raise ArchiveError(
                    _("备份内容与 manifest.json 不符:多出 %(extra)s,缺少 %(missing)s。")
                    % {"extra": ", ".join(extra) or "—", "missing": ", ".join(missing) or "—"}
                )
            for name in listed:
                member = members[name]
                pure = PurePosixPath(name)
                if not member.isfile() or pure.is_absolute() or ".." in pure.parts:
                    raise ArchiveError(_("备份中的 %(name)s 不是普通文件,拒绝使用。") % {"name": name})
            tar.extractall(staging, members=[members[name] for name in listed], filter="data")
    except ArchiveError:
        raise
    except FileNotFoundError:
        raise ArchiveError(_("找不到备份文件 %(path)s。") % {"path": path}) from None
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise ArchiveError(
            _("备份文件已损坏或不完整(%(error)s),无法使用。") % {"error": str(error) or type(error).__name__}
        ) from None
    for name, entry in listed.items():
        extracted = staging / name
        if extracted.stat().st_size != entry["size"] or sha256_of(extracted) != entry["sha256"]:
            raise ArchiveError(_("备份中的 %(name)s 校验和不符,文件已损坏,无法使用。") % {"name": name})
    return manifest
