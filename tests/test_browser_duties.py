"""The duties workbook (分工方案) in headless Chromium, as a district's 督查室 uses it: an admin
downloads the plan's duties from the admin, fills lead units, co-units, leaders and contacts
(openpyxl, as Excel would), uploads it, reads the preview, confirms; the targets are
assigned, each change is in the audit trail, and the public target page names the leader.
Then the 分管领导 signs in and finds the targets in their workspace."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from goals.models import AuditEntry, Leader, Target
from tests.builders import make_user
from tests.test_browser_staff import sign_in

pytestmark = pytest.mark.browser

ASSIGN = {
    "P1.3": ("遥观镇", "横林镇、丁堰街道", "王某某", "张三", "0519-8888 1234"),
    "P4.1": ("潞城街道", None, "王某某", None, None),
    "P8.1": ("横林镇", None, "李某某", "李四", "13800001111"),
}


@pytest.fixture
def office(seeded_live, live_server):
    make_user("duchashi", password="Ducha-2024-admin!", is_staff=True, is_superuser=True)
    leader = make_user("wang", password="Wang-2024-leader!", first_name="王某某")
    Leader.objects.create(name="王某某", title="管委会副主任", user=leader)
    Leader.objects.create(name="李某某", title="管委会副主任")
    return live_server


def test_the_office_assigns_duties_by_workbook(office, page, axe, tmp_path):
    base = office.url
    sign_in(page, base, "duchashi", "Ducha-2024-admin!")
    page.goto(base + reverse("admin:goals_plan_changelist"))
    page.get_by_role("link", name="分工方案").first.click()
    page.wait_for_url(lambda url: url.endswith(reverse("admin:goals_plan_duties", args=[2024])))
    axe(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="下载分工方案(.xlsx)").click()
    download = info.value
    assert download.suggested_filename == "2024-分工方案.xlsx"
    path = tmp_path / "duties.xlsx"
    download.save_as(path)

    wb = load_workbook(path)
    ws = wb.active
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    for code, values in ASSIGN.items():
        for column, value in enumerate(values, 3):
            ws.cell(rows[code], column, value)
    out = io.BytesIO()
    wb.save(out)
    path.write_bytes(out.getvalue())

    page.get_by_label("分工方案工作簿(.xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="上传并预览").click()
    page.get_by_role("button", name="确认导入").wait_for()
    preview = page.locator("#duties-preview").inner_text()
    assert "3 个目标将调整分工" in page.locator("#content").inner_text()
    assert "遥观镇" in preview and "王某某(管委会副主任)" in preview and "李四 13800001111" in preview
    assert not Target.objects.filter(lead_department__isnull=False).exists()
    axe(page)

    page.get_by_role("button", name="确认导入").click()
    page.get_by_text("已导入分工方案:3 个目标调整了分工。").wait_for()
    target = Target.objects.get(plan=office_plan(), code="P1.3")
    assert target.lead_department.name == "遥观镇" and target.leader.name == "王某某"
    assert sorted(target.co_departments.values_list("name", flat=True)) == ["丁堰街道", "横林镇"]
    assert target.contact_phone == "0519-8888 1234"
    assert (
        AuditEntry.objects.filter(action=AuditEntry.Action.ASSIGN, changes__by="分工方案工作簿").count() == 3
    )

    page.goto(base + reverse("target", args=["P1.3"]))
    facts = page.locator("main").inner_text()
    assert "分管领导" in facts and "王某某(管委会副主任)" in facts and "0519-8888 1234" not in facts

    page.context.clear_cookies()
    sign_in(page, base, "wang", "Wang-2024-leader!")
    page.goto(base + reverse("workspace"))
    page.wait_for_url(lambda url: url.endswith(reverse("leader_workspace")))
    table = page.locator("#leader-targets").inner_text()
    assert "P1.3" in table and "P4.1" in table and "P8.1" not in table and "张三" in table
    axe(page)


def office_plan():
    return Target.objects.values_list("plan", flat=True).first()
