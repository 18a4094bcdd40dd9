"""Public pages are cacheable: ETag and 304, shared-nothing invalidation, Vary and Cache-Control."""

from __future__ import annotations

import datetime
import gzip
import re

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from goals.planning import publication
from goals.public import caching
from tests.builders import make_user
from tests.personas import as_user

pytestmark = pytest.mark.django_db

PAGES = [
    ("home", []),
    ("targets", []),
    ("target", ["P4.1"]),
    ("project", ["P4"]),
    ("action", ["A1"]),
    ("departments", []),
    ("data_targets_csv", [2024]),
    ("data_targets_json", [2024]),
    ("data_reports_csv", [2024]),
    ("data_feed", []),
]


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_it_answers_304_to_a_matching_etag(client, seeded, name, args):
    url = reverse(name, args=args)
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"') and len(etag) > 10
    assert first["Cache-Control"] == "public, no-cache"  # kept, but asked again on each visit
    assert "HX-Request" in first["Vary"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_approving_a_report_changes_the_etag_and_the_page(client, seeded, publish):
    url = reverse("target", args=["P4.1"])
    before = client.get(url)
    assert "1.045万名" not in before.content.decode()
    publish("P4.1", 10450, datetime.date(2024, 6, 30))
    after = client.get(url, headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert "1.045万名" in after.content.decode()


def test_invalidation_needs_no_shared_memory(client, seeded, publish):
    """Another worker approved the report: this process was never told (no bump reached it),
    yet its cached page and its ETag go stale, because the version is read from the database."""
    url = reverse("home")
    before = client.get(url)
    generation = publication.generation()
    # In a test transaction on_commit callbacks never run: publication.bump() is not called.
    publish("P7.1", 3100, datetime.date(2024, 10, 31))
    assert publication.generation() == generation
    after = client.get(url)
    assert after["ETag"] != before["ETag"]
    assert "0.31万人" in after.content.decode()


def test_bump_runs_when_the_approval_commits(seeded, django_capture_on_commit_callbacks, publish):
    generation = publication.generation()
    with django_capture_on_commit_callbacks(execute=True):
        publish("P7.1", 3100, datetime.date(2024, 10, 31))
    assert publication.generation() != generation


def test_an_admin_edit_changes_the_etag(client, seeded):
    url = reverse("home")
    before = client.get(url)
    admin = make_user("admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    change = reverse("admin:goals_plan_change", args=[seeded.pk])
    response = client.post(
        change,
        {
            "year": 2024,
            "title": seeded.title,
            "theme": "全新主题",
            "positioning": seeded.positioning,
            "mission": seeded.mission,
            "adopted_on": "2023-12-27",
            "source": seeded.source,
            "source_clause": seeded.source_clause,
            "reporting_cycle": seeded.reporting_cycle,
            "report_due_day": seeded.report_due_day,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    after = client.get(url)
    assert after["ETag"] != before["ETag"]
    assert "全新主题" in after.content.decode()


def test_a_cached_page_costs_one_query(client, seeded, django_assert_num_queries):
    url = reverse("home")
    first = client.get(url)
    with django_assert_num_queries(1):
        second = client.get(url)
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


def test_pages_are_cached_per_url_language_and_fragment(client, seeded):
    # Literal paths: reverse() follows the language of the last request in this thread.
    zh = client.get("/targets/")
    en = client.get("/en/targets/")
    fragment = client.get("/targets/", headers={"HX-Request": "true"})
    filtered = client.get("/targets/", {"q": "托育"})
    assert len({zh.content, en.content, fragment.content, filtered.content}) == 4
    assert zh["ETag"] != en["ETag"] and zh["ETag"] != fragment["ETag"]
    assert '<html lang="zh-hans">' in zh.content.decode() and '<html lang="en">' in en.content.decode()
    # Served again from the cache, each is the same as before.
    again = [
        client.get("/targets/"),
        client.get("/en/targets/"),
        client.get("/targets/", headers={"HX-Request": "true"}),
    ]
    assert [r.content for r in again] == [zh.content, en.content, fragment.content]


def test_an_error_page_is_neither_cached_nor_validated(client, seeded):
    response = client.get(reverse("home"), {"as_of": "nonsense"})
    assert response.status_code == 400
    assert not response.has_header("ETag")
    assert "no-cache" in response["Cache-Control"]
    assert client.get(reverse("home"), {"as_of": "nonsense"}).status_code == 400


def test_public_pages_accept_only_safe_methods(client, seeded):
    assert client.post(reverse("home")).status_code == 405
    assert client.head(reverse("home")).status_code == 200


def test_bump_drops_cached_pages(client, seeded):
    # Through the cache API only, so that this holds for Redis as for local memory.
    url = reverse("departments")
    key = caching.page_key(RequestFactory().get(url))
    assert cache.get(key) is None
    client.get(url)
    assert cache.get(key)["content"] == client.get(url).content  # stored, and served from there
    publication.bump()
    new_key = caching.page_key(RequestFactory().get(url))
    assert new_key != key  # the old copy is never read again (it expires on its own)
    response = client.get(url)
    assert response.status_code == 200
    assert cache.get(new_key)["content"] == response.content


def test_while_the_version_is_reused_a_hit_costs_no_query(
    client, seeded, settings, django_assert_num_queries, django_capture_on_commit_callbacks, publish
):
    settings.PUBLIC_VERSION_SECONDS = 30
    url = reverse("target", args=["P4.1"])
    first = client.get(url)
    with django_assert_num_queries(0):
        again = client.get(url)
    assert again.content == first.content and again["ETag"] == first["ETag"]
    # An approval replaces the cached version when it commits: the page changes at once.
    with django_capture_on_commit_callbacks(execute=True):
        publish("P4.1", 10450, datetime.date(2024, 6, 30))
    after = client.get(url)
    assert after["ETag"] != first["ETag"]
    assert "1.045万名" in after.content.decode()


def test_while_the_version_is_reused_the_database_is_the_fallback(client, seeded, settings, publish):
    settings.PUBLIC_VERSION_SECONDS = 30
    url = reverse("target", args=["P4.1"])
    client.get(url)
    # A change that does not call bump() (here: on_commit never runs in a test transaction)
    # shows once the cached version expires or is evicted, read again from the database.
    publish("P4.1", 10450, datetime.date(2024, 6, 30))
    assert "1.045万名" not in client.get(url).content.decode()
    cache.delete(publication.STAMP_KEY)
    assert "1.045万名" in client.get(url).content.decode()


# ------------------------------------------------------------------- compression


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_it_gzips_public_pages_for_clients_that_accept_it(client, seeded, name, args):
    url = reverse(name, args=args)
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert "Content-Encoding" not in plain
    if len(plain.content) < 200:  # too small to gain anything: sent as it is
        assert "Content-Encoding" not in packed
        return
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"] and "HX-Request" in packed["Vary"]
    # Each encoding is rendered and cached on its own; an empty feed says "updated now".
    assert re.sub(rb"<updated>[^<]*</updated>", b"", gzip.decompress(packed.content)) == re.sub(
        rb"<updated>[^<]*</updated>", b"", plain.content
    )
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": packed["ETag"]})
    assert again.status_code == 304


def test_the_home_page_is_at_most_8_kb_on_the_wire(client, seeded):
    response = client.get(reverse("home"), headers={"Accept-Encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert len(response.content) <= 8 * 1024, len(response.content)


def test_staff_pages_are_never_compressed(official_own):
    response = as_user(official_own).get(reverse("workspace"), headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and "Content-Encoding" not in response
