"""Property-based fuzzing: no input, on any URL, as anyone, answers 5xx; a refused request
changes nothing.

Hypothesis generates path segments, query strings and form fields from printable text,
control characters (NUL included), other scripts, huge numbers and numerals that are
digits only to `str.isdigit()`; every public URL with its query parameters, and every staff
form as each persona, in both languages. Runs on SQLite and on PostgreSQL (which refuses
what SQLite stores, like NUL). Examples are bounded so that the file takes well under
90 s per database.
"""

from __future__ import annotations

import datetime
from urllib.parse import quote, urlencode

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from goals.models import AuditEntry, Evidence, Report, Target
from goals.reporting import services
from tests.personas import DAY, PERSONAS, as_user

FUZZ = hsettings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text an attacker (or a broken client) might send.
NASTY = st.sampled_from(
    ["\x00", "\x01", "\x1b", "\x7f", "\r\n", "²", "١٢", "１２", "9" * 40, "-1", "1e9", "0x1f", "NaN", "Infinity",
     "%00", "%", "..", "../../etc/passwd", "<script>", "'; DROP TABLE x;--", "\ud7ff", "\U0001f600", "\u202e",
     " ", "", "P1.3", "A1", "S4", "P5.2.1", "2024", "9000", "2024-06-30", "2024-02-30", "0001-01-01",
     "9999-12-31", "true", "on"]
)  # fmt: skip
TEXT = st.one_of(
    NASTY,
    st.sampled_from(["\x00", "a\x00b", "\x00" * 3]),
    st.text(alphabet=st.characters(max_codepoint=0x1F), min_size=1, max_size=4),
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=20),
    st.builds(lambda a, b: a + b, NASTY, st.text(max_size=10)),
)
SEGMENT = st.one_of(TEXT.filter(lambda s: s not in ("", ".", "..")), st.integers(-(10**20), 10**20).map(str))
LANGUAGE = st.sampled_from(["", "/en"])

PUBLIC_PATHS = [
    "/",
    "/targets/",
    "/targets/{}/",
    "/projects/{}/",
    "/actions/{}/",
    "/pillars/{}/",
    "/evidence/{}/",
    "/departments/",
    "/departments/{}/",
    "/league/",
    "/data/{}/targets.csv",
    "/data/{}/targets.json",
    "/data/{}/reports.csv",
    "/data/updates.atom",
    "/healthz",
]
QUERY_KEYS = ["q", "status", "group", "department", "stale", "page", "as_of", "sort", "x", "light", "overdue"]
QUERY = st.dictionaries(st.sampled_from(QUERY_KEYS), TEXT, max_size=4)


def url_for(language: str, pattern: str, segment: str, query: dict) -> str:
    path = language + pattern.format(quote(segment, safe=""))
    return path + ("?" + urlencode(query) if query else "")


def snapshot() -> tuple:
    user = get_user_model()
    return (
        list(Report.objects.order_by("id").values_list("id", "state", "value", "note", "return_reason")),
        AuditEntry.objects.count(),
        Evidence.objects.count(),
        list(Target.objects.order_by("id").values_list("id", "revision", "lead_department_id")),
        list(user.objects.order_by("id").values_list("id", "password", "is_active")),
    )


@pytest.mark.parametrize("pattern", PUBLIC_PATHS)
def test_public_urls_never_answer_5xx(seeded, pattern):
    before = snapshot()

    @FUZZ
    @given(language=LANGUAGE, segment=SEGMENT, query=QUERY)
    def probe(language, segment, query):
        url = url_for(language, pattern, segment, query)
        response = Client().get(url)
        assert response.status_code < 500, url

    probe()
    assert snapshot() == before


@pytest.mark.parametrize(
    "path",
    ["/x%0a/", "/2024%0a/", "/en/%0a", "/%0a", "/2024/%0a", "/targets%0a/", "/targets/%0a/", "/en/2024%0a/targets/",
     "/x%0d%0a/", "/targets/P1.3/%0a", "/en/targets/%0d/", "/staff/%0a"],
)  # fmt: skip
def test_a_line_break_anywhere_in_the_path_is_no_5xx(seeded, settings, path):
    settings.PUBLIC_YEAR_REDIRECT = True
    client = Client(raise_request_exception=False)
    assert client.get(path).status_code < 500, path
    assert client.get(path + "?q=%E6%89%98").status_code < 500, path


# ------------------------------------------------------------------------------- staff


@pytest.fixture
def scene(world, official_own, official_other, reviewer, admin, settings, tmp_path):
    """Every persona, a submitted and a returned report of 甲单位, one of 乙单位."""
    settings.MEDIA_ROOT = tmp_path
    own = services.submit_report(target=world.own_target, value=5, as_of=DAY, author=official_own)
    returned = services.submit_report(target=world.own_target, value=6, as_of=DAY, author=official_own)
    services.return_report(report=returned, reviewer=reviewer, reason="请补充照片")
    other = services.submit_report(target=world.other_target, value=3, as_of=DAY, author=official_other)
    users = {
        "anonymous": None,
        "official_own": official_own,
        "official_other": official_other,
        "reviewer": reviewer,
        "admin": admin,
    }
    return world, users, {"own": own, "returned": returned, "other": other}


REPORT_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "value": TEXT,
        "as_of": st.one_of(TEXT, st.dates().map(datetime.date.isoformat)),
        "note": TEXT,
        "next_steps": TEXT,
        "confirm": TEXT,
        "revision": TEXT,
        "keep_evidence": TEXT,
    },
)


STAFF_REQUESTS = [
    "workspace",
    "review queue",
    "evidence",
    "report form",
    "milestone report form",
    "report on any code",
    "resubmit",
    "approve",
    "return",
    "bulk approve",
    "sign in",
    "password change",
    "league",
    "reminder preferences",
]


def staff_requests(world, reports) -> dict:
    """name -> (method, URL strategy, form data strategy); ids and codes real or fuzzed."""
    real_ids = st.sampled_from([str(r.pk) for r in reports.values()])
    ids = st.one_of(real_ids, SEGMENT)
    codes = st.one_of(
        st.sampled_from([world.own_target.code, world.other_target.code, world.milestone.code]), SEGMENT
    )

    def report_form(target):
        return REPORT_FIELDS.map(lambda d: {f"t{target.pk}-{k}": v for k, v in d.items()})

    def under(pattern):
        return lambda i: pattern.format(quote(i, safe=""))

    return {
        "workspace": ("get", st.builds(lambda q: "/staff/?" + urlencode(q), QUERY), st.just({})),
        "review queue": ("get", st.builds(lambda q: "/staff/review/?" + urlencode(q), QUERY), st.just({})),
        "evidence": ("get", ids.map(under("/staff/evidence/{}/")), st.just({})),
        "report form": (
            "post",
            st.just(f"/staff/targets/{world.own_target.code}/report/"),
            report_form(world.own_target),
        ),
        "milestone report form": (
            "post",
            st.just(f"/staff/targets/{world.milestone.code}/report/"),
            report_form(world.milestone),
        ),
        "report on any code": ("post", codes.map(under("/staff/targets/{}/report/")), REPORT_FIELDS),
        "resubmit": ("post", ids.map(under("/staff/reports/{}/resubmit/")), REPORT_FIELDS),
        "approve": ("post", ids.map(under("/staff/reports/{}/approve/")), st.just({})),
        "return": (
            "post",
            ids.map(under("/staff/reports/{}/return/")),
            st.fixed_dictionaries({"reason": TEXT}),
        ),
        "bulk approve": (
            "post",
            st.just("/staff/review/approve/"),
            st.fixed_dictionaries({"report": st.lists(ids, max_size=5)}),
        ),
        "sign in": (
            "post",
            st.just("/staff/login/"),
            st.fixed_dictionaries(
                {"username": st.one_of(TEXT, st.text(min_size=151, max_size=300)), "password": TEXT}
            ),
        ),
        "league": ("get", st.builds(lambda q: "/staff/league/?" + urlencode(q), QUERY), st.just({})),
        "reminder preferences": (
            "post",
            st.just("/staff/reminders/"),
            st.fixed_dictionaries({}, optional={"opt_out": TEXT, "language": TEXT}),
        ),
        "password change": (
            "post",
            st.just("/staff/password/"),
            st.fixed_dictionaries({"old_password": TEXT, "new_password1": TEXT, "new_password2": TEXT}),
        ),
    }


@pytest.mark.parametrize("request_name", STAFF_REQUESTS)
@pytest.mark.parametrize("persona_name", PERSONAS)
def test_staff_forms_never_answer_5xx_and_refusals_change_nothing(scene, persona_name, request_name):
    world, users, reports = scene
    client = as_user(users[persona_name])
    method, urls, fields = staff_requests(world, reports)[request_name]

    @hsettings(FUZZ, max_examples=12)
    @given(url=urls, body=fields, language=LANGUAGE, htmx=st.booleans())
    def probe(url, body, language, htmx):
        url = language + url
        headers = {"HX-Request": "true"} if htmx else {}
        # Each example starts from the same scene: what one accepted request changed is
        # rolled back before the next.
        with transaction.atomic():
            before = snapshot()
            response = getattr(client, method)(url, body, headers=headers)
            assert response.status_code < 500, (url, body)
            refused = response.status_code >= 400 or "/login/" in response.get("Location", "")
            if refused or method == "get":
                assert snapshot() == before, (url, body, response.status_code)
            transaction.set_rollback(True)

    probe()
