"""Two-factor sign-in and the idle timeout in headless Chromium.

A reviewer enrols (reading the key shown on the page and computing the code, as an
authenticator app would), keeps the recovery codes, signs out and signs in again with a
computed code. An official whose session ended submits the inline form: the message says
so, the input stays, and after signing in again in another tab the same form goes through.
"""

from __future__ import annotations

import datetime
import time
from base64 import b32decode

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from goals.accounts.permissions import OFFICIAL, REVIEWER, ensure_roles
from goals.models import Department, Report, Target
from tests.builders import make_user

pytestmark = pytest.mark.browser

CODE = "P1.3"


@pytest.fixture
def staff(seeded_live):
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
    page.goto(base + reverse("login"))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def current_code(key: bytes, steps_ahead: int = 0) -> str:
    return f"{totp(key, drift=steps_ahead):06d}"


def next_unused_code(key: bytes, device: TOTPDevice) -> str:
    """The first code the device takes that was not used yet. A device keeps the drift of the
    code that enrolled it: confirmed just after a step ended (a busy machine), the code of the
    step before was taken, and the device now reads codes one step behind the clock."""
    now = int(time.time()) // device.step
    step = max(device.last_t + 1, now + device.drift)
    return f"{totp(key, step=device.step, t0=device.t0, drift=step - now):06d}"


def test_a_reviewer_enrols_and_signs_in_with_a_computed_code(staff, live_server, page, axe, settings):
    settings.OTP_REQUIRED = True
    base = live_server.url
    sign_in(page, base, "shenhe", "Shenhe-2024!")
    assert reverse("two_factor_enrol") in page.url
    qr = page.locator("svg.qr-code")
    assert qr.is_visible() and qr.bounding_box()["width"] >= 150
    axe(page)

    key = b32decode(page.locator("#otp-secret").inner_text().replace(" ", ""))
    page.get_by_label("验证码").fill(current_code(key))
    page.get_by_role("button", name="确认并启用").click()
    page.wait_for_url(lambda url: reverse("two_factor_recovery") in url)
    codes = page.locator(".recovery-codes li")
    assert codes.count() == 10
    axe(page)
    assert TOTPDevice.objects.get(user__username="shenhe").confirmed

    page.get_by_role("link", name="继续").click()
    page.wait_for_url(lambda url: url.endswith(reverse("review_queue")))

    page.get_by_role("button", name="退出登录").click()
    page.get_by_text("您已退出登录").wait_for()
    sign_in(page, base, "shenhe", "Shenhe-2024!")
    assert reverse("two_factor_verify") in page.url
    axe(page)
    page.get_by_label("验证码").fill("000000")
    page.get_by_role("button", name="验证", exact=True).click()
    page.get_by_text("验证码不正确").wait_for()
    page.wait_for_timeout(1100)  # the device waits a second after a wrong code
    # The code of the enrolment's step is spent; the app shows the next one soon.
    page.get_by_label("验证码").fill(next_unused_code(key, TOTPDevice.objects.get(user__username="shenhe")))
    page.get_by_role("button", name="验证", exact=True).click()
    page.wait_for_url(lambda url: url.endswith(reverse("review_queue")))
    assert "审核队列" in page.locator("h1").inner_text()


def test_the_inline_form_keeps_its_input_when_the_session_has_ended(staff, live_server, page):
    target = staff
    base = live_server.url
    sign_in(page, base, "yaoguan", "Yaoguan-2024!")
    row = page.locator(f"#target-{target.pk}")
    row.get_by_text(f"填报 {CODE} 的进度").click()
    value = page.locator(f"#id_t{target.pk}-value")
    value.fill("150")
    page.evaluate("() => { window.__sameDocument = true }")

    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    row.get_by_role("button", name="提交审核").click()
    alert = page.locator("#staff-alert")
    alert.wait_for(state="visible")
    assert "登录已过期" in alert.inner_text() and "新标签页" in alert.inner_text()
    assert value.input_value() == "150"
    assert page.evaluate("() => window.__sameDocument === true")
    assert not Report.objects.exists()

    other = page.context.new_page()
    sign_in(other, base, "yaoguan", "Yaoguan-2024!")
    other.close()
    row.get_by_role("button", name="提交审核").click()
    page.locator(f"#target-{target.pk} .row-message.message-success").wait_for()
    report = Report.objects.get()
    assert (report.value, report.state) == (150, Report.State.SUBMITTED)
