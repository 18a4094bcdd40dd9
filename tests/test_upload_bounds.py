"""Uploads cannot make the server work for what a file merely declares: a workbook is read
only as far as the template reaches (whatever its <dimension> says), problems are listed up
to a limit with the count of the rest, and an animation's pixels count over all frames."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from PIL import Image

from goals.models import Evidence, Plan, Report
from goals.workbooks import department_upload, plan_import
from goals.workbooks import plan as plan_workbook
from tests.builders import HTMX
from tests.personas import DAY, as_user
from tests.samples import upload as evidence_upload

LAST_ROW = 1_048_576


@pytest.fixture
def rows_read(monkeypatch):
    """How many rows openpyxl handed out while the test ran (every read-only sheet read).

    Wraps the real reader and stops it past 10,000 rows, so that a reader that follows a
    sheet's declared dimension fails here at once instead of spinning for minutes."""
    seen = {"rows": 0}
    real = ReadOnlyWorksheet._cells_by_row

    def counting(self, *args, **kwargs):
        for row in real(self, *args, **kwargs):
            seen["rows"] += 1
            if seen["rows"] > 10_000:
                raise AssertionError("the reader went on past 10,000 rows")
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", counting)
    return seen


def with_sheet_xml(data: bytes, edit, member: str = "xl/worksheets/sheet1.xml") -> bytes:
    """The .xlsx with one sheet's XML rewritten by `edit` (bytes → bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            dst.writestr(info.filename, edit(content) if info.filename == member else content)
    return out.getvalue()


def far_cell(xml: bytes) -> bytes:
    """Declare the whole sheet (A1:XFD1048576) and put one cell in its very last row."""
    xml = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', xml)
    row = f'<row r="{LAST_ROW}"><c r="A{LAST_ROW}" t="inlineStr"><is><t>X</t></is></c></row>'
    return xml.replace(b"</sheetData>", row.encode() + b"</sheetData>")


def download(client, department) -> bytes:
    return client.get(reverse("workbook_download"), {"department": department.pk}).content


def post(client, department, data: bytes):
    return client.post(
        reverse("workbook_upload"), {"department": department.pk, "file": SimpleUploadedFile("x.xlsx", data)}
    )


def test_a_declared_dimension_of_the_whole_sheet_is_not_followed(world, official_own, rows_read):
    client = as_user(official_own)
    data = with_sheet_xml(download(client, world.own_department), far_cell)
    assert len(data) < 16_000
    response = post(client, world.own_department, data)
    # Nothing in the template's rows: nothing to submit (the far cell is never looked at).
    assert response.status_code == 200
    assert "没有需要提交的新数据" in response.content.decode()
    # A header, two targets, the margin below them and the one row that tells there is more.
    assert rows_read["rows"] <= 1 + 2 + department_upload.EXTRA_ROWS + 1
    assert Report.objects.count() == 0


def test_thousands_of_rows_of_unknown_codes_list_a_bounded_number_of_problems(world, official_own, rows_read):
    client = as_user(official_own)
    wb = load_workbook(io.BytesIO(download(client, world.own_department)))
    for row in range(4, 5_004):
        wb.active.cell(row, 1, f"X{row}")
    out = io.BytesIO()
    wb.save(out)

    response = post(client, world.own_department, out.getvalue())
    html = response.content.decode()
    assert response.status_code == 422
    listed = re.search(r'<ul class="errorlist">(.*?)</ul>', html, re.S).group(1)
    assert listed.count("<li>") == department_upload.MAX_LISTED
    assert "「X4」不是 2023 年计划中的目标编号" in listed
    assert "另有 1 处问题未列出" in html  # 50 unknown codes and the rows below them: 51 problems
    limit = 3 + department_upload.EXTRA_ROWS
    assert rows_read["rows"] <= limit + 1
    assert len(html) < 100_000
    assert Report.objects.count() == 0


def test_a_workbook_of_many_more_strings_than_the_template_is_refused_before_it_is_parsed(
    world, official_own, rows_read
):
    # 100,000 rows of unknown codes, as Excel writes them: each cell an index into the shared
    # strings, which openpyxl would parse whole (seconds) before reading the first row.
    count = 100_000
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>{n - 4}</v></c></row>' for n in range(4, 4 + count))
    strings = "".join(f"<si><t>X{n}</t></si>" for n in range(count))
    sst = (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
        f' count="{count}" uniqueCount="{count}">{strings}</sst>'
    ).encode()
    shared = '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    data = with_sheet_xml(
        download(as_user(official_own), world.own_department),
        lambda xml: xml.replace(b"</sheetData>", rows.encode() + b"</sheetData>"),
    )
    data = with_sheet_xml(
        data,
        lambda xml: xml.replace(b"</Types>", shared.encode() + b"</Types>"),
        member="[Content_Types].xml",
    )
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", sst)
    data = out.getvalue()
    assert len(data) < 2 * 1024 * 1024

    response = post(as_user(official_own), world.own_department, data)
    assert response.status_code == 422
    assert "工作簿的内容远多于本表所需" in response.content.decode()
    assert rows_read["rows"] == 0  # refused before openpyxl read anything
    assert Report.objects.count() == 0


def test_a_row_below_the_margin_is_refused_not_ignored(world, official_own):
    client = as_user(official_own)
    limit = 3 + department_upload.EXTRA_ROWS
    wb = load_workbook(io.BytesIO(download(client, world.own_department)))
    wb.active.cell(limit + 1, 1, "P1.1")
    out = io.BytesIO()
    wb.save(out)
    response = post(client, world.own_department, out.getvalue())
    assert response.status_code == 422
    assert f"第 {limit} 行以下不属于本表(本表只有 2 个目标)" in response.content.decode()


def test_a_plan_workbook_is_read_only_as_far_as_its_rows_go(seeded, rows_read, monkeypatch):
    data = plan_workbook.export(Plan.objects.get(year=2024))
    sheet = "xl/worksheets/sheet6.xml"  # 目标, the sixth sheet
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"P1.1" in archive.read(sheet)
    far = with_sheet_xml(data, far_cell, member=sheet)
    outcome = plan_import.import_plan(far, year=2025, dry_run=True)
    assert outcome.counts["目标"] == 116  # the far cell was never read
    # Seven sheets, none read past its bound (a far row pads the bound, no further).
    assert rows_read["rows"] <= len(plan_workbook.SHEET_NAMES) * (plan_import.MAX_ROWS + 2)

    monkeypatch.setattr(plan_import, "MAX_ROWS", 100)
    with pytest.raises(plan_import.Refused, match="工作表「目标」超过 100 行"):
        plan_import.import_plan(data, year=2025, dry_run=True)


def test_a_plan_import_lists_a_bounded_number_of_problems(seeded):
    wb = load_workbook(io.BytesIO(plan_workbook.export(Plan.objects.get(year=2024))))
    for row in range(2, 118):
        wb["目标"].cell(row, 4, "Z9")  # 所属项目或举措: no such group
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(plan_import.ImportFailed) as failure:
        plan_import.import_plan(out.getvalue(), year=2025)
    problems = failure.value.problems
    assert len(problems) == plan_import.MAX_LISTED + 1
    assert re.fullmatch(r"另有 \d+ 个问题未列出。", problems[-1])
    assert not Plan.objects.filter(year=2025).exists()


def animation(width: int, height: int, frames: int) -> bytes:
    """A GIF of `frames` frames, each of 2 × 2 pixels, whose screen is declared width × height.

    Pillow takes a GIF's size from its logical screen, so every frame decodes to the full
    declared size: a few hundred bytes that would decode to frames × width × height pixels."""
    images = [Image.new("P", (2, 2), color) for color in range(frames)]
    for image in images:
        image.putpalette([value for i in range(256) for value in (i, 255 - i, i // 2)])
    out = io.BytesIO()
    images[0].save(out, "GIF", save_all=True, append_images=images[1:], duration=100, loop=0)
    data = bytearray(out.getvalue())
    data[6:10] = width.to_bytes(2, "little") + height.to_bytes(2, "little")
    with Image.open(io.BytesIO(bytes(data))) as image:
        assert image.size == (width, height) and image.n_frames == frames
    return bytes(data)


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


def test_an_animation_is_refused_on_the_pixels_of_all_its_frames(world, official_own, media):
    # Six frames of 6000 × 6000: 36 megapixels each (under the limit), 216 in all.
    response = submit(official_own, world.own_target, [evidence_upload("动图.gif", animation(6000, 6000, 6))])
    assert response.status_code == 422
    assert "图片「动图.gif」尺寸过大" in response.content.decode()
    assert not Report.objects.exists() and not Evidence.objects.exists()


def test_a_small_animation_is_kept_with_its_frames(world, official_own, media):
    response = submit(official_own, world.own_target, [evidence_upload("小动图.gif", animation(40, 30, 3))])
    assert response.status_code == 200
    with Evidence.objects.get().file.open("rb") as handle, Image.open(handle) as image:
        assert image.size == (40, 30) and image.n_frames == 3
