"""Thumbnails of image evidence for the public target page.

Made once with Pillow, on the first request, from the stored (already re-encoded) image,
and kept beside the evidence under MEDIA_ROOT as a small JPEG named after the file's
SHA-256 (so a replaced file never shows a stale picture). Served like the evidence
itself: only for an approved report, with the sandboxing policy.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from goals.models import Evidence
from goals.reporting.evidence import SANDBOX_POLICY

BOX = (320, 240)  # the largest thumbnail, in pixels (shown at 160 × 120 CSS pixels)
FOLDER = "evidence/thumbs"


def thumbnail_name(item: Evidence) -> str:
    return f"{FOLDER}/{item.pk}-{item.sha256[:16]}.jpg"


def make(item: Evidence) -> bytes:
    """A JPEG no larger than BOX, transparency flattened on white."""
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


def serve(item: Evidence, *, cache_control: str) -> FileResponse:
    if not item.is_image:
        raise Http404(_("该文件没有缩略图。"))
    response = FileResponse(path_for(item).open("rb"), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_POLICY
    response["Cache-Control"] = cache_control
    return response
