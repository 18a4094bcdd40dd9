"""The test infrastructure itself: which database we run on, strict settings, the seed loader."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core import serializers
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, transaction

from config.env import database_from_url, env_bool, env_int, env_list
from tests import conftest

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_VARIABLES = (
    "DATABASE_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_CONN_MAX_AGE",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "STALE_AFTER_DAYS",
    "PACE_TOLERANCE_POINTS",
    "EVIDENCE_MAX_BYTES",
    "SECURE_COOKIES",
    "LOG_LEVEL",
    "TESTING",
    "REDIS_URL",
    "PUBLIC_MAX_AGE",
    "PUBLIC_PLAN_YEAR",
    "AXES_ENABLED",
    "AXES_FAILURE_LIMIT",
    "TRUSTED_PROXY_COUNT",
    "AXES_COOLOFF_MINUTES",
    "BACKUP_SIGNING_KEY",
    "BACKUP_ENCRYPTION_KEY",
    "DATABASE_STATEMENT_TIMEOUT_MS",
)


# ------------------------------------------------------------------------- the database


@pytest.mark.django_db
def test_database_is_the_one_database_url_names():
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        assert connection.vendor == "postgresql"
        assert connection.pg_version >= 150000, connection.pg_version
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            assert cursor.fetchone()[0].startswith("PostgreSQL ")
    else:
        assert url == "" or url.startswith("sqlite:"), url
        assert connection.vendor == "sqlite"


# ----------------------------------------------------------------------- settings helpers


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", " yes ", "on"])
def test_env_bool_true(monkeypatch, raw):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", False) is True


@pytest.mark.parametrize("raw", ["0", "false", "No", "off", ""])
def test_env_bool_false(monkeypatch, raw):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", True) is False


def test_env_bool_default_and_rejection(monkeypatch):
    monkeypatch.delenv("SOME_FLAG", raising=False)
    assert env_bool("SOME_FLAG", True) is True
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match=r"SOME_FLAG must be one of .*got 'maybe'"):
        env_bool("SOME_FLAG", False)


def test_env_int(monkeypatch):
    monkeypatch.delenv("SOME_NUMBER", raising=False)
    assert env_int("SOME_NUMBER", 45) == 45
    monkeypatch.setenv("SOME_NUMBER", "")
    assert env_int("SOME_NUMBER", 45) == 45
    monkeypatch.setenv("SOME_NUMBER", "30")
    assert env_int("SOME_NUMBER", 45, minimum=1) == 30
    monkeypatch.setenv("SOME_NUMBER", "abc")
    with pytest.raises(ImproperlyConfigured, match=r"SOME_NUMBER must be a whole number; got 'abc'"):
        env_int("SOME_NUMBER", 45)
    monkeypatch.setenv("SOME_NUMBER", "2.5")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("SOME_NUMBER", 45)
    monkeypatch.setenv("SOME_NUMBER", "0")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER must be at least 1; got 0"):
        env_int("SOME_NUMBER", 45, minimum=1)


def test_env_list(monkeypatch):
    monkeypatch.delenv("SOME_LIST", raising=False)
    assert env_list("SOME_LIST", ["localhost"]) == ["localhost"]
    monkeypatch.setenv("SOME_LIST", " example.org, www.example.org ,")
    assert env_list("SOME_LIST", []) == ["example.org", "www.example.org"]
    monkeypatch.setenv("SOME_LIST", " , ")
    with pytest.raises(ImproperlyConfigured, match="SOME_LIST must list at least one value"):
        env_list("SOME_LIST", [])


def test_database_from_url_postgres_socket_directory(monkeypatch):
    monkeypatch.delenv("DATABASE_CONN_MAX_AGE", raising=False)
    db = database_from_url("postgres://postgres@/goals?host=/srv/goals-pg.abc123")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "goals",
        "postgres",
        "",
        "/srv/goals-pg.abc123",
        "",
    )
    assert db["OPTIONS"] == {}
    assert db["CONN_MAX_AGE"] == 600


def test_database_from_url_postgres_tcp(monkeypatch):
    monkeypatch.setenv("DATABASE_CONN_MAX_AGE", "0")
    db = database_from_url("postgresql://app:p%40ss@db.internal:6543/goals?sslmode=require")
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "goals",
        "app",
        "p@ss",
        "db.internal",
        "6543",
    )
    assert db["OPTIONS"] == {"sslmode": "require"}
    assert db["CONN_MAX_AGE"] == 0


def test_database_from_url_sqlite():
    relative = database_from_url("sqlite:///db.sqlite3")
    assert relative["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(relative["NAME"]) == ROOT / "db.sqlite3"
    assert Path(database_from_url("sqlite:////var/lib/goals/db.sqlite3")["NAME"]) == Path(
        "/var/lib/goals/db.sqlite3"
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://x", "DATABASE_URL must start with sqlite:// or postgres://"),
        ("postgres://user@host/", "a postgres URL needs a database name"),
        ("postgres://user@host:port/goals", "the port is not a number"),
        ("sqlite://", "a sqlite URL needs a file path"),
    ],
)
def test_database_from_url_rejects(url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        database_from_url(url)


# ------------------------------------------------- the settings module under a bad environment


def start_django(**env: str) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "0"}, "SECRET_KEY is required when DEBUG is off"),
        ({"DEBUG": "maybe"}, "DEBUG must be one of 1/0, true/false, yes/no, on/off; got 'maybe'"),
        (
            {"DEBUG": "1", "DATABASE_URL": "mysql://x"},
            "DATABASE_URL must start with sqlite:// or postgres://",
        ),
        ({"DEBUG": "1", "STALE_AFTER_DAYS": "abc"}, "STALE_AFTER_DAYS must be a whole number; got 'abc'"),
        ({"DEBUG": "0", "SECRET_KEY": "x" * 50}, "ALLOWED_HOSTS is required when DEBUG is off"),
        ({"DEBUG": "1", "TRUSTED_PROXY_COUNT": "-1"}, "TRUSTED_PROXY_COUNT must be at least 0; got -1"),
    ],
    ids=["secret-key", "debug", "database-url", "stale-after-days", "allowed-hosts", "proxy-count"],
)
def test_bad_environment_stops_start_up(env, message):
    result = start_django(**env)
    assert result.returncode != 0, result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr, result.stderr[-2000:]


def test_good_environment_starts():
    result = start_django(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="goals.example.org")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "started"


# -------------------------------------------------------------------------- the seed loader


def snapshot() -> list[str]:
    """Every goals/projects row, by natural keys, so that differing pks do not matter."""
    rows = []
    for app in ("goals", "projects"):
        for model in apps.get_app_config(app).get_models():
            data = serializers.serialize(
                "python",
                model._base_manager.all(),
                use_natural_foreign_keys=True,
                use_natural_primary_keys=True,
            )
            for row in data:
                row.pop("pk", None)
                rows.append(repr(sorted(row.items(), key=lambda item: item[0])))
    return sorted(rows)


def load_in_savepoint(load) -> list[str]:
    with transaction.atomic():
        load()
        rows = snapshot()
        transaction.set_rollback(True)
    return rows


@pytest.mark.django_db
def test_seed_loader_matches_loaddata(monkeypatch):
    monkeypatch.setattr(conftest, "_seed_objects", None)  # start cold: deserialize
    by_loaddata = load_in_savepoint(
        lambda: call_command("loaddata", *map(str, conftest.SEED_FIXTURES), verbosity=0)
    )
    first = load_in_savepoint(conftest.load_seed)
    cached = load_in_savepoint(conftest.load_seed)
    assert len(by_loaddata) > 300
    assert first == by_loaddata
    assert cached == by_loaddata


def test_seeded_fixture_gives_the_2024_plan(seeded):
    from goals.models import Target

    assert seeded.year == 2024
    assert Target.objects.filter(plan=seeded).count() > 100


@pytest.mark.django_db
def test_tests_without_the_seed_get_an_empty_database():
    from goals.models import Plan

    assert not Plan.objects.exists()
