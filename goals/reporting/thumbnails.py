"""Thumbnails of image evidence for the public target page, and (for staff) of a PDF's first page.

Made once with Pillow, on the first request, from the stored (already re-encoded) image,
and kept beside the evidence under MEDIA_ROOT as a small JPEG named after the file's
SHA-256 (so a replaced file never shows a stale picture). Served like the evidence
itself: only for an approved report, with the sandboxing policy.

For the review queue, a PDF's first page is rendered too (pypdfium2, PDFium: no external
program), so that a reviewer can read a certificate or a photo of a notice without
downloading it. Bounded: only PDFs up to Evidence.PREVIEW_PDF_MAX_BYTES, only the first page,
at a scale that fits PAGE_BOX whatever the page's declared size; cached like the others.
"""

from __future__ import annotations

import io
import os
import tempfile
import threading
from pathlib import Path

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from goals.models import Evidence
from goals.reporting.evidence import SANDBOX_POLICY

BOX = (320, 240)  # the largest thumbnail, in pixels (shown at 160 × 120 CSS pixels)
PAGE_BOX = (420, 594)  # a PDF's first page (A4 proportions), shown at 210 × 297 CSS pixels
FOLDER = "evidence/thumbs"
PDFIUM = threading.Lock()  # PDFium is not thread-safe: one render at a time per process


def thumbnail_name(item: Evidence) -> str:
    return f"{FOLDER}/{item.pk}-{item.sha256[:16]}.jpg"


def first_page(data: bytes) -> Image.Image:
    """The PDF's first page as an image no larger than PAGE_BOX (ValueError if unreadable)."""
    with PDFIUM:
        return _first_page(data)


def _first_page(data: bytes) -> Image.Image:
    import pypdfium2  # imported here: only the review queue needs it

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        raise ValueError(str(error)) from None
    try:
        if len(document) == 0:
            raise ValueError("no pages")
        page = document[0]
        width, height = page.get_size()
        if width <= 0 or height <= 0:
            raise ValueError("empty page")
        scale = min(PAGE_BOX[0] / width, PAGE_BOX[1] / height)
        return page.render(scale=scale).to_pil().convert("RGB")
    except pypdfium2.PdfiumError as error:
        raise ValueError(str(error)) from None
    finally:
        document.close()


def make(item: Evidence) -> bytes:
    """A JPEG no larger than BOX (PAGE_BOX for a PDF's first page), transparency flattened on white."""
    if item.is_pdf:
        if not item.has_preview:
            raise ValueError("too large to preview")
        with item.file.open("rb") as handle:
            flat = first_page(handle.read(Evidence.PREVIEW_PDF_MAX_BYTES + 1))
        out = io.BytesIO()
        flat.save(out, "JPEG", quality=82, optimize=True)
        return out.getvalue()
    with item.file.open("rb") as handle, Image.open(handle) as image:
        image.seek(0)  # the first frame of an animation
        picture = ImageOps.exif_transpose(image.convert("RGBA"))
        picture.thumbnail(BOX)
        flat = Image.new("RGB", picture.size, "white")
        flat.paste(picture, mask=picture.getchannel("A"))
        out = io.BytesIO()
        flat.save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue()


def path_for(item: Evidence) -> Path:
    """The thumbnail's file, made now if it is not there yet (written atomically)."""
    path = Path(default_storage.path(thumbnail_name(item)))
    if not path.is_file():
        try:
            data = make(item)
        except (FileNotFoundError, OSError, ValueError):
            raise Http404(_("文件已不存在。")) from None
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    return path


def serve(item: Evidence, *, cache_control: str, pages: bool = False) -> FileResponse:
    """The thumbnail; with `pages` (staff only), a small PDF's first page too."""
    if not (item.is_image or (pages and item.has_preview)):
        raise Http404(_("该文件没有缩略图。"))
    response = FileResponse(path_for(item).open("rb"), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_POLICY
    response["Cache-Control"] = cache_control
    return response
