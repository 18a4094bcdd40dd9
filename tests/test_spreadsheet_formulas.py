"""Text that looks like a formula stays text in every file the app writes: the department
workbook, the plan workbook and the briefing (no cell is a formula), the open-data CSV files
(a leading quote before = + - @ tab and carriage return); and a note typed like a formula is
accepted as text, alike from the report form and from the department workbook."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from goals.briefings import build as briefings
from goals.models import Plan, Report, Target
from goals.public import opendata
from goals.reporting import services
from goals.workbooks import department as workbook
from goals.workbooks import plan as plan_workbook
from goals.workbooks import plan_import
from tests.builders import make_user, report_form_data
from tests.personas import as_user

LINK = '=HYPERLINK("http://x.example","y")'
CALC = "+cmd|' /C calc'!A0"
COL = {key: index for index, key in enumerate(workbook.KEYS, 1)}


def formulas(data: bytes) -> list[str]:
    """Every formula cell of an .xlsx, as sheet!cell (read back as Excel would)."""
    wb = load_workbook(io.BytesIO(data))
    return [
        f"{ws.title}!{c.coordinate}"
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    ]


def texts(data: bytes) -> set[str]:
    wb = load_workbook(io.BytesIO(data))
    return {
        c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)
    }


def test_the_department_workbook_writes_a_formula_like_name_as_text_and_reads_it_back(world, official_own):
    world.own_target.name = LINK
    world.own_target.save()
    client = as_user(official_own)
    data = client.get(reverse("workbook_download"), {"department": world.own_department.pk}).content
    assert formulas(data) == []
    assert LINK in texts(data)

    # The official types a note that starts with "=" as text (Excel: '=…): accepted, stored as typed.
    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    ws.cell(2, COL["value"], 120)
    ws.cell(2, COL["as_of"], "2023-06-30")
    note = ws.cell(2, COL["note"], CALC)
    ws.cell(2, COL["next_steps"], LINK).data_type = "s"
    assert note.data_type == "s"
    out = io.BytesIO()
    wb.save(out)
    preview = client.post(
        reverse("workbook_upload"),
        {"department": world.own_department.pk, "file": SimpleUploadedFile("x.xlsx", out.getvalue())},
    )
    assert preview.status_code == 200, preview.content.decode()[:2000]
    client.post(reverse("workbook_confirm"), {"digest": preview.context["digest"]})
    report = Report.objects.get()
    assert (report.note, report.next_steps) == (CALC, LINK)


def test_a_formula_in_the_note_column_is_still_refused(world, official_own):
    client = as_user(official_own)
    data = client.get(reverse("workbook_download"), {"department": world.own_department.pk}).content
    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    ws.cell(2, COL["value"], 120)
    ws.cell(2, COL["as_of"], "2023-06-30")
    ws.cell(2, COL["note"], LINK)  # openpyxl stores it as a formula, as Excel would
    out = io.BytesIO()
    wb.save(out)
    response = client.post(
        reverse("workbook_upload"),
        {"department": world.own_department.pk, "file": SimpleUploadedFile("x.xlsx", out.getvalue())},
    )
    assert response.status_code == 422 and "第 2 行「说明」(L 列):含有公式" in response.content.decode()
    assert Report.objects.count() == 0


def test_a_note_from_the_report_form_is_stored_as_typed_and_the_briefing_keeps_it_text(world, official_own):
    world.own_target.name = "=1+1"
    world.own_target.save()
    target = world.own_target
    response = as_user(official_own).post(
        reverse("report_target", args=[target.code]),
        report_form_data(target, "10", note=LINK, next_steps="@SUM(1)"),
    )
    assert response.status_code in (200, 302)
    report = Report.objects.get()
    assert (report.note, report.next_steps) == (LINK, "@SUM(1)")
    services.approve_report(report=report, reviewer=make_user("formula-reviewer"))

    data = briefings.to_xlsx(briefings.build(world.plan, datetime.date(2023, 6, 30)))
    assert formulas(data) == []
    assert {LINK, "@SUM(1)", "=1+1"} <= texts(data)


def test_the_plan_workbook_writes_formula_like_text_as_text_and_imports_it_as_typed(world):
    Target.objects.filter(pk=world.own_target.pk).update(name=LINK, wording="=SUM(A1:A9)")
    data = plan_workbook.export(world.plan)
    assert formulas(data) == []
    assert {LINK, "=SUM(A1:A9)"} <= texts(data)
    plan_import.import_plan(data, year=2030)
    copied = Target.objects.get(plan=Plan.objects.get(year=2030), code=world.own_target.code)
    assert (copied.name, copied.wording) == (LINK, "=SUM(A1:A9)")


HOSTILE = [LINK, CALC, "@SUM(1)", "-2+3", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_the_reports_csv_quotes_text_a_spreadsheet_would_run(client, publish, seeded, text):
    publish("P4.1", 10450, datetime.date(2024, 6, 30), note=text, next_steps=text)
    response = client.get(reverse("data_reports_csv", args=[2024]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert (rows[0]["note"], rows[0]["next_steps"]) == ("'" + text, "'" + text)
    assert rows[0]["value"] == "10450"


def test_the_targets_csv_quotes_a_formula_like_name(client, seeded):
    Target.objects.filter(plan=seeded, code="P4.1").update(name=CALC, wording="=1+1")
    response = client.get(reverse("data_targets_csv", args=[2024]), {"as_of": "2024-08-01"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    row = next(r for r in rows if r["code"] == "P4.1")
    assert (row["name"], row["wording"]) == ("'" + CALC, "'=1+1")
    assert not any(value.startswith(("=", "+", "-", "@")) for r in rows for value in r.values())


def test_numbers_are_never_quoted_even_negative_ones():
    assert opendata.csv_cell(opendata.Decimal("-5.5")) == "-5.5"
    assert opendata.csv_cell(-3) == "-3"
    assert opendata.csv_cell("-3") == "'-3"  # text is text
    assert opendata.csv_cell("正常的说明 = 1") == "正常的说明 = 1"


def test_every_workbook_the_app_writes_is_saved_through_workbook_bytes():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "goals"
    writers = [path for path in root.rglob("*.py") if "Workbook()" in path.read_text(encoding="utf-8")]
    assert writers, "no workbook writer found: the test looks in the wrong place"
    for path in writers:
        source = path.read_text(encoding="utf-8")
        assert "workbook_bytes(" in source and ".save(" not in source, path
