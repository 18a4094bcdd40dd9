"""Fuzzing the residents' pages (goals.participation): no path, query, token or form field
answers 5xx, and a refused submission stores nothing and queues no email. The text
strategies are those of tests/test_fuzz.py."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django_tasks_db.models import DBTaskResult
from hypothesis import given
from hypothesis import strategies as st

from goals.models import AuditEntry, Follow, Question
from tests.test_fuzz import FUZZ, LANGUAGE, QUERY, SEGMENT, TEXT, url_for

pytestmark = pytest.mark.django_db

GET_PATHS = [
    "/follow/target/{}/",
    "/follow/department/{}/",
    "/follow/confirm/{}/",
    "/follow/unsubscribe/{}/",
    "/follow/unsubscribe-all/{}/",
    "/follow/manage/{}/",
    "/questions/ask/{}/",
    "/questions/confirm/{}/",
    "/questions/delete/{}/",
    "/data/{}/questions.csv",
    "/data/{}/questions.json",
    "/data/2024/targets/{}/updates.atom",
    "/data/2024/projects/{}/updates.atom",
    "/elder/on/",
]


def stored() -> tuple:
    return (
        Follow.objects.count(),
        Question.objects.count(),
        DBTaskResult.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize("pattern", GET_PATHS)
def test_the_residents_urls_never_answer_5xx(seeded, pattern):
    before = stored()

    @FUZZ
    @given(
        language=LANGUAGE, segment=SEGMENT, query=st.one_of(QUERY, st.fixed_dictionaries({"year": SEGMENT}))
    )
    def probe(language, segment, query):
        client = Client()
        url = url_for(language, pattern, segment, query)
        assert client.get(url).status_code < 500, url
        if not pattern.startswith(("/data/", "/elder/")):
            assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code < 500, url

    probe()
    assert stored() == before


@pytest.mark.parametrize("form", ["follow", "question"])
def test_the_forms_refuse_what_they_cannot_take_and_store_nothing(seeded, form):
    url = "/follow/target/P4.1/?year=2024" if form == "follow" else "/questions/ask/P4.1/?year=2024"
    fields = ["email", "frequency", "website"] if form == "follow" else ["text", "email", "name", "website"]

    @FUZZ
    @given(
        language=LANGUAGE,
        data=st.fixed_dictionaries(dict.fromkeys(fields, TEXT)),
        ip=st.sampled_from(["203.0.113.1", "203.0.113.2", "198.51.100.7"]),
    )
    def probe(language, data, ip):
        cache.clear()
        before = stored()
        response = Client(REMOTE_ADDR=ip).post(language + url, data)
        assert response.status_code < 500
        if response.status_code != 302:
            assert stored() == before, data

    probe()
