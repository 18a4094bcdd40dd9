"""Staff sessions end after SESSION_IDLE_MINUTES without a staff request; public pages never
touch the session; an htmx form sent after the session ended keeps what was typed."""

from __future__ import annotations

import datetime

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from goals.accounts.two_factor.middleware import TOUCHED
from goals.models import Report
from tests.builders import HTMX


def signed_in(username: str) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": f"pw-{username}"})
    assert response.status_code == 302
    return client


def stored(client: Client) -> Session:
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def test_a_staff_request_moves_the_session_expiry_by_the_idle_time(official_own, settings):
    settings.SESSION_COOKIE_AGE = 10 * 60  # SESSION_IDLE_MINUTES=10
    client = signed_in("official-own")
    session = client.session
    session[TOUCHED] = 0  # last touched long ago
    session.save()
    Session.objects.filter(pk=session.session_key).update(
        expire_date=timezone.now() + datetime.timedelta(minutes=1)
    )
    assert client.get(reverse("workspace")).status_code == 200
    left = stored(client).expire_date - timezone.now()
    assert datetime.timedelta(minutes=9) < left <= datetime.timedelta(minutes=10)
    assert client.cookies["sessionid"]["max-age"] == 600


def test_public_pages_neither_touch_nor_extend_a_staff_session(official_own):
    client = signed_in("official-own")
    before = stored(client).expire_date
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "sessionid" not in response.cookies and "Cookie" not in response.get("Vary", "")
    assert stored(client).expire_date == before


def test_an_idle_session_ends_and_the_next_page_asks_to_sign_in(official_own):
    client = signed_in("official-own")
    assert client.get(reverse("workspace")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("workspace"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_inline_report_sent_after_the_session_ended_gets_a_401_and_keeps_the_input(world, official_own):
    client = signed_in("official-own")
    assert client.get(reverse("workspace")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    target = world.own_target
    data = {
        f"t{target.pk}-value": "120",
        f"t{target.pk}-as_of": "2023-06-30",
        f"t{target.pk}-revision": target.revision,
    }
    response = client.post(reverse("report_target", args=[target.code]), data, headers=HTMX)
    # No redirect (htmx would swap the sign-in page into the row): a bare 401 that leaves the
    # row alone; staff.js shows the message carried by the page, in Chinese.
    assert response.status_code == 401
    assert "登录已过期" in response.content.decode()
    assert not Report.objects.exists()
    page = signed_in("official-own").get(reverse("workspace")).content.decode()
    assert "登录已过期:内容尚未提交。请在新标签页重新登录后,回到此页再次提交(填写的内容仍在表单中)。" in page


def test_a_form_refused_by_the_csrf_check_says_the_session_ended(official_own):
    client = Client(enforce_csrf_checks=True)
    client.force_login(official_own)
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "会话已结束或页面已过期" in html and "CSRF" not in html
    assert "no-store" in response["Cache-Control"]
    htmx = client.post(reverse("logout"), headers=HTMX)
    assert htmx.status_code == 403 and htmx["X-CSRF-Failure"] == "1"


def test_with_a_one_minute_idle_time_an_active_user_stays_signed_in(official_own, settings, time_machine):
    """SESSION_IDLE_MINUTES=1: a staff request every 30 s keeps the session; a minute idle ends it."""
    settings.SESSION_COOKIE_AGE = 60
    time_machine.move_to(datetime.datetime(2024, 7, 1, 9, 0, tzinfo=datetime.UTC), tick=False)
    client = signed_in("official-own")
    for _ in range(6):
        time_machine.shift(30)
        response = client.get(reverse("workspace"))
        assert response.status_code == 200, "signed out while active"
    time_machine.shift(61)
    response = client.get(reverse("workspace"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
