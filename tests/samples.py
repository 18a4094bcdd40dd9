"""Sample evidence files: real images (uploads are decoded and re-encoded by Pillow) and PDFs."""

from __future__ import annotations

import io
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (8, 6), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")
GIF = image_bytes("GIF")
WEBP = image_bytes("WEBP")


def pdf_bytes() -> bytes:
    """A real one-page PDF (pypdf), readable to the end: uploads are parsed strictly."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_object_stream(objects: dict[int, bytes]) -> bytes:
    """A PDF 1.5 whose objects (numbered 1…n, 1 the catalog) all sit in one compressed object
    stream, found through a compressed cross-reference stream: not one of their names can
    be seen in the file's bytes."""
    numbers = sorted(objects)
    body, offsets = b"", []
    for number in numbers:
        offsets.append(len(body))
        body += objects[number] + b"\n"
    index = b" ".join(b"%d %d" % pair for pair in zip(numbers, offsets, strict=True)) + b"\n"
    packed = zlib.compress(index + body)
    stream_no, xref_no = max(numbers) + 1, max(numbers) + 2
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    stream_at = len(out)
    out += b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n" % (
        stream_no,
        len(numbers),
        len(index),
        len(packed),
    )
    out += packed + b"\nendstream\nendobj\n"
    xref_at = len(out)

    def entry(kind: int, field: int, second: int) -> bytes:
        return bytes([kind]) + field.to_bytes(4, "big") + second.to_bytes(2, "big")

    rows = [entry(0, 0, 65535)]
    for number in range(1, xref_no + 1):
        if number in objects:
            rows.append(entry(2, stream_no, numbers.index(number)))
        elif number == stream_no:
            rows.append(entry(1, stream_at, 0))
        elif number == xref_no:
            rows.append(entry(1, xref_at, 0))
        else:
            rows.append(entry(0, 0, 0))
    table = zlib.compress(b"".join(rows))
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length %d >>\n"
        % (
            xref_no,
            xref_no + 1,
            len(table),
        )
    )
    out += b"stream\n" + table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


PDF = pdf_bytes()
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
