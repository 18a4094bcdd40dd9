"""Residents in headless Chromium, with a real SMTP server and the real task worker: a resident
follows a target, confirms from the email, an official's report is approved and exactly one
email arrives, whose unsubscribe link works; a resident asks about a figure, confirms, the
department answers in the workspace and the answer is on the public page and in the open
data. And axe-core on the residents' pages and on public pages in 长者模式."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from goals.accounts.permissions import OFFICIAL, REVIEWER, ensure_roles
from goals.models import Department, Follow, Question, Target
from tests.builders import make_user
from tests.test_browser_staff import sign_in
from tests.test_reminders import smtp, text_of  # noqa: F401 (smtp: a fixture)

pytestmark = pytest.mark.browser
CODE = "P4.1"


@pytest.fixture
def town(seeded_live, live_server, smtp, settings):  # noqa: F811
    """遥观镇 leads P4.1 and has an official; a reviewer; email links point at the live server."""
    settings.SITE_URL = live_server.url
    ensure_roles()
    unit = Department.objects.get(name="遥观镇")
    Target.objects.filter(plan=seeded_live, code=CODE).update(lead_department=unit)
    official = make_user("yaoguan", password="Yaoguan-2024!", first_name="遥观填报员")
    official.groups.add(Group.objects.get(name=OFFICIAL))
    unit.members.add(official)
    reviewer = make_user("shenhe", password="Shenhe-2024!", first_name="审核员")
    reviewer.groups.add(Group.objects.get(name=REVIEWER))
    return {"server": live_server, "inbox": smtp, "official": official, "reviewer": reviewer}


def worker() -> None:
    """What `manage.py db_worker` does in production: run the enqueued emails."""
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())


def link(message, part: str) -> str:
    return next(u for u in re.findall(r"https?://[^\s<>\"]+", text_of(message)) if part in u)


def test_a_resident_follows_confirms_and_hears_once_of_an_approval(town, page, browser, axe):
    base, inbox = town["server"].url, town["inbox"]
    page.goto(base + reverse("target", args=[CODE]))
    page.locator(".take-part a", has_text="关注").first.click()
    page.wait_for_url(re.compile(r".*/follow/target/P4\.1/\?year=2024$"))
    axe(page)
    page.get_by_label("邮箱").fill("resident@example.org")
    page.get_by_text("发送确认邮件").click()
    page.wait_for_url(re.compile(r".*/follow/sent/$"))
    assert inbox.messages == []  # nothing is sent inside the request
    worker()
    ((_rcpt, confirmation),) = inbox.messages
    page.goto(link(confirmation, "/follow/confirm/"))
    axe(page)
    page.get_by_role("button", name="确认关注").click()
    assert "已确认关注" in page.locator("h1").inner_text()
    inbox.clear()

    # The official reports in the workspace, the reviewer approves in the queue (their browsers).
    target = Target.objects.get(plan__year=2024, code=CODE)
    context = browser.new_context(locale="zh-CN")
    try:
        staff = context.new_page()
        sign_in(staff, base, "yaoguan", "Yaoguan-2024!")
        row = staff.locator(f"#target-{target.pk}")
        row.get_by_text(f"填报 {CODE} 的进度").click()
        staff.locator(f"#id_t{target.pk}-value").fill("6000")
        row.get_by_role("button", name="提交审核").click()
        staff.locator(f"#target-{target.pk} .row-message.message-success").wait_for()
        call_command("send_follow_updates", stdout=StringIO())
        assert inbox.messages == []  # a report waiting for review is not news
        staff.get_by_role("button", name="退出登录").click()
        sign_in(staff, base, "shenhe", "Shenhe-2024!")
        staff.goto(base + reverse("review_queue"))
        staff.locator(".report-card, [id^=report-]").first.get_by_role("button", name="通过").click()
        staff.get_by_text(f"已通过 {CODE} 的报告").wait_for()
    finally:
        context.close()
    call_command("send_follow_updates", "--enqueue", stdout=StringIO())
    worker()
    call_command("send_follow_updates", stdout=StringIO())  # run again: nothing new today
    ((rcpt, update),) = inbox.messages
    assert rcpt == ["resident@example.org"] and "0.6万名" in text_of(update)
    assert update["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    page.goto(link(update, "/follow/unsubscribe/"))
    page.get_by_role("button", name="退订").click()
    assert "已退订" in page.locator("h1").inner_text()
    assert not Follow.objects.exists()


def test_a_resident_asks_and_the_department_answers_in_public(town, page, browser, axe):
    base, inbox = town["server"].url, town["inbox"]
    page.goto(base + reverse("target", args=[CODE]))
    page.locator(".take-part a", has_text="数据问询").click()
    axe(page)
    page.get_by_label("您的问题").fill("服务人次是怎么统计的?我的电话 13812345678。")
    page.get_by_label("邮箱").fill("asker@example.org")
    page.get_by_label("署名").fill("李四")
    page.get_by_text("提交并发送确认邮件").click()
    page.wait_for_url(re.compile(r".*/follow/sent/$"))
    worker()
    ((_rcpt, confirmation),) = inbox.messages
    page.goto(link(confirmation, "/questions/confirm/"))
    assert "138****5678" in page.locator("blockquote").inner_text()
    page.get_by_role("button", name="确认提交").click()
    assert "问询已确认" in page.locator("h1").inner_text()
    inbox.clear()

    context = browser.new_context(locale="zh-CN")
    try:
        staff = context.new_page()
        sign_in(staff, base, "yaoguan", "Yaoguan-2024!")
        staff.get_by_role("link", name="数据问询", exact=True).click()
        axe(staff)
        staff.get_by_label("答复(将公开)").fill("按服务记录统计,每月核对。")
        staff.get_by_role("button", name="公开答复").click()
        assert "已答复问询" in staff.locator(".messages").inner_text()
    finally:
        context.close()

    question = Question.objects.get()
    page.goto(base + reverse("target", args=[CODE]))
    answer = page.locator(f"#question-{question.pk}")
    assert "按服务记录统计" in answer.inner_text() and "李四" in answer.inner_text()
    assert "13812345678" not in page.content() and "asker@example.org" not in page.content()
    axe(page)
    data = page.request.get(base + reverse("data_questions_csv", args=[2024])).text()
    assert "按服务记录统计" in data and "asker@example.org" not in data
    worker()
    ((rcpt, answered),) = inbox.messages
    assert rcpt == ["asker@example.org"] and "按服务记录统计" in text_of(answered)
    inbox.clear()

    # The department corrects its answer: dated on the page, the resident emailed once.
    context = browser.new_context(locale="zh-CN")
    try:
        staff = context.new_page()
        sign_in(staff, base, "yaoguan", "Yaoguan-2024!")
        staff.goto(base + reverse("staff_questions"))
        staff.get_by_text("修改答复(原答复保存在操作记录中)").click()
        axe(staff)
        staff.get_by_label("修改后的答复(将公开,注明修改日期)").fill("按服务记录统计,每月与民政系统核对。")
        staff.get_by_label("修改说明(记录在操作记录中)").fill("补充核对方式")
        staff.get_by_role("button", name="保存修改").click()
        assert "已修改问询" in staff.locator(".messages").inner_text()
    finally:
        context.close()
    page.goto(base + reverse("target", args=[CODE]))
    assert "修改于" in answer.inner_text() and "与民政系统核对" in answer.inner_text()
    worker()
    ((_rcpt, revised),) = inbox.messages
    assert "已修改" in revised["Subject"] and "与民政系统核对" in text_of(revised)

    # In 长者模式 on a phone, the answers and the form still pass axe.
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(base + reverse("elder_on") + "?next=" + reverse("target", args=[CODE]))
    assert page.locator("html").get_attribute("class") == "elder"
    assert "与民政系统核对" in page.locator(f"#question-{question.pk}").inner_text()
    axe(page)
    page.locator(".take-part a", has_text="数据问询").click()
    axe(page)


def test_abuse_is_refused_beside_the_field_with_nothing_stored(town, page, axe):
    base, inbox = town["server"].url, town["inbox"]
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(base + reverse("question_ask", args=[CODE]) + "?year=2024")
    page.get_by_label("邮箱").fill("asker@example.org")
    for text, error in (
        ("详情见 http://spam.example.cn", "请不要填写网址"),
        ("长" * 501, "不能超过 500 字"),
        ("控制\u0007字符", "控制字符"),
    ):
        page.get_by_label("您的问题").evaluate(f"(el) => {{ el.value = '{text}'; }}")
        page.get_by_text("提交并发送确认邮件").click()
        assert error in page.locator(".form-field", has=page.get_by_label("您的问题")).inner_text(), text
        axe(page)  # the error sits beside its field, and the page stays accessible
    # The honeypot, filled the way a bot fills every field: refused as a whole.
    page.get_by_label("您的问题").fill("正常的问题")
    page.locator("input[name=website]").evaluate("(el) => { el.value = 'http://bot.example'; }")
    page.get_by_text("提交并发送确认邮件").click()
    assert "请勿填写" in page.locator("[role=alert]").inner_text()
    worker()
    assert not Question.objects.exists() and inbox.messages == []


def test_an_unassigned_question_is_answered_by_the_reviewers(town, page, browser):
    """P2.1 has no lead department: the question waits for 督查室 (the reviewers)."""
    base, inbox = town["server"].url, town["inbox"]
    page.goto(base + reverse("question_ask", args=["P2.1"]) + "?year=2024")
    assert "督查室" in page.locator("main").inner_text()
    page.get_by_label("您的问题").fill("优质园的名单在哪里公布?")
    page.get_by_label("邮箱").fill("asker@example.org")
    page.get_by_text("提交并发送确认邮件").click()
    worker()
    ((_rcpt, confirmation),) = inbox.messages
    page.goto(link(confirmation, "/questions/confirm/"))
    page.get_by_role("button", name="确认提交").click()
    inbox.clear()
    context = browser.new_context(locale="zh-CN")
    try:
        staff = context.new_page()
        sign_in(staff, base, "shenhe", "Shenhe-2024!")
        staff.goto(base + reverse("staff_questions"))
        card = staff.locator(".question-card", has_text="优质园的名单")
        assert "未分配牵头单位" in card.inner_text()
        card.get_by_label("答复(将公开)").fill("名单见教育局公告。")
        card.get_by_role("button", name="公开答复").click()
        assert "已答复问询" in staff.locator(".messages").inner_text()
    finally:
        context.close()
    page.goto(base + reverse("target", args=["P2.1"]))
    assert "督查室 于" in page.locator(".questions").inner_text()
    worker()
    ((_rcpt, answered),) = inbox.messages
    assert "名单见教育局公告" in text_of(answered)


def test_public_pages_in_elder_mode_pass_axe(town, page, axe):
    base = town["server"].url
    page.goto(base + reverse("home"))
    page.get_by_role("link", name="长者模式").click()
    page.wait_for_url(base + reverse("home"))
    assert page.locator("html").get_attribute("class") == "elder"
    size = page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert size >= 20
    for url in (
        reverse("home"),
        reverse("targets"),
        reverse("target", args=[CODE]),
        reverse("project", args=["P4"]),
        reverse("action", args=["A1"]),
        reverse("departments"),
        reverse("league"),
        "/en/targets/P4.1/",
        reverse("follow", args=["project", "P4"]) + "?year=2024",
    ):
        page.goto(base + url)
        assert page.locator("html").get_attribute("class") == "elder", url
        axe(page)
    page.get_by_role("link", name="退出长者模式").click()
    assert page.locator("html").get_attribute("class") is None
