"""The briefing (督查通报): contents as of a day, PDF with extractable Chinese, A4 xlsx,
the command, the staff download and the public version without internal notes."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from goals.briefings import build as briefings
from goals.models import Department, Target
from goals.rules.progress import Light
from tests.builders import approved, make_user
from tests.personas import as_user

DAY = datetime.date(2024, 6, 30)


@pytest.fixture
def briefed(seeded):
    """The seed with three departments' targets and reports: one red, one yellow, one done."""
    reviewer = make_user("briefing-reviewer")
    towns = {d.name: d for d in Department.objects.all()}
    assign = {"P1.3": "遥观镇", "P4.3": "横林镇", "P7.2": "横林镇", "P9.1": "潞城街道"}
    for code, name in assign.items():
        Target.objects.filter(plan=seeded, code=code).update(lead_department=towns[name])
    # P1.3 新增托位200个: 10 by June → red; P4.3 社区食堂 ≥10: 3 → yellow (30 %, 50 % expected)
    approved(
        _t("P1.3"),
        10,
        datetime.date(2024, 5, 31),
        reviewer=reviewer,
        note="选址未定",
        next_steps="七月开工两处",
    )
    approved(_t("P4.3"), 3, datetime.date(2024, 6, 20), reviewer=reviewer, note="内部说明不公开")
    # P7.2 培训3000人次: done in June (not done at the end of May)
    approved(_t("P7.2"), 1000, datetime.date(2024, 5, 31), reviewer=reviewer)
    approved(_t("P7.2"), 3100, datetime.date(2024, 6, 25), reviewer=reviewer)
    return seeded


def _t(code: str) -> Target:
    return Target.objects.get(plan__year=2024, code=code)


def test_it_holds_lights_departments_attention_and_changes(briefed):
    briefing = briefings.build(briefed, DAY)
    assert briefing.previous_day == datetime.date(2024, 5, 31)
    names = [row.department.name for row in briefing.departments]
    assert names == ["横林镇", "遥观镇", "潞城街道"]
    red = {item.target.code: item for item in briefing.red}
    assert red["P1.3"].note == "选址未定" and red["P1.3"].next_steps == "七月开工两处"
    assert red["P1.3"].required == "32个/月"  # (200 − 10) ÷ the months left after June 30: 31.43, rounded up
    assert [item.target.code for item in briefing.yellow] == ["P4.3"]
    assert [item.target.code for item in briefing.newly_done] == ["P7.2"]
    assert "P1.3" not in {item.target.code for item in briefing.newly_red}  # already red in May
    assert briefing.total == Target.objects.filter(plan=briefed, parent=None).count()
    assert briefing.lights[Light.RED] == len(briefing.red)


def test_the_pdf_holds_the_departments_and_red_targets_as_text(briefed):
    pdf = briefings.to_pdf(briefings.build(briefed, DAY))
    assert pdf.startswith(b"%PDF")
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
    assert "2024年工作目标督查通报" in text
    for name in ("横林镇", "遥观镇", "潞城街道", "新增托位", "选址未定", "七月开工两处"):
        assert name in text, name


def test_the_xlsx_is_laid_out_for_a4_landscape(briefed):
    wb = load_workbook(io.BytesIO(briefings.to_xlsx(briefings.build(briefed, DAY))))
    ws = wb.active
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert "横林镇" in cells and "选址未定" in cells and "P1.3" in cells and "新完成" in cells


def test_the_command_writes_either_format(briefed, tmp_path):
    for kind in ("pdf", "xlsx"):
        path = tmp_path / f"out.{kind}"
        call_command("briefing", str(path), "--as-of", "2024-06-30", "--format", kind, stdout=io.StringIO())
        assert path.stat().st_size > 1000
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")


def test_staff_download_it_and_residents_read_it_without_notes(briefed, client):
    official = make_user("briefing-official")
    from goals.accounts.permissions import OFFICIAL, ensure_roles

    ensure_roles()
    from django.contrib.auth.models import Group

    official.groups.add(Group.objects.get(name=OFFICIAL))
    staff = as_user(official)
    response = staff.get(reverse("staff_briefing"), {"as_of": "2024-06-30", "format": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    page = staff.get(reverse("staff_briefing"), {"as_of": "2024-06-30"}).content.decode()
    assert "选址未定" in page

    public = client.get(reverse("briefing"), {"as_of": "2024-06-30"})
    html = public.content.decode()
    assert public.status_code == 200 and "公示" in html and "新增托位" in html
    assert "选址未定" not in html and "内部说明不公开" not in html and "七月开工两处" not in html
    assert "csrfmiddlewaretoken" not in html
    assert as_user(None).get(reverse("staff_briefing")).status_code == 302


# --- by project and action, one as-of day, the pages' verdicts (issue 18) -----------------------


def test_it_has_a_part_per_project_and_action_with_all_their_targets(briefed):
    from goals.tracking.evaluation import evaluate_plan

    briefing = briefings.build(briefed, DAY)
    result = evaluate_plan(briefed, DAY)
    assert [p.code for p in briefing.projects] == [r.code for r in result.projects]
    assert [a.code for a in briefing.actions] == [r.code for r in result.actions if not r.is_empty]
    p1 = next(p for p in briefing.projects if p.code == "P1")
    rollup = next(r for r in result.projects if r.code == "P1")
    assert p1.percent == f"{rollup.percent_display}%" and p1.lights == rollup.lights
    assert [item.target.code for item in p1.items] == [tp.target.code for tp in rollup.targets]
    for item in p1.items:
        tp = result.targets[item.target.pk]
        assert (item.tp.status, item.tp.light) == (tp.status, tp.light)
    # Every top-level target is in exactly one part.
    codes = [item.target.code for part in [*briefing.projects, *briefing.actions] for item in part.items]
    loose = sum(len(m.targets) for pillar in result.pillars for m in pillar.parts if m.kind == "measure")
    assert len(codes) == len(set(codes)) == briefing.total - loose


def test_the_parts_are_in_the_pdf_and_the_xlsx(briefed):
    briefing = briefings.build(briefed, DAY)
    pdf = briefings.to_pdf(briefing)
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
    assert "四、十大民生实事逐项情况" in text and "五、七大行动逐项情况" in text
    assert "评估日期" not in text and text.count("截至2024-06-30") >= 1
    ws = load_workbook(io.BytesIO(briefings.to_xlsx(briefing))).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert [r[0] for r in rows if r[0] == "四、十大民生实事逐项情况"] == ["四、十大民生实事逐项情况"]
    p13 = [r for r in rows if r[0] == "P1.3" and r[8] in ("红灯", "黄灯", "绿灯", "灰灯")]
    assert [(r[6], r[7], r[8]) for r in p13] == [("5.0%", "进度滞后", "红灯")]


def test_the_public_notice_states_one_day_and_after_the_year_the_pages_verdicts(briefed, client, today):
    from goals.tracking.evaluation import evaluate_plan

    today(datetime.date(2025, 3, 1))
    html = client.get(reverse("briefing")).content.decode()
    # After the year the notice is as of the day the pages show, not a December day beside it.
    assert "截至 2025-03-01" in html and "评估日期" not in html and "截至 2024-12-31" not in html
    result = evaluate_plan(briefed, datetime.date(2025, 3, 1))
    rows = re.findall(r'<tr data-code="([^"]+)" data-status="([^"]+)" data-light="([^"]+)">', html)
    assert len(rows) > 100
    for code, status, light in rows:
        tp = next(tp for tp in result.targets.values() if tp.target.code == code)
        assert (status, light) == (tp.status, tp.light), code
    # While the year runs the monthly notice is as of the last month's end, and says so once.
    today(datetime.date(2024, 7, 10))
    html = client.get(reverse("briefing")).content.decode()
    assert "截至 2024-06-30" in html and "评估日期" not in html and "2024-07-10" not in html.split("</h1>")[0]


def test_the_command_picks_the_plan_from_the_day(briefed, tmp_path):
    out = io.StringIO()
    call_command(
        "briefing", str(tmp_path / "b.xlsx"), "--as-of", "2025-01-15", "--format", "xlsx", stdout=out
    )
    assert "2024 年工作目标督查通报(截至 2025-01-15)" in out.getvalue()
    ws = load_workbook(tmp_path / "b.xlsx").active
    assert ws.cell(1, 1).value == "2024 年工作目标督查通报(截至 2025-01-15)"
    with pytest.raises(Exception, match="2023"):
        call_command("briefing", str(tmp_path / "c.xlsx"), "--as-of", "2023-06-30", stdout=io.StringIO())


def test_a_plan_for_a_day_is_that_years_and_in_january_the_year_before(briefed):
    from goals.planning.publication import plan_for_day
    from tests.builders import make_plan

    assert plan_for_day(datetime.date(2025, 1, 15)) == briefed
    assert plan_for_day(datetime.date(2024, 1, 15)) == briefed  # no 2023 plan: its own
    later = make_plan(2025)
    assert plan_for_day(datetime.date(2025, 1, 31)) == briefed
    assert plan_for_day(datetime.date(2025, 2, 1)) == later
    assert plan_for_day(datetime.date(2023, 12, 31)) is None
    assert plan_for_day(datetime.date(9001, 3, 1)) is None
