"""The department workbook: download, fill, upload, preview, confirm — and every refusal."""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from goals.models import AuditEntry, Report
from goals.workbooks import department as workbook
from tests.builders import approved, make_user
from tests.personas import *  # noqa: F403
from tests.personas import as_user

COL = {key: index for index, key in enumerate(workbook.KEYS, 1)}


def download(client, department) -> bytes:
    response = client.get(reverse("workbook_download"), {"department": department.pk})
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.content


def fill(data: bytes, rows: dict[str, dict], **edit) -> bytes:
    """The workbook with input columns filled for the targets in `rows` (by code)."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    for row in ws.iter_rows(min_row=2):
        code = row[0].value
        for key, value in rows.get(code, {}).items():
            ws.cell(row=row[0].row, column=COL[key], value=value)
    for coordinate, value in edit.items():
        ws[coordinate] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, department, data: bytes, name="填报.xlsx"):
    return client.post(
        reverse("workbook_upload"),
        {"department": department.pk, "file": SimpleUploadedFile(name, data)},
    )


def confirm(client, response):
    return client.post(reverse("workbook_confirm"), {"digest": response.context["digest"]})


FILLED = {
    "P1.1": {
        "value": 120,
        "as_of": datetime.date(2023, 6, 30),
        "note": "已建成两处",
        "next_steps": "七月再建一处",
    },
    "P1.3": {"value": 50, "as_of": "2023-06-30"},
}


def test_it_downloads_the_departments_targets_with_locked_columns_and_validation(world, official_own):
    data = download(as_user(official_own), world.own_department)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["2023年进度填报"]
    ws = wb.active
    assert [c.value for c in ws[1]] == workbook.HEADERS
    assert ws.freeze_panes == "A2"
    assert ws.protection.sheet
    codes = [row[0].value for row in ws.iter_rows(min_row=2)]
    assert codes == ["P1.1", "P1.3"]  # not 乙单位's P1.2
    assert ws.cell(2, COL["code"]).protection.locked
    assert not ws.cell(2, COL["value"]).protection.locked
    assert not ws.cell(2, COL["next_steps"]).protection.locked
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert {"decimal", "date", "textLength"} <= kinds
    day = next(dv for dv in ws.data_validations.dataValidation if dv.type == "date")
    assert (day.formula1, day.formula2) == ("44927", "45291")  # 2023-01-01 … 2023-12-31
    assert ws.cell(2, COL["light"]).value in ("灰灯", "红灯", "黄灯", "绿灯")


def test_it_refuses_a_department_the_official_is_not_in(world, official_own):
    response = as_user(official_own).get(
        reverse("workbook_download"), {"department": world.other_department.pk}
    )
    assert response.status_code == 404


def test_reviewers_without_a_department_and_anonymous_users_get_nothing(world, reviewer):
    assert as_user(reviewer).get(reverse("workbook")).status_code == 403
    response = as_user(None).get(reverse("workbook"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_it_previews_then_submits_every_filled_row_once(world, official_own):
    approved(world.own_target, 80, datetime.date(2023, 5, 31), reviewer=make_user("r1"))
    client = as_user(official_own)
    data = fill(download(client, world.own_department), FILLED)

    preview = upload(client, world.own_department, data)
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "120个" in html and "+40" in html and "上次 80个" in html
    assert "已建成两处" in html and "七月再建一处" in html
    assert "确认提交" in html
    assert Report.objects.filter(state="submitted").count() == 0  # nothing before confirming

    response = confirm(client, preview)
    assert response.status_code == 302
    submitted = Report.objects.filter(state="submitted").order_by("target__code")
    assert [(r.target.code, r.value, r.as_of, r.author) for r in submitted] == [
        ("P1.1", Decimal(120), datetime.date(2023, 6, 30), official_own),
        ("P1.3", Decimal(50), datetime.date(2023, 6, 30), official_own),
    ]
    assert submitted[0].next_steps == "七月再建一处"
    audit = AuditEntry.objects.filter(action="submit").order_by("id")
    assert audit.count() == 2
    assert (
        audit[0].changes["workbook"]["name"] == "填报.xlsx"
        and len(audit[0].changes["workbook"]["sha256"]) == 64
    )

    # The same workbook again: shown as already submitted, nothing to confirm.
    again = upload(client, world.own_department, data)
    assert "已提交过,本次跳过" in again.content.decode() and "确认提交" not in again.content.decode()
    assert confirm(client, preview).status_code == 302  # the old preview is spent
    assert Report.objects.filter(state="submitted").count() == 2


def test_it_shows_the_light_and_asks_for_a_note_on_a_doubtful_figure(world, official_own):
    approved(world.own_target, 150, datetime.date(2023, 5, 31), reviewer=make_user("r1"))
    client = as_user(official_own)
    base = download(client, world.own_department)
    falling = fill(base, {"P1.1": {"value": 100, "as_of": "2023-06-30"}})
    response = upload(client, world.own_department, falling)
    assert response.status_code == 422
    assert "第 2 行「说明」(L 列):需核实(累计值低于上次审核通过的数值)" in response.content.decode()

    explained = fill(base, {"P1.1": {"value": 100, "as_of": "2023-06-30", "note": "上月重复统计"}})
    response = upload(client, world.own_department, explained)
    html = response.content.decode()
    assert response.status_code == 200 and "累计值低于上次审核通过的数值" in html and "-50" in html
    confirm(client, response)
    assert Report.objects.get(state="submitted").plausibility_flags == ["decrease"]


@pytest.mark.parametrize(
    ("rows", "edit", "message"),
    [
        ({"P1.1": {"value": "abc", "as_of": "2023-06-30"}}, {}, "第 2 行「累计完成值」(J 列):请输入数字"),
        ({"P1.1": {"value": -3, "as_of": "2023-06-30"}}, {}, "不能为负数"),
        (
            {"P1.1": {"value": 10, "as_of": "2022-12-31"}},
            {},
            "第 2 行「截至日期」(K 列):截至日期不能早于计划开始",
        ),
        ({"P1.1": {"value": 10}}, {}, "请填写截至日期"),
        ({"P1.3": {"value": 130, "as_of": "2023-06-30"}}, {}, "百分比不能超过 100"),
        ({}, {"B2": "改过的名称", "J2": 5, "K2": "2023-06-30"}, "第 2 行「名称」(B 列):受保护的单元格被改动"),
        ({}, {"A4": "P1.2", "J4": 5, "K4": "2023-06-30"}, "第 4 行「编号」(A 列):目标「P1.2」不由甲单位负责"),
        (
            {},
            {"A4": "X9", "J4": 5, "K4": "2023-06-30"},
            "第 4 行「编号」(A 列):「X9」不是 2023 年计划中的目标编号",
        ),
        ({"P1.1": {"as_of": "2023-06-30"}}, {"J2": "=1+1"}, "第 2 行「累计完成值」(J 列):含有公式"),
        ({}, {"A5": "P1.1", "J5": 1, "K5": "2023-06-30"}, "在第 2 行已出现过"),
        ({}, {"P2": "多出来的"}, "第 P 列不属于本表"),
    ],
)
def test_a_bad_row_refuses_the_whole_workbook_with_its_row_and_column(
    world, official_own, rows, edit, message
):
    client = as_user(official_own)
    good = {"P1.3": {"value": 50, "as_of": "2023-06-30"}}
    data = fill(download(client, world.own_department), {**good, **rows}, **edit)
    response = upload(client, world.own_department, data)
    html = response.content.decode()
    assert response.status_code == 422
    assert message in html, html[html.find("errorlist") : html.find("errorlist") + 800]
    assert "未提交任何数据" in html and "确认提交" not in html
    assert Report.objects.count() == 0


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def _extra_sheet(data: bytes) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    wb.create_sheet("Sheet2").sheet_state = "hidden"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _macro(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        members = {name: src.read(name) for name in src.namelist()}
    members["xl/vbaProject.bin"] = b"\x00" * 100
    return _zip(members)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda data: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "旧版 Excel(.xls)"),
        (lambda data: "编号,累计完成值\nP1.1,120\n".encode(), "CSV"),
        (
            lambda data: _zip(
                {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}
            ),
            ".ods",
        ),
        (
            lambda data: _zip(
                {"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>", "bomb.xml": b"\0" * 40_000_000}
            ),
            "压缩炸弹",
        ),
        (lambda data: _zip({f"f{i}.xml": b"" for i in range(300)}), "部件过多"),
        (lambda data: data[: len(data) // 2], "无法"),
        (_extra_sheet, "只能有一个工作表"),
        (_macro, "宏"),
    ],
)
def test_it_refuses_files_that_are_not_this_workbook(world, official_own, make, message):
    client = as_user(official_own)
    data = make(fill(download(client, world.own_department), FILLED))
    response = upload(client, world.own_department, data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Report.objects.count() == 0


def test_it_refuses_a_file_over_the_size_limit(world, official_own, settings):
    settings.WORKBOOK_MAX_BYTES = 2048
    client = as_user(official_own)
    response = upload(client, world.own_department, fill(download(client, world.own_department), FILLED))
    assert response.status_code == 422 and "超过" in response.content.decode()
    assert Report.objects.count() == 0


def test_a_confirm_after_the_target_changed_department_saves_nothing(world, official_own):
    client = as_user(official_own)
    preview = upload(client, world.own_department, fill(download(client, world.own_department), FILLED))
    world.milestone.lead_department = world.other_department
    world.milestone.save()
    response = confirm(client, preview)
    assert response.status_code == 302
    assert Report.objects.count() == 0
