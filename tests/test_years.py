"""Years in public URLs: /2024/… and /2025/… side by side, the year switcher, the old URLs
redirecting to the latest real plan, the home page, synthetic and unknown years."""

from __future__ import annotations

import pytest
from django.urls import reverse

from goals.workbooks import plan as plan_workbook
from goals.workbooks import plan_import
from projects.management.commands.synthesize import generate


@pytest.fixture
def two_years(seeded, settings):
    settings.PUBLIC_YEAR_REDIRECT = True
    plan_import.import_plan(plan_workbook.export(seeded), year=2025)
    return seeded


def test_each_year_has_its_pages_and_their_links_keep_the_year(two_years, client):
    html = client.get("/2024/targets/P1.3/").content.decode()
    assert 'href="/2024/targets/"' in html or 'href="/2024/"' in html
    assert "/2025/targets/" not in html
    response = client.get("/2025/targets/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/2025/targets/P1.3/' in html
    assert 'href="/2024/targets/P1.3/' not in html
    assert "/data/2025/targets.csv" in html  # open data of the year shown


def test_the_year_switcher_lists_the_real_years(two_years, client):
    html = client.get("/2024/").content.decode()
    assert 'href="/2025/"' in html and 'href="/2024/" aria-current="page"' in html
    english = client.get("/en/2024/").content.decode()
    assert 'href="/en/2025/"' in english


def test_old_urls_redirect_to_the_latest_real_plan(two_years, client):
    response = client.get("/targets/P1.3/?as_of=2025-03-31")
    assert response.status_code == 302
    assert response["Location"] == "/2025/targets/P1.3/?as_of=2025-03-31"
    assert client.get("/en/league/")["Location"] == "/en/2025/league/"
    assert client.get("/data/2024/targets.csv").status_code == 200  # open data has its year already


def test_the_home_page_shows_the_latest_real_plan(two_years, client):
    generate(year=9000, projects=1, actions=1, measures_per_action=1, targets_per_group=1)
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/2025/targets/"' in html and "9000" not in html


def test_synthetic_and_unknown_years_are_not_found(two_years, client):
    generate(year=9000, projects=1, actions=1, measures_per_action=1, targets_per_group=1)
    assert client.get("/9000/").status_code == 404
    assert client.get("/9000/targets/").status_code == 404
    assert client.get("/2019/targets/").status_code == 404
    assert client.get("/1234/targets/").status_code == 404  # no URL configuration made for it
    assert client.get(reverse("workspace")).status_code == 302  # staff pages keep their URLs


def test_a_query_sent_as_raw_utf8_is_redirected_escaped_not_as_mojibake(two_years, client):
    # A WSGI server hands the query string over as latin-1 text of the bytes received.
    raw = "q=托位&status=behind".encode().decode("latin-1")
    response = client.get("/targets/", QUERY_STRING=raw)
    assert response.status_code == 302
    assert response["Location"] == "/2025/targets/?q=%E6%89%98%E4%BD%8D&status=behind"
    assert client.get(response["Location"]).status_code == 200


def test_a_fresh_process_builds_a_years_urls_before_any_other_url_is_resolved():
    # The first request a new worker serves may be /2024/…: its URL configuration must not
    # depend on the root one having been imported first (the id converter is registered there).
    import subprocess
    import sys

    code = "import django; django.setup(); from goals.public.years import urlconf_for; urlconf_for(2024).urlpatterns"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)  # noqa: S603
    assert done.returncode == 0, done.stderr[-1500:]
