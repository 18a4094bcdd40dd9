"""Absolute links come from SITE_URL or the host asked, and a page cached under one host is
never served to another."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from goals.models import Target
from goals.reporting import services
from tests.builders import make_user
from tests.samples import PNG, upload

pytestmark = pytest.mark.django_db

URLS = [reverse("data_reports_csv", args=[2024]), reverse("data_feed")]


@pytest.fixture
def published(seeded, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ALLOWED_HOSTS = ["goals.example.org", "mirror.example.net"]
    target = Target.objects.get(plan=seeded, code="P1.3")
    report = services.submit_report(
        target=target,
        value=120,
        as_of=datetime.date(2024, 6, 30),
        author=make_user("official"),
        evidence=[(upload("现场.png", PNG), "image/png")],
    )
    services.approve_report(report=report, reviewer=make_user("reviewer"))
    return report


@pytest.mark.parametrize("url", URLS)
def test_a_page_rendered_under_one_host_never_reaches_another(published, url):
    first = Client(HTTP_HOST="goals.example.org").get(url).content.decode()
    second = Client(HTTP_HOST="mirror.example.net").get(url).content.decode()
    assert "http://goals.example.org/" in first
    assert "goals.example.org" not in second
    assert "http://mirror.example.net/" in second


@pytest.mark.parametrize("url", URLS)
def test_links_use_the_canonical_origin_when_one_is_configured(published, settings, url):
    settings.SITE_URL = "https://goals.example.gov.cn"
    text = Client(HTTP_HOST="mirror.example.net").get(url).content.decode()
    assert "https://goals.example.gov.cn/" in text
    assert "mirror.example.net" not in text


def test_links_are_https_behind_a_proxy_that_says_so(published, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = Client(HTTP_HOST="goals.example.org", HTTP_X_FORWARDED_PROTO="https")
    text = client.get(reverse("data_reports_csv", args=[2024])).content.decode()
    evidence = reverse("evidence", args=[published.evidence.get().pk])
    assert f"https://goals.example.org{evidence}" in text
    plain = Client(HTTP_HOST="goals.example.org").get(reverse("data_reports_csv", args=[2024]))
    assert f"http://goals.example.org{evidence}" in plain.content.decode()


def test_the_feed_links_each_report_on_the_origin(published, settings):
    settings.SITE_URL = "https://goals.example.gov.cn"
    feed = Client(HTTP_HOST="goals.example.org").get(reverse("data_feed")).content.decode()
    assert f'href="https://goals.example.gov.cn/targets/P1.3/#report-{published.pk}"' in feed
    assert 'href="https://goals.example.gov.cn/data/updates.atom"' in feed
