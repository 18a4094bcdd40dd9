"""Who wrote an archive, and who may read it: the manifest's signature, and encryption.

Signature: HMAC-SHA256 over the exact bytes of manifest.json, kept beside it as the member
manifest.sig ("hmac-sha256 <hex>"). The manifest lists every member's size and SHA-256,
so the signature covers the whole archive; an archive re-packed with edited members and
recomputed sums is refused. The key is BACKUP_SIGNING_KEY, or one derived from SECRET_KEY
when that is unset (and from each of SECRET_KEY_FALLBACKS, so a rotated key still
verifies older archives).

Encryption (with BACKUP_ENCRYPTION_KEY): the whole .tar.gz, in 1 MiB chunks of
AES-256-GCM ("STREAM": each chunk's nonce is a random prefix, the chunk's number and a
last-chunk flag, so chunks can be neither reordered, dropped nor cut off at the end):

    MAGIC | prefix (7 bytes) | (length (4 bytes, big-endian) | ciphertext+tag)…
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils.translation import gettext as _

SIGNATURE = "manifest.sig"
SCHEME = "hmac-sha256"
MAGIC = b"CZEDZ-GOALS-BACKUP AES-256-GCM 1\n"
PREFIX_BYTES = 7
CHUNK = 1024 * 1024
TAG_BYTES = 16


class SealError(Exception):
    """A signature or an encryption that does not check out; the message says why."""


# --- signing ----------------------------------------------------------------------------------


def _derived(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"czedz-goals backup signing key", hashlib.sha256).digest()


def signing_keys() -> list[bytes]:
    """The key that signs, first, then the older keys that still verify."""
    if settings.BACKUP_SIGNING_KEY:
        return [settings.BACKUP_SIGNING_KEY.encode()]
    return [_derived(settings.SECRET_KEY), *(_derived(old) for old in settings.SECRET_KEY_FALLBACKS)]


def sign(manifest: bytes) -> bytes:
    digest = hmac.new(signing_keys()[0], manifest, hashlib.sha256).hexdigest()
    return f"{SCHEME} {digest}\n".encode()


def check_signature(manifest: bytes, signature: bytes | None) -> None:
    """Raise SealError unless `signature` is ours over exactly these manifest bytes."""
    if signature is None:
        raise SealError(
            _(
                "这个备份没有签名,无法确认它出自本系统且未被改动,拒绝使用。"
                "如确知它的来源(例如升级前写成的备份),可加 --trust-unsigned 恢复。"
            )
        )
    scheme, _space, given = signature.decode("ascii", "replace").strip().partition(" ")
    expected = [hmac.new(key, manifest, hashlib.sha256).hexdigest() for key in signing_keys()]
    if scheme != SCHEME or not any(hmac.compare_digest(given, digest) for digest in expected):
        raise SealError(
            _(
                "备份的签名不符:它在备份之后被改动过,或由另一个密钥签名(请核对 BACKUP_SIGNING_KEY 或 "
                "SECRET_KEY 是否与备份时相同),拒绝使用。如确知它的来源,可加 --trust-unsigned 恢复。"
            )
        )


# --- encryption ---------------------------------------------------------------------------------


def encryption_key() -> bytes | None:
    return settings.BACKUP_ENCRYPTION_KEY


def is_encrypted(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(len(MAGIC)) == MAGIC


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


class EncryptingFile:
    """A write-only file object that encrypts what is written into `fh`, chunk by chunk;
    `close()` writes the last chunk (and does not close `fh`)."""

    def __init__(self, fh, key: bytes) -> None:
        self.fh, self.aead = fh, AESGCM(key)
        self.prefix = os.urandom(PREFIX_BYTES)
        self.header = MAGIC + self.prefix
        self.fh.write(self.header)
        self.buffer = bytearray()
        self.counter = 0
        self.position = 0

    def write(self, data) -> int:
        self.buffer += data
        self.position += len(data)
        while len(self.buffer) > CHUNK:  # keep at least one byte back for the last chunk
            self._emit(bytes(self.buffer[:CHUNK]), last=False)
            del self.buffer[:CHUNK]
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        self.fh.flush()

    def _emit(self, plain: bytes, *, last: bool) -> None:
        if self.counter >= 2**32 - 1:
            raise SealError(_("备份太大,无法加密。"))
        sealed = self.aead.encrypt(_nonce(self.prefix, self.counter, last), plain, self.header)
        self.fh.write(len(sealed).to_bytes(4, "big") + sealed)
        self.counter += 1

    def close(self) -> None:
        self._emit(bytes(self.buffer), last=True)
        self.buffer.clear()


def decrypt(source: Path, destination: Path, key: bytes | None) -> None:
    """Write the plain archive of the encrypted `source` to `destination`, or raise SealError."""
    if key is None:
        raise SealError(_("这个备份已加密:请把 BACKUP_ENCRYPTION_KEY 设为备份时的密钥后再恢复。"))
    aead = AESGCM(key)
    with source.open("rb") as fh, destination.open("wb") as out:
        header = fh.read(len(MAGIC) + PREFIX_BYTES)
        prefix = header[len(MAGIC) :]
        if not header.startswith(MAGIC) or len(prefix) != PREFIX_BYTES:
            raise SealError(_("加密的备份不完整(文件被截断),无法使用。"))
        counter = 0
        while True:
            size = fh.read(4)
            sealed = fh.read(int.from_bytes(size, "big")) if len(size) == 4 else b""
            if len(size) != 4 or len(sealed) != int.from_bytes(size, "big") or len(sealed) < TAG_BYTES:
                raise SealError(_("加密的备份不完整(文件被截断),无法使用。"))
            for last in (False, True):
                try:
                    plain = aead.decrypt(_nonce(prefix, counter, last), sealed, header)
                    break
                except InvalidTag:
                    continue
            else:
                raise SealError(_("无法解密这个备份:BACKUP_ENCRYPTION_KEY 不是备份时的密钥,或文件已损坏。"))
            out.write(plain)
            counter += 1
            if last:
                break
        if fh.read(1):
            raise SealError(_("加密的备份末尾有多余的数据,文件已损坏,无法使用。"))
