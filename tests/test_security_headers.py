"""HTTPS by default without DEBUG, a strict content security policy on every response, and
headers that score A+ the way Mozilla's HTTP Observatory scores them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests import observatory
from tests.builders import make_user

ROOT = Path(__file__).resolve().parent.parent
SECRET = "x" * 20 + "-a-long-and-random-enough-secret-key-for-check-deploy-0123456789"
PRODUCTION_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
]


def django_process(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run `code` after django.setup() in a fresh interpreter with only `env` configured."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("SECURE_", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "TESTING", "TRUSTED_", "DJANGO_")
        )
        and key != "SITE_URL"
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_values(**env: str) -> dict:
    code = (
        "import json; from django.conf import settings\n"
        f"print(json.dumps({{name: getattr(settings, name, None) for name in {PRODUCTION_SETTINGS!r}}}))"
    )
    result = django_process(code, DEBUG="0", SECRET_KEY=SECRET, ALLOWED_HOSTS="goals.example.org", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# ------------------------------------------------------------------- HTTPS without DEBUG


def test_it_turns_https_on_when_debug_is_off():
    values = production_values()
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] is None  # no proxy declared: the header is not trusted


def test_each_https_setting_can_be_switched_off_for_a_plain_http_intranet():
    values = production_values(SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0", SECURE_COOKIES="0")
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["SESSION_COOKIE_SECURE"] is False and values["CSRF_COOKIE_SECURE"] is False


def test_it_trusts_the_forwarded_protocol_only_behind_a_declared_proxy():
    assert production_values(TRUSTED_PROXY_COUNT="1")["SECURE_PROXY_SSL_HEADER"] == [
        "HTTP_X_FORWARDED_PROTO",
        "https",
    ]


def test_check_deploy_is_clean_with_only_the_required_variables():
    result = django_process(
        "from django.core.management import call_command; call_command('check', '--deploy')",
        DEBUG="0",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="goals.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout + result.stderr
    assert "WARNINGS" not in result.stderr


@pytest.mark.parametrize(
    ("value", "ok"),
    [("https://goals.example.gov.cn", True), ("goals.example.gov.cn", False), ("https://x.org/path", False)],
)
def test_site_url_must_be_an_origin(value, ok):
    result = django_process("print('started')", DEBUG="1", SITE_URL=value)
    assert (result.returncode == 0) is ok, result.stderr
    if not ok:
        assert "SITE_URL must be an origin" in result.stderr


# --------------------------------------------------------------------- scored headers


@pytest.fixture
def production(settings, tmp_path):
    """The values production derives (see the subprocess tests above), in this process."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 365 * 24 * 3600
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.WHITENOISE_USE_FINDERS = True  # serve /static/ from the source folders
    settings.STATIC_ROOT = tmp_path
    return settings


def fetch(client: Client, url: str):
    return client.get(url, secure=True), client.get(url, secure=False)


def page_urls(admin_user) -> dict[str, tuple[Client, str]]:
    staff = Client()
    staff.force_login(admin_user)
    return {
        "public page": (Client(), reverse("home")),
        "staff sign-in page": (Client(), reverse("login")),
        "staff workspace": (staff, reverse("workspace")),
        "admin page": (staff, "/admin/goals/target/"),
        "static file": (Client(), "/static/css/site.css"),
        "open data": (Client(), reverse("data_targets_csv", args=[2024])),
    }


@pytest.mark.django_db
def test_every_kind_of_response_scores_a_plus(seeded, production):
    admin_user = make_user("chief", is_staff=True, is_superuser=True)
    for name, (client, url) in page_urls(admin_user).items():
        response, plain_http = fetch(client, url)
        assert response.status_code == 200, (name, response.status_code)
        total, results = observatory.score(response, plain_http)
        assert total >= 100, f"{name} scored {total}: {results}"
        failed = [r for r in results if r[2] < 0]
        assert not failed, f"{name}: {failed}"


@pytest.mark.django_db
def test_the_policy_forbids_inline_code_and_framing(seeded, production):
    policy = observatory._directives(Client().get("/", secure=True)["Content-Security-Policy"])
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["form-action"] == ["'self'"]


@pytest.mark.django_db
def test_pages_carry_no_inline_script_or_style(seeded):
    official_pages = [reverse("home"), reverse("targets"), reverse("target", args=["P1.3"]), reverse("login")]
    for url in official_pages:
        html = Client().get(url).content.decode()
        assert "<script>" not in html and "<style" not in html and " style=" not in html, url
        assert 'name="htmx-config"' in html and '"allowEval":false' in html, url


def test_a_plain_http_request_is_redirected_to_https(production, db):
    response = Client().get("/targets/", secure=False)
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/targets/"


@pytest.mark.parametrize("probe", ["/healthz", "/readyz"])
def test_health_probes_answer_over_plain_http(production, db, probe):
    assert Client().get(probe, secure=False).status_code == 200


def test_the_observatory_scorer_penalises_what_it_should():
    """The scorer itself: a response with none of the headers scores F."""

    class Bare:
        headers: dict = {}
        cookies: dict = {}
        status_code = 200

    total, results = observatory.score(Bare(), Bare())
    assert total == 100 - 25 - 20 - 20 - 5 - 20
    assert {name for name, _result, points in results if points < 0} == {
        "content-security-policy",
        "redirection",
        "strict-transport-security",
        "x-content-type-options",
        "x-frame-options",
    }


@pytest.mark.django_db
def test_static_files_are_for_this_site_only(production):
    response = Client().get("/static/css/site.css", secure=True)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
