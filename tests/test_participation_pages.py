"""长者模式 (a cookie set by a plain link; cached pages keyed by it), the per-target and
per-project Atom feeds, and where the residents' links show."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from goals.accounts.permissions import OFFICIAL, ensure_roles
from goals.models import Target
from tests.personas import as_user, staff_user

pytestmark = pytest.mark.django_db


def test_the_switch_sets_the_cookie_and_goes_back(client, seeded):
    response = client.get(reverse("elder_on") + "?next=/targets/%3Fstatus%3Ddone")
    assert response.status_code == 302 and response["Location"] == "/targets/?status=done"
    assert response.cookies["elder"].value == "1" and response.cookies["elder"]["httponly"]
    assert "no-cache" in response["Cache-Control"]
    response = client.get(reverse("elder_off") + "?next=/")
    assert response.cookies["elder"].value == "" and response["Location"] == "/"


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "javascript:alert(1)", ""])
def test_the_switch_never_leaves_the_site(client, seeded, target):
    response = client.get(reverse("elder_on"), {"next": target})
    assert response["Location"] == reverse("home")


def test_a_cached_page_follows_the_cookie(seeded):
    plain, elder = Client(), Client()
    elder.cookies["elder"] = "1"
    url = reverse("target", args=["P4.1"])
    first = plain.get(url)  # now cached
    html = elder.get(url).content.decode()
    assert '<html lang="zh-hans" class="elder">' in html and "退出长者模式" in html
    again = plain.get(url).content.decode()
    assert 'class="elder"' not in again and "长者模式" in again
    assert f"{reverse('elder_on')}?next=/targets/P4.1/" in again.replace("%2F", "/")
    # A browser switching modes revalidates with its old ETag: a different page, not 304.
    response = elder.get(url, headers={"If-None-Match": first["ETag"]})
    assert response.status_code == 200


def test_with_a_max_age_the_pages_vary_on_the_cookie(client, seeded, settings):
    settings.PUBLIC_MAX_AGE = 60
    assert "Cookie" in client.get(reverse("home"))["Vary"]
    settings.PUBLIC_MAX_AGE = 0
    assert "Cookie" not in client.get(reverse("home"))["Vary"]


def test_the_target_and_project_feeds(client, seeded, publish):
    publish("P4.1", 5000, datetime.date(2024, 5, 31), note="五月进展")
    publish("P4.2", 2, datetime.date(2024, 5, 31))
    publish("P5.2", 9, datetime.date(2024, 5, 31))
    feed = client.get(reverse("target_feed", args=[2024, "P4.1"]))
    assert feed.status_code == 200 and feed["Content-Type"].startswith("application/atom+xml")
    body = feed.content.decode()
    assert "五月进展" in body and "P4.2" not in body and "/2024/targets/P4.1/#report-" in body
    body = client.get(reverse("project_feed", args=[2024, "P4"])).content.decode()
    assert "P4.1" in body and "P4.2" in body and "P5.2" not in body
    assert client.get(reverse("target_feed", args=[2024, "NOPE"])).status_code == 404
    assert client.get(reverse("project_feed", args=[2024, "A1"])).status_code == 404
    html = client.get(reverse("target", args=["P4.1"])).content.decode()
    assert reverse("target_feed", args=[2024, "P4.1"]) in html


def test_the_target_page_links_to_the_question_form(client, seeded):
    html = client.get(reverse("target", args=["P4.1"])).content.decode()
    assert f"{reverse('question_ask', args=['P4.1'])}?year=2024" in html
    assert "尚无问询" in html


def test_the_workspace_links_to_the_questions(seeded):
    ensure_roles()
    target = Target.objects.get(plan=seeded, code="P4.1")
    from goals.models import Department

    unit = Department.objects.get(name="遥观镇")
    target.lead_department = unit
    target.save()
    official = staff_user("q-official", OFFICIAL, unit)
    html = as_user(official).get(reverse("workspace")).content.decode()
    assert reverse("staff_questions") in html


def test_filtering_in_place_keeps_the_switch_on_the_filtered_url(client, seeded):
    response = client.get(reverse("targets") + "?status=done", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="elder-switch"' in html and 'data-hx-swap-oob="true"' in html
    assert "next=/targets/%3Fstatus%3Ddone" in html
