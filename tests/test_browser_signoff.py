"""The sign-off chain in headless Chromium, as a district's 督查室 runs it: the admin assigns a
target to 遥观镇 with the duties workbook (分工方案: download, fill 牵头单位 with openpyxl,
upload, preview, confirm) and turns the chain on for the plan; the town's official reports;
the town's head (部门负责人) returns it once with a reason; the official corrects it; the head
confirms; the reviewer approves; only then does the figure appear on the public target page."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from openpyxl import load_workbook

from goals.accounts.permissions import HEAD, OFFICIAL, REVIEWER, ensure_roles
from goals.models import AuditEntry, Department, Plan, Report, Target
from tests.builders import make_user
from tests.test_browser_staff import sign_in

pytestmark = pytest.mark.browser

CODE = "P1.3"  # 新增托位 200 个


@pytest.fixture
def office(seeded_live, live_server):
    ensure_roles()  # transactional tests flush the groups the migration made
    town = Department.objects.get(name="遥观镇")
    make_user("duchashi", password="Ducha-2024-admin!", is_staff=True, is_superuser=True)
    people = {
        "official": ("yaoguan", "Yaoguan-2024!", "遥观填报员", OFFICIAL),
        "head": ("yaoguan-head", "Head-2024-yaoguan!", "遥观负责人", HEAD),
        "reviewer": ("shenhe", "Shenhe-2024!", "审核员", REVIEWER),
    }
    for username, password, name, role in people.values():
        user = make_user(username, password=password, first_name=name)
        user.groups.add(Group.objects.get(name=role))
        if role != REVIEWER:
            town.members.add(user)
    return live_server


def as_(page, base, username, password):
    page.context.clear_cookies()
    sign_in(page, base, username, password)


def test_the_office_assigns_duties_then_a_report_goes_official_head_reviewer(office, page, axe, tmp_path):
    base = office.url
    plan = Plan.objects.get(year=2024)

    # 1. The admin assigns P1.3 to 遥观镇 by the duties workbook.
    sign_in(page, base, "duchashi", "Ducha-2024-admin!")
    page.goto(base + reverse("admin:goals_plan_duties", args=[2024]))
    with page.expect_download() as info:
        page.get_by_role("link", name="下载分工方案(.xlsx)").click()
    path = tmp_path / "duties.xlsx"
    info.value.save_as(path)
    workbook = load_workbook(path)
    sheet = workbook.active
    rows = {sheet.cell(r, 1).value: r for r in range(2, sheet.max_row + 1)}
    sheet.cell(rows[CODE], 3, "遥观镇")  # 牵头单位
    out = io.BytesIO()
    workbook.save(out)
    path.write_bytes(out.getvalue())
    page.get_by_label("分工方案工作簿(.xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="上传并预览").click()
    page.get_by_role("button", name="确认导入").wait_for()
    assert "1 个目标将调整分工" in page.locator("#content").inner_text()
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text("已导入分工方案:1 个目标调整了分工。").wait_for()
    target = Target.objects.get(plan=plan, code=CODE)
    assert target.lead_department.name == "遥观镇"

    # 2. … and turns the sign-off chain on for the plan (audited).
    page.goto(base + reverse("admin:goals_plan_change", args=[plan.pk]))
    page.get_by_label("须部门负责人确认").check()
    page.locator("input[name='_save']").click()
    page.wait_for_url(lambda url: url.endswith(reverse("admin:goals_plan_changelist")))
    plan.refresh_from_db()
    assert plan.requires_head_confirmation
    assert AuditEntry.objects.filter(changes__requires_head_confirmation=[False, True]).exists()

    # 3. The official reports: it waits for the head.
    as_(page, base, "yaoguan", "Yaoguan-2024!")
    row = page.locator(f"#target-{target.pk}")
    row.get_by_text(f"填报 {CODE} 的进度").click()
    page.locator(f"#id_t{target.pk}-value").fill("150")
    row.get_by_role("button", name="提交审核").click()
    page.locator(f"#target-{target.pk} .row-message.message-success").wait_for()
    assert "等待部门负责人确认" in row.inner_text() and "待部门确认" in row.inner_text()
    first = Report.objects.get()
    assert first.state == Report.State.CONFIRMING

    # 4. The head finds it in 待我确认 and returns it with a reason.
    as_(page, base, "yaoguan-head", "Head-2024-yaoguan!")
    page.goto(base + reverse("workspace"))
    page.wait_for_url(lambda url: url.endswith(reverse("confirm_queue")))
    axe(page)
    item = page.locator(f"#report-{first.pk}")
    assert "150个" in item.inner_text() and "遥观填报员" in item.inner_text()
    item.get_by_label("退回理由").fill("请补充托位验收照片")
    item.get_by_role("button", name="退回").click()
    page.get_by_text("已退回 P1.3 的报告").wait_for()
    assert Report.objects.get(pk=first.pk).state == Report.State.RETURNED

    # 5. The official sees who returned it and why, and corrects it.
    as_(page, base, "yaoguan", "Yaoguan-2024!")
    row = page.locator(f"#target-{target.pk}")
    assert "部门负责人 遥观负责人 退回" in row.inner_text() and "请补充托位验收照片" in row.inner_text()
    row.get_by_role("link", name=f"更正并重新提交 {CODE}").click()
    value = page.locator(f"#id_t{target.pk}-value")
    value.wait_for()
    value.fill("160")
    page.locator(f"#target-{target.pk}").get_by_role("button", name="重新提交").click()
    page.get_by_text("等待部门负责人确认").first.wait_for()
    second = Report.objects.exclude(pk=first.pk).get()
    assert (second.state, second.revises_id, second.value) == (Report.State.CONFIRMING, first.pk, 160)

    # 6. The head confirms: it goes to review, still not public.
    as_(page, base, "yaoguan-head", "Head-2024-yaoguan!")
    page.goto(base + reverse("confirm_queue"))
    page.locator(f"#report-{second.pk}").get_by_role("button", name="确认").click()
    page.get_by_text("已确认 P1.3 的报告").wait_for()
    page.goto(base + reverse("target", args=[CODE]))
    assert "160个" not in page.locator("main").inner_text()

    # 7. The reviewer sees who confirmed it and approves.
    as_(page, base, "shenhe", "Shenhe-2024!")
    page.goto(base + reverse("review_queue"))
    axe(page)
    item = page.locator(f"#report-{second.pk}")
    assert "遥观负责人" in item.inner_text() and "160个" in item.inner_text()
    item.get_by_role("button", name="通过").click()
    page.get_by_text("已通过 P1.3 的报告").wait_for()
    assert Report.objects.get(pk=second.pk).state == Report.State.APPROVED

    # 8. Now it is public.
    page.context.clear_cookies()
    page.goto(base + reverse("target", args=[CODE]))
    assert "160个" in page.locator("main").inner_text()
