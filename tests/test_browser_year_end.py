"""A year end in headless Chromium: on 2 January 2025, with 2025 already published, an
official reports December 2024; a reviewer approves it, closes the year once its grace period
is over, and the public pages of both years agree on how the target ended."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from goals.accounts.permissions import OFFICIAL, REVIEWER, ensure_roles
from goals.models import Department, FinalRecord, Plan, Report, Target
from goals.planning import carryover, states
from tests.builders import make_user

pytestmark = pytest.mark.browser

CODE = "P1.3"  # 新增托位 200 个


@pytest.fixture
def year_end(seeded_live):
    ensure_roles()
    department = Department.objects.get(name="遥观镇")
    Target.objects.filter(plan=seeded_live, code=CODE).update(lead_department=department)
    official = make_user("yaoguan", password="Yaoguan-2024!", first_name="遥观填报员")
    official.groups.add(Group.objects.get(name=OFFICIAL))
    department.members.add(official)
    reviewer = make_user("shenhe", password="Shenhe-2024!", first_name="审核员")
    reviewer.groups.add(Group.objects.get(name=REVIEWER))
    new = carryover.copy_structure(seeded_live, 2025)
    carryover.carry(seeded_live, new)
    Plan.objects.filter(pk=new.pk).update(
        title="2025 年工作计划",
        theme="2025 主题",
        adopted_on=datetime.date(2024, 12, 30),
        source="2025 年报道",
    )
    Target.objects.filter(plan=new).update(proposed_value=None)
    states.publish_plan(Plan.objects.get(pk=new.pk), actor=None)
    return Target.objects.get(plan=seeded_live, code=CODE)


def sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(base + reverse("login"))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def test_a_year_end_from_decembers_report_to_the_closed_year(year_end, live_server, page, browser, today):
    target, base = year_end, live_server.url
    today(datetime.date(2025, 1, 2))
    sign_in(page, base, "yaoguan", "Yaoguan-2024!")
    page.goto(base + reverse("workspace"))
    switcher = page.get_by_role("navigation", name="选择计划年度")
    assert switcher.get_by_role("link", name="2024").get_attribute("aria-current") == "page"
    assert switcher.get_by_role("link", name="2025").is_visible()
    row = page.locator(f"#target-{target.pk}")
    row.get_by_text(f"填报 {CODE} 的进度").click()
    page.locator(f"#id_t{target.pk}-value").fill("200")
    page.locator(f"#id_t{target.pk}-as_of").fill("2024-12-31")
    row.get_by_role("button", name="提交审核").click()
    page.locator(f"#target-{target.pk} .row-message.message-success").wait_for()
    report = Report.objects.get(author__username="yaoguan")
    assert report.target == target and report.as_of == datetime.date(2024, 12, 31)

    today(datetime.date(2025, 1, 3))
    reviewer = browser.new_context(locale="zh-CN")
    try:
        queue = reviewer.new_page()
        sign_in(queue, base, "shenhe", "Shenhe-2024!")
        queue.goto(base + reverse("review_queue"))
        queue.locator(f"#report-{report.pk}").get_by_role("button", name="通过").click()
        queue.get_by_text("已通过 P1.3 的报告").wait_for()
        assert "年度结项" not in queue.locator("main").inner_text()  # the grace period runs
    finally:
        reviewer.close()

    today(datetime.date(2025, 1, 25))
    reviewer = browser.new_context(locale="zh-CN")
    try:
        queue = reviewer.new_page()
        sign_in(queue, base, "shenhe", "Shenhe-2024!")
        queue.goto(base + reverse("review_queue"))
        queue.get_by_role("link", name="结项 2024 年计划…").click()
        queue.get_by_label("我确认 2024 年的报告已全部审核完毕", exact=False).check()
        queue.get_by_role("button", name="结项 2024 年计划").click()
        queue.get_by_text("2024 年计划已结项").first.wait_for()
    finally:
        reviewer.close()
    assert Plan.objects.get(year=2024).status == Plan.Status.CLOSED
    assert FinalRecord.objects.get(target=target).status == "done"

    page.goto(base + "/2024/targets/P1.3/")
    old = page.locator("main").inner_text()
    assert "已完成" in old and "200个" in old and "2025-01-25 存档的最终评估" in old
    page.goto(base + "/2025/targets/P1.3/")
    history = page.get_by_role("table", name="本目标在各年度计划中的情况(结转或延续)")
    row_2024 = history.locator("tr", has_text="2024").first.inner_text()
    assert "已完成" in row_2024 and "200个" in row_2024
    assert "续办" in page.locator("main").inner_text()
