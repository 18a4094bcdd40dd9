"""The staff workflow in headless Chromium: an official reports inline, a reviewer approves,
the public target page shows the new figure. Plus axe-core on the staff pages and a phone width."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from goals.accounts.permissions import OFFICIAL, REVIEWER, ensure_roles
from goals.models import Department, Report, Target
from goals.reporting import services
from tests.builders import make_user

pytestmark = pytest.mark.browser

CODE = "P1.3"  # 新增托位 200 个


@pytest.fixture
def people(seeded_live):
    ensure_roles()  # transactional tests flush the groups the migration made
    target = Target.objects.get(plan=seeded_live, code=CODE)
    department = Department.objects.get(name="遥观镇")
    Target.objects.filter(pk=target.pk).update(lead_department=department)
    official = make_user("yaoguan", password="Yaoguan-2024!", first_name="遥观填报员")
    official.groups.add(Group.objects.get(name=OFFICIAL))
    department.members.add(official)
    reviewer = make_user("shenhe", password="Shenhe-2024!", first_name="审核员")
    reviewer.groups.add(Group.objects.get(name=REVIEWER))
    return target


def sign_in(page, base: str, username: str, password: str) -> None:
    response = page.goto(base + reverse("login"))
    assert response is not None and response.status == 200, response and response.status
    if page.get_by_label("用户名").count() == 0:  # say what came instead of the sign-in form
        pytest.fail(f"no sign-in form at {page.url}:\n{page.locator('body').inner_text()[:2000]}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def test_it_takes_a_report_from_an_official_through_review_to_the_public_page(
    people, live_server, page, browser, axe
):
    target = people
    base = live_server.url
    sign_in(page, base, "yaoguan", "Yaoguan-2024!")
    assert page.url.endswith(reverse("workspace"))
    axe(page)

    row = page.locator(f"#target-{target.pk}")
    row.get_by_text(f"填报 {CODE} 的进度").click()
    value = page.locator(f"#id_t{target.pk}-value")
    page.evaluate("() => { window.__sameDocument = true }")  # gone if the page reloads

    value.fill("abc")
    row.get_by_role("button", name="提交审核").click()
    error = page.locator(f"#id_t{target.pk}-value_error")
    error.wait_for()
    assert "请输入数字" in error.inner_text()
    assert value.get_attribute("aria-invalid") == "true"
    assert page.evaluate("() => window.__sameDocument === true")
    assert page.evaluate("() => document.activeElement.id") == f"id_t{target.pk}-value"
    assert Report.objects.count() == 0

    value.fill("150")
    row.get_by_role("button", name="提交审核").click()
    page.locator(f"#target-{target.pk} .row-message.message-success").wait_for()
    assert "已提交 P1.3 的进度(150个" in row.inner_text()
    assert "待审核" in row.inner_text()
    assert page.evaluate("() => window.__sameDocument === true")
    report = Report.objects.get()
    assert (report.value, report.state) == (150, Report.State.SUBMITTED)

    reviewer_context = browser.new_context(locale="zh-CN")
    try:
        queue = reviewer_context.new_page()
        sign_in(queue, base, "shenhe", "Shenhe-2024!")
        queue.goto(base + reverse("review_queue"))
        axe(queue)
        item = queue.locator(f"#report-{report.pk}")
        assert "150个" in item.inner_text()
        item.get_by_role("button", name="通过").click()
        queue.get_by_text("已通过 P1.3 的报告").wait_for()
    finally:
        reviewer_context.close()
    assert Report.objects.get().state == Report.State.APPROVED

    page.goto(base + reverse("target", args=[CODE]))
    assert "150个" in page.locator("main").inner_text()


def test_it_fits_a_phone_and_shows_rows_as_cards(people, live_server, page, axe):
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, live_server.url, "yaoguan", "Yaoguan-2024!")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    row = page.locator(f"#target-{people.pk}")
    assert row.evaluate("el => getComputedStyle(el).display") == "block"
    row.get_by_text(f"填报 {CODE} 的进度").click()
    assert page.locator(f"#id_t{people.pk}-value").is_visible()
    axe(page)


def test_a_reader_sees_an_approval_on_their_next_page_load(people, live_server, browser, settings):
    """The reader had the page before the approval; following a link back shows the new figure
    (public pages are revalidated on every visit, never reused stale from the browser's cache)."""
    target = people
    base = live_server.url
    reader_context = browser.new_context(locale="zh-CN")
    try:
        reader = reader_context.new_page()
        reader.goto(base + reverse("target", args=[CODE]))
        assert "150个" not in reader.locator("main").inner_text()
        first = reader.evaluate("() => performance.getEntriesByType('navigation')[0].transferSize")
        assert first > 0

        report = services.submit_report(
            target=target,
            value=150,
            as_of=datetime.date(2024, 6, 30),
            author=User.objects.get(username="yaoguan"),
        )
        staff = browser.new_context(locale="zh-CN")
        try:
            queue = staff.new_page()
            sign_in(queue, base, "shenhe", "Shenhe-2024!")
            queue.goto(base + reverse("review_queue"))
            queue.locator(f"#report-{report.pk}").get_by_role("button", name="通过").click()
            queue.get_by_text("已通过 P1.3 的报告").wait_for()
        finally:
            staff.close()

        reader.goto(base + reverse("project", args=["P1"]))
        reader.locator(f"a[href='{reverse('target', args=[CODE])}']").first.click()
        reader.wait_for_url(lambda url: url.endswith(reverse("target", args=[CODE])))
        assert "150个" in reader.locator("main").inner_text()
    finally:
        reader_context.close()


def test_the_queue_count_follows_each_approval_and_return(people, live_server, page):
    official = Department.objects.get(name="遥观镇").members.get()
    other = Target.objects.get(plan=people.plan, code="P1.4")
    first = services.submit_report(
        target=people, value=Decimal(120), as_of=datetime.date(2024, 6, 30), author=official
    )
    second = services.submit_report(
        target=other, value=Decimal(4), as_of=datetime.date(2024, 6, 30), author=official
    )
    sign_in(page, live_server.url, "shenhe", "Shenhe-2024!")
    page.goto(live_server.url + reverse("review_queue"))
    count = page.locator("#queue-count")
    assert "共 2 份待审核" in count.inner_text()

    page.locator(f"#report-{first.pk}").get_by_role("button", name="通过").click()
    page.get_by_text("已通过 P1.3 的报告").wait_for()
    page.wait_for_function(
        "() => document.querySelector('#queue-count').textContent.includes('共 1 份待审核')"
    )

    item = page.locator(f"#report-{second.pk}")
    item.get_by_label("退回理由").fill("请补充佐证材料")
    item.get_by_role("button", name="退回").click()
    page.get_by_text("已退回 P1.4 的报告").wait_for()
    page.wait_for_function(
        "() => document.querySelector('#queue-count').textContent.includes('没有待审核的报告')"
    )
    assert page.get_by_role("button", name="批量通过所选报告").count() == 0


@pytest.mark.parametrize("lost", ["all cookies", "the CSRF cookie"])
def test_a_lost_session_says_so_and_keeps_the_input(people, live_server, page, lost):
    target = people
    sign_in(page, live_server.url, "yaoguan", "Yaoguan-2024!")
    row = page.locator(f"#target-{target.pk}")
    row.get_by_text(f"填报 {CODE} 的进度").click()
    value = page.locator(f"#id_t{target.pk}-value")
    value.fill("150")
    if lost == "all cookies":
        page.context.clear_cookies()
    else:
        kept = [c for c in page.context.cookies() if c["name"] != "csrftoken"]
        page.context.clear_cookies()
        page.context.add_cookies(kept)
    row.get_by_role("button", name="提交审核").click()
    alert = page.locator("#staff-alert")
    alert.wait_for()
    text = alert.inner_text()
    assert "内容尚未提交" in text and "仍在表单中" in text, text
    assert "刷新" not in text, text
    assert value.input_value() == "150"
    assert Report.objects.count() == 0
    if lost == "the CSRF cookie":  # still signed in: a second click goes through
        page.wait_for_function("() => document.cookie.includes('csrftoken=')")
        row.get_by_role("button", name="提交审核").click()
        page.locator(f"#target-{target.pk} .row-message.message-success").wait_for()
        assert Report.objects.count() == 1


def test_a_doubtful_figure_is_confirmed_inline_and_the_staff_pages_pass_axe(people, live_server, page, axe):
    """A value over twice the target asks for a confirmation in place (htmx), then goes through."""
    target = people
    base = live_server.url
    sign_in(page, base, "yaoguan", "Yaoguan-2024!")
    row = page.locator(f"#target-{target.pk}")
    row.get_by_text(f"填报 {CODE} 的进度").click()
    page.evaluate("() => { window.__sameDocument = true }")
    page.locator(f"#id_t{target.pk}-value").fill("450")
    row.get_by_role("button", name="提交审核").click()
    confirm = page.locator(f"#id_t{target.pk}-confirm")
    confirm.wait_for()
    assert "数据看起来有异常" in row.inner_text() and "超过目标值的 2 倍" in row.inner_text()
    assert page.evaluate("() => window.__sameDocument") is True
    axe(page)
    assert not Report.objects.exists()
    confirm.check()
    page.locator(f"#id_t{target.pk}-note").fill("含上年结转的托位")
    row.get_by_role("button", name="提交审核").click()
    row.get_by_text("等待审核").wait_for()
    assert Report.objects.get().plausibility_flags == ["overshoot"]
    for name in ("staff_league", "reminder_preferences"):
        page.goto(base + reverse(name))
        axe(page)
