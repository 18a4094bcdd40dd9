"""Evidence is stored only as what it claims to be and served so that it can run nothing:
images re-encoded by Pillow and shown inline in a sandbox, PDFs checked and downloaded."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.urls import reverse
from PIL import Image

from goals.models import Evidence, Report
from goals.reporting import evidence, services
from goals.reporting.evidence import PDF_ACTIVE
from tests.builders import HTMX
from tests.personas import DAY, as_user
from tests.samples import (
    GIF,
    JPEG,
    PDF,
    PDF_WITH_JAVASCRIPT,
    PNG,
    PNG_HTML_POLYGLOT,
    WEBP,
    pdf_with_object_stream,
    upload,
)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def submit(user, target, files):
    posted = {
        f"t{target.pk}-value": "120",
        f"t{target.pk}-as_of": DAY.isoformat(),
        f"t{target.pk}-revision": target.revision,
        f"t{target.pk}-evidence": files,
    }
    return as_user(user).post(reverse("report_target", args=[target.code]), posted, headers=HTMX)


def stored_bytes() -> bytes:
    item = Evidence.objects.get()
    with item.file.open("rb") as handle:
        return handle.read()


def test_a_png_that_is_also_a_web_page_is_stored_as_a_plain_png(world, official_own, media):
    response = submit(official_own, world.own_target, [upload("现场.png", PNG_HTML_POLYGLOT)])
    assert response.status_code == 200
    data = stored_bytes()
    assert b"<script" not in data and b"<html" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG" and image.size == (8, 6)
        assert image.convert("RGB").getpixel((0, 0)) == (200, 30, 30)
    item = Evidence.objects.get()
    assert item.size == len(data) and item.content_type == "image/png"


@pytest.mark.parametrize(
    ("name", "content", "fmt"), [("a.jpg", JPEG, "JPEG"), ("b.gif", GIF, "GIF"), ("c.webp", WEBP, "WEBP")]
)
def test_every_accepted_image_type_is_re_encoded_in_its_own_format(
    world, official_own, media, name, content, fmt
):
    assert submit(official_own, world.own_target, [upload(name, content)]).status_code == 200
    with Image.open(io.BytesIO(stored_bytes())) as image:
        assert image.format == fmt


def test_exif_such_as_a_gps_position_is_not_kept(world, official_own, media):
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(out, "JPEG", exif=exif)
    assert b"CameraMaker" in out.getvalue()
    assert submit(official_own, world.own_target, [upload("photo.jpg", out.getvalue())]).status_code == 200
    assert b"CameraMaker" not in stored_bytes()


def test_a_broken_image_is_refused_with_its_name(world, official_own, media):
    truncated = PNG[:40]
    response = submit(official_own, world.own_target, [upload("坏图.png", truncated)])
    assert response.status_code == 422
    assert "坏图.png" in response.content.decode() and "无法作为图片读取" in response.content.decode()
    assert not Report.objects.exists() and not Evidence.objects.exists()


def test_a_decompression_bomb_is_refused(world, official_own, media):
    # A valid PNG header announcing 20000 × 20000 pixels in a few hundred bytes.
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 20000, 20000, 8, 0, 0, 0, 0)
    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
    bomb += chunk(b"IEND", b"")
    response = submit(official_own, world.own_target, [upload("bomb.png", bomb)])
    assert response.status_code == 422
    assert "尺寸过大" in response.content.decode() or "无法作为图片读取" in response.content.decode()
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    "content",
    [
        PDF_WITH_JAVASCRIPT,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction << /S /Launch /F (cmd.exe) >> >> endobj\n%%EOF",
        b"%PDF-1.4\n1 0 obj << /S /#4A#61vaScript /JS (x) >> endobj\n%%EOF",  # /JavaScript spelt in hex
        b"%PDF-1.4\n1 0 obj << /Type /Filespec /EF << /F 2 0 R >> /Names << /EmbeddedFiles 3 0 R >> >>\n%%EOF",
    ],
)
def test_a_pdf_that_runs_something_or_carries_files_is_refused(world, official_own, media, content):
    response = submit(official_own, world.own_target, [upload("通知.pdf", content)])
    assert response.status_code == 422
    assert "含有脚本、自动动作或附件" in response.content.decode()
    assert not Report.objects.exists() and not Evidence.objects.exists()


PAGES = {
    1: b"<< /Type /Catalog /Pages 2 0 R >>",
    2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
}
CATALOG_OPENING_4 = b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>"


@pytest.mark.parametrize(
    "objects",
    [
        pytest.param({1: CATALOG_OPENING_4, 4: b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"}, id="open-action-js"),
        pytest.param({1: CATALOG_OPENING_4, 4: b"<< /S /Launch /F (cmd.exe) >>"}, id="open-action-launch"),
        pytest.param(
            {3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /AA << /O 4 0 R >> >>", 4: b"<< /S /GoTo >>"},
            id="page-additional-action",
        ),
        pytest.param(
            {1: b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >> >>",
             4: b"<< /Type /Filespec /F (a.exe) >>"},
            id="embedded-files",
        ),
    ],
)  # fmt: skip
def test_a_script_hidden_in_a_compressed_object_stream_is_found(world, official_own, media, objects):
    content = pdf_with_object_stream({**PAGES, **objects})
    assert PDF_ACTIVE.search(content) is None  # nothing to see in the bytes
    response = submit(official_own, world.own_target, [upload("通知.pdf", content)])
    assert response.status_code == 422
    assert "含有脚本、自动动作或附件" in response.content.decode()
    assert not Report.objects.exists() and not Evidence.objects.exists()


def test_a_pdf_written_by_pypdf_with_an_open_action_script_is_refused(world, official_own, media):
    from pypdf import PdfReader, PdfWriter
    from pypdf.actions import JavaScript

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(PDF)))
    writer.add_open_action(JavaScript("app.alert(1);"))
    out = io.BytesIO()
    writer.write(out)
    response = submit(official_own, world.own_target, [upload("通知.pdf", out.getvalue())])
    assert response.status_code == 422 and "含有脚本、自动动作或附件" in response.content.decode()


def test_a_pdf_with_an_object_stream_and_nothing_active_is_kept(world, official_own, media):
    content = pdf_with_object_stream({**PAGES, 1: CATALOG_OPENING_4, 4: b"[3 0 R /Fit]"})
    assert submit(official_own, world.own_target, [upload("扫描件.pdf", content)]).status_code == 200
    assert stored_bytes() == content


def test_a_pdf_of_more_objects_than_any_document_needs_is_refused(world, official_own, media, monkeypatch):
    monkeypatch.setattr(evidence, "PDF_MAX_OBJECTS", 1_000)
    content = pdf_with_object_stream({**PAGES, **dict.fromkeys(range(4, 1004), b"null")})
    response = submit(official_own, world.own_target, [upload("扫描件.pdf", content)])
    assert response.status_code == 422 and "无法完整读取" in response.content.decode()
    small = pdf_with_object_stream({**PAGES, **dict.fromkeys(range(4, 900), b"null")})
    assert submit(official_own, world.own_target, [upload("扫描件.pdf", small)]).status_code == 200


def _encrypted() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(PDF)))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: PDF[: len(PDF) // 2], id="truncated"),
        pytest.param(lambda: b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", id="no-cross-reference"),
        pytest.param(lambda: pdf_with_object_stream(PAGES)[:-60] + b"startxref\n999999\n%%EOF\n", id="bad-xref-offset"),
        pytest.param(_encrypted, id="encrypted"),
    ],
)  # fmt: skip
def test_a_pdf_that_cannot_be_read_to_the_end_is_refused(world, official_own, media, make):
    response = submit(official_own, world.own_target, [upload("扫描件.pdf", make())])
    assert response.status_code == 422
    assert "PDF「扫描件.pdf」无法完整读取" in response.content.decode()
    assert not Report.objects.exists() and not Evidence.objects.exists()


def test_a_plain_pdf_is_kept_byte_for_byte(world, official_own, media):
    assert submit(official_own, world.own_target, [upload("验收单.pdf", PDF)]).status_code == 200
    assert stored_bytes() == PDF


def test_control_characters_are_taken_out_of_a_file_name_and_the_file_kept(world, official_own, media):
    assert submit(official_own, world.own_target, [upload("照片\x07.png", PNG)]).status_code == 200
    assert Evidence.objects.get().original_name == "照片.png"


def test_a_name_that_is_only_control_characters_is_refused(world, official_own, media):
    response = submit(official_own, world.own_target, [upload("\x07\x08", PNG)])
    assert response.status_code == 422
    assert "无效" in response.content.decode()
    assert not Evidence.objects.exists()


# ----------------------------------------------------------------------------- serving


@pytest.fixture
def approved_files(world, official_own, reviewer, media):
    report = services.submit_report(
        target=world.own_target,
        value=10,
        as_of=DAY,
        author=official_own,
        evidence=[(upload("现场.png", PNG), "image/png"), (upload("验收单.pdf", PDF), "application/pdf")],
    )
    services.approve_report(report=report, reviewer=reviewer)
    image, pdf = Evidence.objects.order_by("id")
    return image, pdf


@pytest.mark.parametrize("public", [True, False])
def test_images_are_inline_and_everything_else_a_download_both_sandboxed(approved_files, reviewer, public):
    image, pdf = approved_files
    client = as_user(None if public else reviewer)
    name = "evidence" if public else "evidence_file"
    shown = client.get(reverse(name, args=[image.pk]))
    downloaded = client.get(reverse(name, args=[pdf.pk]))
    assert shown["Content-Disposition"].startswith("inline;")
    assert downloaded["Content-Disposition"].startswith("attachment;")
    for response in (shown, downloaded):
        assert response.status_code == 200
        policy = response["Content-Security-Policy"]
        assert policy.startswith("sandbox;") and "default-src 'none'" in policy
        assert response["X-Content-Type-Options"] == "nosniff"
