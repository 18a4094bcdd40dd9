"""Two-factor sign-in: the code step, enrolment, recovery codes, lockout, the admin, reset.

Codes are computed here from the device's key (django_otp.oath.totp), as an authenticator
app would. Tests run with DEBUG=1, where OTP_REQUIRED defaults to off; the paths where it
is required turn it on with the ``settings`` fixture.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from base64 import b32decode
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from goals.accounts.two_factor import devices
from goals.models import AuditEntry
from tests.builders import HTMX
from tests.personas import as_user


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or `steps_ahead` 30-second steps later)."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead):06d}"


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    """Give `user` a confirmed authenticator and recovery codes, as enrolment does."""
    device = TOTPDevice.objects.create(user=user, name=devices.AUTHENTICATOR, confirmed=False)
    return device, devices.confirm_authenticator(device)


def password_sign_in(username: str, **client_kwargs) -> Client:
    client = Client(**client_kwargs)
    response = client.post(reverse("login"), {"username": username, "password": f"pw-{username}"})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def verify_url(next_path: str) -> str:
    return reverse("two_factor_verify") + "?next=" + next_path.replace("/", "%2F")


# --- the code step ---------------------------------------------------------------------------


def test_it_asks_for_a_code_after_the_password_when_the_user_has_an_authenticator(official_own):
    device, _codes = enrolled(official_own)
    client = password_sign_in("official-own")
    response = client.get(reverse("workspace"))
    assert response.status_code == 302 and response["Location"] == verify_url("/staff/")
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "两步验证" in html
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    assert "no-store" in page["Cache-Control"]

    answer = client.post(reverse("two_factor_verify"), {"code": code_for(device), "next": "/staff/"})
    assert answer.status_code == 302 and answer["Location"] == "/staff/"
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(reverse("workspace")).status_code == 200


def test_it_refuses_a_wrong_code_and_then_throttles_the_device(official_own):
    device, _codes = enrolled(official_own)
    client = password_sign_in("official-own")
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("two_factor_verify"), {"code": wrong})
    assert response.status_code == 200 and "验证码不正确" in response.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # Right away even the right code is refused: the device waits after a failure.
    throttled = client.post(reverse("two_factor_verify"), {"code": code_for(device)})
    assert "错误次数过多" in throttled.content.decode()
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert client.get(reverse("workspace"))["Location"].startswith(reverse("two_factor_verify"))


def test_it_refuses_a_code_that_is_not_six_digits_without_counting_it(official_own):
    device, _codes = enrolled(official_own)
    client = password_sign_in("official-own")
    response = client.post(reverse("two_factor_verify"), {"code": "12ab"})
    assert "请输入 6 位数字验证码" in response.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_wrong_codes_count_toward_the_sign_in_lockout(official_own, settings):
    settings.AXES_FAILURE_LIMIT = 3
    device, _codes = enrolled(official_own)
    client = password_sign_in("official-own", REMOTE_ADDR="203.0.113.9")
    for attempt in range(2):
        response = client.post(reverse("two_factor_verify"), {"code": "000000"})
        assert response.status_code == 200, attempt
    locked = client.post(reverse("two_factor_verify"), {"code": "000000"})
    assert locked.status_code == 429 and "登录已被暂时锁定" in locked.content.decode()
    # Signed out, and the password alone no longer gets in from that address.
    assert client.get(reverse("workspace"))["Location"].startswith(reverse("login"))
    again = Client(REMOTE_ADDR="203.0.113.9").post(
        reverse("login"), {"username": "official-own", "password": "pw-official-own"}
    )
    assert again.status_code == 429


def test_a_recovery_code_signs_in_once(official_own):
    _device, codes = enrolled(official_own)
    assert len(codes) == 10 and len(set(codes)) == 10
    client = password_sign_in("official-own")
    response = client.post(reverse("two_factor_verify"), {"recovery_code": codes[0].upper()})
    assert response.status_code == 302 and response["Location"] == reverse("workspace")
    assert client.get(reverse("workspace")).status_code == 200
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    assert devices.recovery_codes_left(official_own) == 9

    other = password_sign_in("official-own")
    reused = other.post(reverse("two_factor_verify"), {"recovery_code": codes[0]})
    assert reused.status_code == 200 and "恢复码不正确或已使用过" in reused.content.decode()
    assert DEVICE_ID_SESSION_KEY not in other.session


def test_it_only_follows_a_next_address_on_this_site(official_own):
    device, _codes = enrolled(official_own)
    client = password_sign_in("official-own")
    response = client.post(
        reverse("two_factor_verify"), {"code": code_for(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("workspace")


def test_an_htmx_request_before_the_code_gets_a_401_and_changes_nothing(official_own, world):
    enrolled(official_own)
    client = password_sign_in("official-own")
    url = reverse("report_target", args=[world.own_target.code])
    data = {f"t{world.own_target.pk}-value": "5", f"t{world.own_target.pk}-as_of": "2023-06-30"}
    response = client.post(url, data, headers=HTMX)
    assert response.status_code == 401 and "两步验证" in response.content.decode()
    assert not world.own_target.reports.exists()


# --- who must use it --------------------------------------------------------------------------


def test_a_reviewer_must_enrol_before_any_staff_page_when_it_is_required(reviewer, settings):
    settings.OTP_REQUIRED = True
    client = password_sign_in("reviewer")
    for url in (reverse("review_queue"), reverse("workspace"), reverse("password_change")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("two_factor_enrol")), (
            url
        )
    page = client.get(reverse("two_factor_enrol"))
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "style=" not in html and "<script>" not in html
    assert 'autocomplete="one-time-code"' in html
    device = TOTPDevice.objects.get(user=reviewer, confirmed=False)
    assert devices.secret(device) in html
    # The key shown is the device's: an app typing it in computes the same codes.
    typed = b32decode(devices.secret(device).replace(" ", ""))
    assert typed == device.bin_key

    wrong = client.post(reverse("two_factor_enrol"), {"code": "000000"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=reviewer, confirmed=True).exists()
    device.throttle_reset()

    done = client.post(reverse("two_factor_enrol"), {"code": code_for(device)})
    assert done.status_code == 302 and done["Location"] == reverse("two_factor_recovery")
    device.refresh_from_db()
    assert device.confirmed
    shown = client.get(reverse("two_factor_recovery")).content.decode()
    codes = list(StaticToken.objects.filter(device__user=reviewer).values_list("token", flat=True))
    assert len(codes) == 10 and all(code in shown for code in codes)
    # Shown once: afterwards only how many are left.
    later = client.get(reverse("two_factor_recovery")).content.decode()
    assert not any(code in later for code in codes) and "10 个未使用的恢复码" in later
    assert client.get(reverse("review_queue")).status_code == 200


def test_it_is_not_required_under_the_default_debug_settings(reviewer, admin):
    assert password_sign_in("reviewer").get(reverse("review_queue")).status_code == 200
    assert password_sign_in("admin").get(reverse("admin:index")).status_code == 200


def test_officials_need_it_only_with_otp_required_for_officials(official_own, settings):
    settings.OTP_REQUIRED = True
    assert password_sign_in("official-own").get(reverse("workspace")).status_code == 200
    settings.OTP_REQUIRED_FOR_OFFICIALS = True
    response = password_sign_in("official-own").get(reverse("workspace"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("two_factor_enrol"))


def test_a_password_alone_never_replaces_an_authenticator(official_own):
    device, _codes = enrolled(official_own)
    client = password_sign_in("official-own")
    response = client.get(reverse("two_factor_enrol"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("two_factor_verify"))
    client.post(reverse("two_factor_enrol"), {"code": "123456"})
    assert list(TOTPDevice.objects.filter(user=official_own)) == [device]
    assert client.post(reverse("two_factor_recovery")).status_code == 302
    assert devices.recovery_codes_left(official_own) == 10


def test_a_verified_user_replaces_the_authenticator_and_regenerates_recovery_codes(official_own):
    old, old_codes = enrolled(official_own)
    client = password_sign_in("official-own")
    client.post(reverse("two_factor_verify"), {"code": code_for(old)})
    client.get(reverse("two_factor_enrol"))
    new = TOTPDevice.objects.get(user=official_own, confirmed=False)
    assert client.post(reverse("two_factor_enrol"), {"code": code_for(new)}).status_code == 302
    assert list(TOTPDevice.objects.filter(user=official_own)) == [new]
    assert not StaticToken.objects.filter(token__in=old_codes).exists()

    before = set(StaticToken.objects.filter(device__user=official_own).values_list("token", flat=True))
    response = client.post(reverse("two_factor_recovery"))
    assert response.status_code == 302
    after = set(StaticToken.objects.filter(device__user=official_own).values_list("token", flat=True))
    assert len(after) == 10 and not before & after
    shown = client.get(reverse("two_factor_recovery")).content.decode()
    assert all(code in shown for code in after)


def test_the_overview_says_whether_it_is_on(official_own):
    client = as_user(official_own)
    assert "尚未启用" in client.get(reverse("two_factor")).content.decode()
    enrolled(official_own)
    client = password_sign_in("official-own")
    assert client.get(reverse("two_factor"))["Location"].startswith(reverse("two_factor_verify"))


# --- the admin --------------------------------------------------------------------------------


def test_the_admin_is_reached_only_after_the_second_factor(admin, settings):
    settings.OTP_REQUIRED = True
    client = password_sign_in("admin")
    response = client.get(reverse("admin:index"))
    assert (
        response.status_code == 302
        and response["Location"] == reverse("two_factor_enrol") + "?next=%2Fadmin%2F"
    )
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 302

    device, _codes = enrolled(admin)
    client = password_sign_in("admin")
    assert client.get(reverse("admin:index"))["Location"] == verify_url("/admin/")
    client.post(reverse("two_factor_verify"), {"code": code_for(device)})
    assert client.get(reverse("admin:index")).status_code == 200


def test_signing_in_on_the_admin_login_page_still_asks_for_the_code(admin):
    device, _codes = enrolled(admin)
    client = Client()
    client.post(reverse("admin:login"), {"username": "admin", "password": "pw-admin", "next": "/admin/"})
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"] == verify_url("/admin/")


def test_an_admin_resets_a_users_two_factor_in_the_admin(admin, reviewer, official_own):
    enrolled(reviewer)
    client = as_user(admin)
    changelist = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "重置两步验证" in changelist
    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [reviewer.pk, official_own.pk]},
        follow=True,
    )
    assert "已重置 1 个账号的两步验证:reviewer" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    assert not StaticDevice.objects.filter(user=reviewer).exists()
    entry = AuditEntry.objects.get()
    assert entry.actor == admin and entry.action == AuditEntry.Action.EDIT
    assert entry.changes == {"two_factor_reset": "reviewer", "devices_removed": 2, "by": "admin"}
    # Signs in with the password alone now (and would be asked to enrol where required).
    assert password_sign_in("reviewer").get(reverse("review_queue")).status_code == 200


def test_an_official_cannot_reset_anyones_two_factor(official_own, reviewer):
    enrolled(reviewer)
    response = as_user(official_own).post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [reviewer.pk]},
    )
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert TOTPDevice.objects.filter(user=reviewer).exists()


def test_the_reset_command_removes_the_devices(reviewer):
    enrolled(reviewer)
    out = io.StringIO()
    call_command("reset_2fa", "reviewer", stdout=out)
    assert "已重置 reviewer 的两步验证" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    assert AuditEntry.objects.get().changes["by"] == "reset_2fa"
    call_command("reset_2fa", "reviewer", stdout=out)
    assert "无需重置" in out.getvalue() and AuditEntry.objects.count() == 1
    with pytest.raises(CommandError, match="没有用户名为 nobody"):
        call_command("reset_2fa", "nobody", stdout=out)


# --- passwords --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [("Kfq-2024-ab", "至少要包含 12 个字符"), ("q1w2e3r4t5y6", "这个密码太常见了")],
    ids=["eleven characters", "common"],
)
def test_a_password_change_refuses_short_and_common_passwords(official_own, password, message):
    client = as_user(official_own)
    response = client.post(
        reverse("password_change"),
        {"old_password": "pw-official-own", "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200 and message in response.content.decode()
    official_own.refresh_from_db()
    assert official_own.check_password("pw-official-own")


# --- settings --------------------------------------------------------------------------------


ROOT = Path(__file__).resolve().parent.parent


def settings_under(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OTP_", "SESSION_", "DEBUG"))}
    clean.update(
        env, DJANGO_SETTINGS_MODULE="config.settings", SECRET_KEY="x" * 50, ALLOWED_HOSTS="example.org"
    )
    code = (
        "from django.conf import settings as s; "
        "print(s.OTP_REQUIRED, s.OTP_REQUIRED_FOR_OFFICIALS, s.SESSION_IDLE_MINUTES, s.SESSION_COOKIE_AGE)"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return (result.stdout + result.stderr).strip()


def test_it_is_required_by_default_without_debug_and_reads_the_environment():
    assert settings_under(DEBUG="0") == "True False 30 1800"
    assert settings_under(DEBUG="1") == "False False 30 1800"
    assert settings_under(
        DEBUG="1", OTP_REQUIRED="yes", OTP_REQUIRED_FOR_OFFICIALS="1", SESSION_IDLE_MINUTES="5"
    ) == ("True True 5 300")
    assert "SESSION_IDLE_MINUTES must be at least 1" in settings_under(SESSION_IDLE_MINUTES="0")
    assert "OTP_REQUIRED must be one of" in settings_under(OTP_REQUIRED="maybe")


def test_the_demo_accounts_sign_in_without_two_factor_under_debug(seeded, settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("create_demo_accounts", stdout=out)
    found = dict(re.findall(r"^\s+(demo-[a-z-]+)\s+(\S+)", out.getvalue(), flags=re.MULTILINE))
    client = Client()
    client.post(reverse("login"), {"username": "demo-admin", "password": found["demo-admin"]})
    assert client.get(reverse("admin:index")).status_code == 200
    assert get_user_model().objects.get(username="demo-admin").is_superuser
