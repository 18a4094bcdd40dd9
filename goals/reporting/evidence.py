"""Evidence files: what is accepted at upload, and how a stored file is served.

Upload: a file must be a PNG, JPEG, GIF, WebP image or a PDF by both its name and its
leading bytes. Images are decoded and re-encoded with Pillow, so the stored file is only
an image: whatever else a polyglot carried (an HTML document, a script, EXIF with a GPS
position) is gone. PDFs cannot be cleaned that way; one that declares JavaScript, a
launch action or embedded files is refused, and every PDF is served as a download. The
check reads the raw bytes and then every object of the parsed document (pypdf, strict),
since objects may sit compressed in an object stream where no byte pattern can see them;
a PDF that cannot be parsed fully, or is encrypted, is refused as well.

Serving: images inline, everything else as an attachment, each with a sandboxing
Content-Security-Policy of its own, so that even a file a browser mistook for a page
could run nothing on the site's origin.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from goals.models import Evidence
from goals.rules.text import UNUSABLE_FILE_NAME, has_control_chars

# What a file must start with, per accepted type.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}
EXTENSIONS = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}
# A decoded image larger than this many pixels, all frames of an animation together, is
# refused (a decompression bomb, or no photo anyone needs here): 40 megapixels.
MAX_PIXELS = 40_000_000
# PDF names that run something or carry other files. A name may spell letters as #xx.
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA|AA)\b")
PDF_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# The same, as keys of the parsed objects, and the actions (/S) that run or fetch something
# (an /OpenAction that only opens a page is fine; one that runs a script is such an action).
PDF_ACTIVE_KEYS = frozenset(
    {"/JavaScript", "/JS", "/AA", "/Launch", "/EmbeddedFiles", "/EF", "/RichMedia", "/XFA"}
)
PDF_ACTIVE_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/RichMediaExecute", "/GoToE", "/ImportData", "/SubmitForm", "/Rendition"}
)
# Objects and the dictionaries and arrays in them looked into at most: far more than any
# scanned form or report has (each object is parsed: a million would take a worker minutes).
PDF_MAX_OBJECTS = 100_000
PDF_MAX_NODES = 500_000
# Served with every evidence file: nothing on the page may run or load.
SANDBOX_POLICY = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


class Refused(ValueError):
    """An upload that is not accepted; the message says why, in the user's language."""


def check_name(name: str) -> str:
    """The file's name, or Refused for one that names nothing (".", "..", "", "///")."""
    stripped = (name or "").strip()
    if stripped == UNUSABLE_FILE_NAME or stripped.strip("./\\") == "":
        raise Refused(_("文件名「%(name)s」无效:请改用带扩展名的普通文件名后重新上传。") % {"name": name})
    if has_control_chars(stripped) or any(unicodedata.category(c) == "Cc" for c in stripped):
        raise Refused(_("文件名中含有控制字符,请重命名后重新上传。"))
    return stripped


def sniff_type(upload: UploadedFile) -> str | None:
    """The accepted type the file really is (by extension and leading bytes), or None."""
    name = (upload.name or "").lower()
    suffix = name[name.rfind(".") :] if "." in name else ""
    expected = EXTENSIONS.get(suffix)
    if expected is None:
        return None
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in SIGNATURES[expected]):
        return None
    if expected == "image/webp" and head[8:12] != b"WEBP":
        return None
    return expected


def reencode_image(upload: UploadedFile, content_type: str, name: str) -> SimpleUploadedFile:
    """The image decoded and written again in its own format: only pixels survive."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    fmt = PILLOW_FORMATS[content_type]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as image:
                # Every frame is decoded: an animation's pixels count over all its frames.
                frames = getattr(image, "n_frames", 1)
                if image.width * image.height * frames > MAX_PIXELS:
                    raise Refused(_("图片「%(name)s」尺寸过大,请缩小后上传。") % {"name": name})
                image.load()
                out = io.BytesIO()
                if fmt == "JPEG":
                    image.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
                elif fmt == "GIF" and frames > 1:
                    image.save(out, "GIF", save_all=True, loop=image.info.get("loop", 0))
                elif fmt == "WEBP":
                    image.save(out, "WEBP", quality=90, save_all=frames > 1)
                else:
                    image.save(out, fmt)
    except Refused:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        EOFError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise Refused(_("文件「%(name)s」无法作为图片读取,可能已损坏。") % {"name": name}) from None
    return SimpleUploadedFile(name, out.getvalue(), content_type=content_type)


def check_pdf(upload: UploadedFile, name: str) -> None:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    plain_names = PDF_HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)
    active = PDF_ACTIVE.search(plain_names) is not None
    if not active:
        try:
            reader = PdfReader(io.BytesIO(data), strict=True)
            if reader.is_encrypted:
                raise ValueError("encrypted")
            active = _pdf_is_active(reader)
        except Exception:  # pypdf raises many kinds (PdfReadError, ValueError, KeyError, zlib.error…)
            raise Refused(
                _("PDF「%(name)s」无法完整读取(可能已损坏、已加密或格式不规范),请重新导出为普通 PDF 后上传。")
                % {"name": name}
            ) from None
    if active:
        raise Refused(
            _("PDF「%(name)s」含有脚本、自动动作或附件,不能作为佐证材料;请另存为普通 PDF 后上传。")
            % {"name": name}
        )


def _pdf_is_active(reader: PdfReader) -> bool:
    """Whether any object of the document (every one in its cross-reference, compressed in
    an object stream or not) names a script, an automatic action or an embedded file."""
    if sum(len(table) for table in reader.xref.values()) + len(reader.xref_objStm) > PDF_MAX_OBJECTS:
        raise ValueError("too many objects")
    objects = [reader.trailer]
    for generation, table in reader.xref.items():
        objects += [reader.get_object(IndirectObject(number, generation, reader)) for number in table]
    objects += [reader.get_object(IndirectObject(number, 0, reader)) for number in reader.xref_objStm]
    nodes = 0
    while objects:
        item = objects.pop()
        nodes += 1
        if nodes > PDF_MAX_NODES:
            raise ValueError("too many objects")
        if isinstance(item, DictionaryObject):  # streams too: their dictionary
            if not PDF_ACTIVE_KEYS.isdisjoint(item.keys()):
                return True
            action = item.get("/S")
            if isinstance(action, NameObject) and action in PDF_ACTIVE_ACTIONS:
                return True
            objects += [value for value in item.values() if isinstance(value, DictionaryObject | ArrayObject)]
        elif isinstance(item, ArrayObject):
            objects += [value for value in item if isinstance(value, DictionaryObject | ArrayObject)]
    return False


def accept(upload: UploadedFile) -> tuple[UploadedFile, str]:
    """The file to store and its type, or Refused with the reason."""
    name = check_name(upload.name)
    content_type = sniff_type(upload)
    if content_type is None:
        raise Refused(_("文件「%(name)s」不是可接受的图片或 PDF。") % {"name": name})
    if content_type == "application/pdf":
        check_pdf(upload, name)
        upload.name = name
        return upload, content_type
    return reencode_image(upload, content_type, name), content_type


def serve(item: Evidence, *, cache_control: str) -> FileResponse:
    """The stored file: an image inline, anything else as a download; sandboxed either way."""
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("文件已不存在。")) from None
    response = FileResponse(
        handle,
        content_type=item.content_type,
        filename=item.original_name,
        as_attachment=not item.is_image,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_POLICY
    response["Cache-Control"] = cache_control
    return response
