"""Shared pytest fixtures: the seed data, a real headless Chromium, and axe-core checks.

Seed data
    ``seeded``       the 2024 plan and the 2023 results, loaded inside the test's transaction
                     (rolled back afterwards); returns the 2024 Plan.
    ``seeded_live``  the same for ``transactional_db`` / ``live_server`` tests, whose database
                     is flushed after each test.
    The first load in a session runs the fixtures through Django's deserializer (the same
    code path as ``loaddata``); later loads re-insert the already-resolved objects, which
    takes a few milliseconds instead of most of a second. Tests that do not ask for the seed
    get an empty database.

Browser (marker ``browser``, added automatically to tests that use ``browser`` or ``page``)
    ``browser``      session-scoped headless Chromium at /usr/bin/chromium via Playwright's
                     sync API (no pytest-playwright, no downloaded browsers).
    ``page``         a fresh context (locale zh-CN) and page per test.
    ``axe``          ``axe(page)`` injects axe-core, runs it, and asserts no violations.
    Without Chromium the browser tests skip, or fail when REQUIRE_BROWSER=1 (set by
    scripts/test under CI=true).
"""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core import serializers
from django.core.management.color import no_style
from django.db import connections, transaction

from tests.builders import AFTER_PLAN_YEAR, IN_PLAN_YEAR
from tests.personas import (  # noqa: F401 (fixtures, registered for every test module)
    admin,
    anonymous,
    official_other,
    official_own,
    persona,
    reviewer,
    world,
)

# Playwright's sync API keeps an asyncio event loop in the main thread, which makes Django
# refuse ORM calls from that thread (SynchronousOnlyOperation) once a browser has started.
# The tests drive the ORM and the browser sequentially from one thread, so this is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
SEED_FIXTURES = (ROOT / "fixtures" / "plan-2024.json", ROOT / "fixtures" / "results-2023.json")
SEED_YEAR = 2024
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BROWSER_FIXTURES = {"browser", "page", "axe"}


def require_browser() -> bool:
    return os.environ.get("REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}


def unavailable(reason: str):
    """Skip a browser test for a missing tool, or fail it when REQUIRE_BROWSER=1."""
    if require_browser():
        pytest.fail(f"{reason} (REQUIRE_BROWSER=1: browser tests may not skip)", pytrace=False)
    pytest.skip(reason)


def pytest_configure(config):
    # WhiteNoise warns that STATIC_ROOT does not exist until collectstatic has run; tests
    # serve static files through the staticfiles finders and do not need it.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")


# pytest-timeout's limit (pyproject: 300 s) for tests that start a browser or a cluster,
# whose first test also pays for starting it.
SLOW_TIMEOUT = 900


def pytest_collection_modifyitems(config, items):
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
        if item.get_closest_marker("browser") and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(SLOW_TIMEOUT))


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Hash test users' passwords with MD5: the real hasher costs about a second per user."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


# ---------------------------------------------------------------------------- seed data

_seed_objects: list | None = None  # DeserializedObjects of the first load, pks resolved


def load_seed(using: str = "default") -> None:
    """Load fixtures/plan-2024.json and fixtures/results-2023.json into the database.

    Equivalent to ``call_command("loaddata", ...)`` on an empty database (tests/test_infra.py
    checks that), but only the first call per session pays for deserializing and resolving
    natural keys.
    """
    global _seed_objects
    connection = connections[using]
    with transaction.atomic(using=using):
        if _seed_objects is None:
            objects = []
            for path in SEED_FIXTURES:
                with path.open(encoding="utf-8") as fh:
                    for obj in serializers.deserialize(
                        "json", fh, using=using, handle_forward_references=True
                    ):
                        obj.save(using=using)
                        objects.append(obj)
            for obj in objects:
                if obj.deferred_fields:
                    obj.save_deferred_fields(using=using)
            _seed_objects = objects
        else:
            for obj in _seed_objects:
                obj.save(using=using, force_insert=True)
            for obj in _seed_objects:
                if obj.deferred_fields:
                    obj.save_deferred_fields(using=using)
        # As loaddata does: move PostgreSQL sequences past the loaded primary keys.
        models = {type(obj.object) for obj in _seed_objects}
        statements = connection.ops.sequence_reset_sql(no_style(), models)
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


def seed_plan():
    from goals.models import Plan

    return Plan.objects.get(year=SEED_YEAR)


@pytest.fixture
def seeded(db):
    """The 2024 plan and the 2023 results, in this test's transaction. Returns the Plan."""
    load_seed()
    return seed_plan()


@pytest.fixture
def seeded_live(transactional_db):
    """The seed for transactional_db / live_server tests (flushed after each test)."""
    load_seed()
    return seed_plan()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request to /en/… activates English in
    this thread, and reverse() would otherwise add /en/ to the next test's URLs."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.activate("zh-hans")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Start every test with an empty cache: rendered public pages are cached under a
    version built from row ids, which a rolled-back test may hand out again. The version is
    read from the database on every request (as under TESTING=1), so a test sees at once a
    change made without an on_commit bump (on_commit never runs in a test transaction)."""
    from django.core.cache import cache
    from django.test.utils import override_settings

    cache.clear()
    with override_settings(PUBLIC_VERSION_SECONDS=0):
        yield
    cache.clear()


# --------------------------------------------------------------------------------- clock
# Pages, exports and forms read "today" (timezone.localdate()). A test that depends on it
# pins it with time-machine, so that it means the same in 2024 as in 2030. Live-server and
# browser tests run the server in another thread and are left on the real clock.

CHINA = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def today(time_machine):
    """``today(day)``: from now on in this test, it is 10:00 China Standard Time on `day`."""

    def pin(day: datetime.date) -> datetime.date:
        time_machine.move_to(datetime.datetime.combine(day, datetime.time(10), tzinfo=CHINA))
        return day

    return pin


@pytest.fixture(params=[IN_PLAN_YEAR, AFTER_PLAN_YEAR], ids=["in-2024", "after-2024"])
def plan_day(request, today) -> datetime.date:
    """The test runs twice: on 1 July 2024 (inside the seed's plan year) and on 1 March 2025."""
    return today(request.param)


@pytest.fixture(autouse=True)
def _unprefixed_public_urls(settings):
    """The page tests address the plan they load by its URLs without a year (/targets/P1.3/),
    which then serve the latest plan instead of redirecting to /2024/targets/P1.3/. The
    redirect and the year URLs are tested in tests/test_years.py, with it switched on."""
    settings.PUBLIC_YEAR_REDIRECT = False


# ------------------------------------------------------------------------------ personas
# The staff world and its personas are defined in tests/personas.py and imported above, so
# that every test module can ask for them by name.


@pytest.fixture
def publish(db):
    """``publish(target_or_code, value, as_of, approve=True, **submit_kwargs)`` → the Report.

    Submits through goals.reporting.services and approves, as the staff pages do, by a publishing
    official and a reviewer of their own (not the persona fixtures). A code is looked up in
    the seeded 2024 plan (ask for ``seeded`` too)."""
    from goals.models import Target
    from tests.builders import make_user
    from tests.builders import publish as publish_report

    users = {}

    def _publish(target, value, as_of, approve: bool = True, **kw):
        if not users:
            users.update(author=make_user("publish-author"), reviewer=make_user("publish-reviewer"))
        if isinstance(target, str):
            target = Target.objects.get(plan__year=SEED_YEAR, code=target)
        return publish_report(target, value, as_of, approve=approve, **users, **kw)

    return _publish


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded evidence goes to a temporary MEDIA_ROOT, removed after the test."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# ------------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium from the system (/usr/bin/chromium), shared by the session."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        unavailable(f"Chromium not found at {CHROMIUM}: apt-get install chromium fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    """A new page in a fresh browser context (Simplified Chinese locale), closed after."""
    context = browser.new_context(locale="zh-CN")
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation.get('impact')}): {violation['help']}")
        lines.append(f"    {violation.get('helpUrl', '')}")
        for node in violation.get("nodes", [])[:10]:
            lines.append(f"    at {json.dumps(node.get('target'), ensure_ascii=False)}")
    return "\n".join(lines)


@pytest.fixture
def axe():
    """``axe(page)``: run axe-core on the page and assert it finds no violations.

    Returns the violations (an empty list when the assertion holds). Pass
    ``expect_clean=False`` to get them without asserting, ``options=`` for axe.run options.
    """
    if not AXE_JS.is_file():
        unavailable(f"{AXE_JS.relative_to(ROOT)} is missing: run scripts/setup (npm ci)")

    def check_a11y(page, *, options: dict | None = None, expect_clean: bool = True) -> list[dict]:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            # Evaluated through the DevTools protocol: a <script> tag holding axe inline would be
            # (rightly) blocked by the site's content security policy.
            page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
        violations = page.evaluate(
            "async (options) => (await window.axe.run(document, options)).violations",
            options or {},
        )
        if expect_clean:
            assert not violations, f"axe-core found accessibility violations on {page.url}:\n" + (
                format_violations(violations)
            )
        return violations

    return check_a11y
