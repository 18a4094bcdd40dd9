"""The department workbook in headless Chromium: download it, fill it (openpyxl, as Excel
would), upload it, read the preview, confirm; the reports wait in the review queue."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from openpyxl import load_workbook

from goals.accounts.permissions import OFFICIAL, ensure_roles
from goals.models import AuditEntry, Department, Report, Target
from goals.workbooks import department as workbook
from tests.builders import make_user
from tests.test_browser_staff import sign_in

pytestmark = pytest.mark.browser

CODES = ["P1.3", "P4.3"]  # 新增托位 200 个, 新建社区食堂不少于 10 家


@pytest.fixture
def official(seeded_live):
    ensure_roles()
    department = Department.objects.get(name="遥观镇")
    Target.objects.filter(plan=seeded_live, code__in=CODES).update(lead_department=department)
    user = make_user("yaoguan", password="Yaoguan-2024!", first_name="遥观填报员")
    user.groups.add(Group.objects.get(name=OFFICIAL))
    department.members.add(user)
    return user


def test_an_official_fills_the_workbook_and_confirms_the_preview(official, live_server, page, axe, tmp_path):
    base = live_server.url
    sign_in(page, base, "yaoguan", "Yaoguan-2024!")
    page.goto(base + reverse("workbook"))
    axe(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="下载遥观镇的填报表").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / "filled.xlsx"
    download.save_as(path)

    wb = load_workbook(path)
    ws = wb.active
    columns = {key: index for index, key in enumerate(workbook.KEYS, 1)}
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    assert set(rows) == set(CODES)
    ws.cell(rows["P1.3"], columns["value"], 120)
    ws.cell(rows["P1.3"], columns["as_of"], "2024-06-30")
    ws.cell(rows["P1.3"], columns["next_steps"], "七月新增两处托育点")
    ws.cell(rows["P4.3"], columns["value"], 6)
    ws.cell(rows["P4.3"], columns["as_of"], "2024-06-30")
    out = io.BytesIO()
    wb.save(out)
    path.write_bytes(out.getvalue())

    page.get_by_label("填好的工作簿(.xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="上传并预览").click()
    page.get_by_role("button", name="确认提交").wait_for()
    preview = page.locator("table.workbook-preview").inner_text()
    assert "120个" in preview and "6家" in preview and "首次填报" in preview
    assert "七月新增两处托育点" in preview
    assert Report.objects.count() == 0
    axe(page)

    page.get_by_role("button", name="确认提交").click()
    page.wait_for_url(
        lambda url: url.endswith(reverse("workspace") + "?year=2024")
    )  # back to the year worked on
    assert "已提交 2 条进度报告" in page.locator(".messages").inner_text()
    reports = Report.objects.filter(state=Report.State.SUBMITTED).order_by("target__code")
    assert [(r.target.code, int(r.value)) for r in reports] == [("P1.3", 120), ("P4.3", 6)]
    assert AuditEntry.objects.filter(action="submit", changes__workbook__name="filled.xlsx").count() == 2
