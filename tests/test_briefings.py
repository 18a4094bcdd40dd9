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
