"""Sample evidence files: real images (uploads are decoded and re-encoded by Pillow) and PDFs."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (8, 6), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")
GIF = image_bytes("GIF")
WEBP = image_bytes("WEBP")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# A PNG that is also an HTML page: a browser sniffing it, or a careless server, runs the script.
PNG_HTML_POLYGLOT = PNG + b"<html><script>alert(document.cookie)</script></html>"
PDF_WITH_JAVASCRIPT = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction 2 0 R >> endobj\n"
    b"2 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)
BY_EXTENSION = {
    ".png": (PNG, "image/png"),
    ".jpg": (JPEG, "image/jpeg"),
    ".jpeg": (JPEG, "image/jpeg"),
    ".gif": (GIF, "image/gif"),
    ".webp": (WEBP, "image/webp"),
    ".pdf": (PDF, "application/pdf"),
}


def _sample(name: str) -> tuple[bytes, str]:
    lowered = name.lower()
    return next(
        (v for ext, v in BY_EXTENSION.items() if lowered.endswith(ext)), (PNG, "application/octet-stream")
    )


def upload(
    name: str = "photo.png", content: bytes | None = None, content_type: str | None = None
) -> SimpleUploadedFile:
    """An uploaded file; without `content`, a valid image or PDF according to the name."""
    sample, guessed = _sample(name)
    return SimpleUploadedFile(
        name, sample if content is None else content, content_type=content_type or guessed
    )


def evidence(*names: str) -> list[tuple[SimpleUploadedFile, str]]:
    """Evidence for services.submit_report: evidence("现场.png", "台账.pdf")."""
    return [(upload(name), _sample(name)[1]) for name in names]
