"""The content security policy in a real browser: every public page, the staff workspace (the
inline form, an invalid then a valid report), the review queue and the admin run without a
single `securitypolicyviolation`."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from goals.accounts.permissions import OFFICIAL, REVIEWER, ensure_roles
from goals.models import Department, Report, Target
from goals.reporting import services
from tests.builders import make_user
from tests.samples import PNG, upload

pytestmark = pytest.mark.browser

WATCH = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def watched(browser):
    """A page that records every CSP violation: DOM events and the console's reports."""
    context = browser.new_context(locale="zh-CN")
    context.set_default_timeout(15_000)
    context.add_init_script(WATCH)
    page = context.new_page()
    console: list[str] = []
    page.on(
        "console",
        lambda message: console.append(message.text) if "Content Security Policy" in message.text else None,
    )

    def violations() -> list[str]:
        found = page.evaluate("() => window.__cspViolations || []")
        return found + console

    page.violations = violations
    try:
        yield page
    finally:
        context.close()


def visit(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status < 400, (url, response and response.status)
    page.wait_for_load_state("networkidle")
    assert page.violations() == [], url


@pytest.fixture
def site(seeded_live, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ensure_roles()
    plan = seeded_live
    department = Department.objects.get(name="遥观镇")
    Target.objects.filter(plan=plan, code__in=["P1.3", "P4.1"]).update(lead_department=department)
    official = make_user("yaoguan", password="Yaoguan-2024!")
    official.groups.add(Group.objects.get(name=OFFICIAL))
    department.members.add(official)
    reviewer = make_user("shenhe", password="Shenhe-2024!")
    reviewer.groups.add(Group.objects.get(name=REVIEWER))
    make_user("chief", password="Chief-2024-admin!", is_staff=True, is_superuser=True)
    report = services.submit_report(
        target=Target.objects.get(plan=plan, code="P4.1"),
        value=10450,
        as_of=datetime.date(2024, 6, 30),
        author=official,
        note="上半年",
        evidence=[(upload("现场.png", PNG), "image/png")],
    )
    services.approve_report(report=report, reviewer=reviewer)
    live_server.department = department
    live_server.evidence = report.evidence.get()
    return live_server


def sign_in(page, base: str, username: str, password: str, login_url: str | None = None) -> None:
    page.goto(base + (login_url or reverse("login")))
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("[type=submit]").first.click()
    page.wait_for_url(lambda url: "/login/" not in url)


def test_public_pages_run_without_a_policy_violation(site, watched):
    base = site.url
    for path in [
        "/",
        "/targets/",
        "/targets/P4.1/",
        "/targets/P10.1/",
        "/projects/P4/",
        "/actions/A1/",
        "/pillars/S4/",
        "/departments/",
        f"/departments/{site.department.pk}/",
        "/?as_of=2024-07-01",
        "/en/",
        "/en/targets/",
    ]:
        visit(watched, base + path)
    # htmx at work: filter in place, then page through.
    visit(watched, base + "/targets/")
    watched.fill("#id_q", "托位")
    watched.wait_for_function("() => location.search.includes('q=')")
    watched.wait_for_load_state("networkidle")
    assert watched.violations() == []
    visit(watched, base + reverse("evidence", args=[site.evidence.pk]))


def test_the_staff_workflow_runs_without_a_policy_violation(site, watched, browser):
    base = site.url
    sign_in(watched, base, "yaoguan", "Yaoguan-2024!")
    assert watched.violations() == []
    target = Target.objects.get(code="P1.3", plan__year=2024)
    row = watched.locator(f"#target-{target.pk}")
    row.get_by_text("填报 P1.3 的进度").click()
    value = watched.locator(f"#id_t{target.pk}-value")
    value.fill("abc")
    row.get_by_role("button", name="提交审核").click()
    watched.locator(f"#id_t{target.pk}-value_error").wait_for()
    value.fill("150")
    row.get_by_role("button", name="提交审核").click()
    watched.locator(f"#target-{target.pk} .row-message.message-success").wait_for()
    assert Report.objects.filter(target=target, state=Report.State.SUBMITTED).count() == 1
    assert watched.violations() == []

    visit(watched, base + reverse("password_change"))
    watched.context.clear_cookies()
    sign_in(watched, base, "shenhe", "Shenhe-2024!")
    visit(watched, base + reverse("two_factor"))
    visit(watched, base + reverse("two_factor_enrol"))  # the QR code is inline SVG, no style
    visit(watched, base + reverse("review_queue"))
    pending = Report.objects.get(target=target, state=Report.State.SUBMITTED)
    watched.locator(f"#report-{pending.pk}").get_by_role("button", name="通过").click()
    watched.wait_for_function(
        f"() => !document.querySelector('#report-{pending.pk} button') || "
        f"document.querySelector('#report-{pending.pk}').textContent.includes('已通过')"
    )
    assert Report.objects.get(pk=pending.pk).state == Report.State.APPROVED
    assert watched.violations() == []


def test_the_admin_runs_without_a_policy_violation(site, watched):
    base = site.url
    sign_in(watched, base, "chief", "Chief-2024-admin!", login_url="/admin/login/")
    target = Target.objects.get(code="P4.1", plan__year=2024)
    for path in [
        "/admin/",
        "/admin/goals/target/",
        "/admin/goals/target/?q=P4",
        f"/admin/goals/target/{target.pk}/change/",
        "/admin/goals/target/add/",
        "/admin/projects/project/",
        "/admin/goals/department/",
        f"/admin/goals/department/{site.department.pk}/change/",
        "/admin/goals/report/",
        "/admin/goals/auditentry/",
        "/admin/auth/user/",
        "/admin/auth/user/add/",
        "/admin/auth/group/",
    ]:
        visit(watched, base + path)
    # Save a change through the admin's own form (its scripts: inlines, filters, save buttons).
    visit(watched, base + f"/admin/goals/target/{target.pk}/change/")
    watched.locator("input[name=weight]").fill("2")
    watched.locator("input[name=_save]").click()
    watched.wait_for_url(lambda url: url.endswith("/admin/goals/target/"))
    assert watched.violations() == []
    assert Target.objects.get(pk=target.pk).weight == 2
