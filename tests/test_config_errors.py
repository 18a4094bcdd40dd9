"""A bad environment is said in two lines naming the variable and the fix, not a traceback.

manage.py commands (and scripts/serve, which runs them first) are started in subprocesses
with a bad setting, an unreachable PostgreSQL or an unwritable SQLite path. Also: Django's
log lines are printed once, and the lockout reads the client's address behind a proxy.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.test_infra import SETTINGS_VARIABLES

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    clean.update(env)
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


BAD = {
    "no-secret-key": ({"DEBUG": "0"}, ["SECRET_KEY is required", "export SECRET_KEY=", "DEBUG=1"]),
    "no-allowed-hosts": (
        {"DEBUG": "0", "SECRET_KEY": "x" * 50},
        ["ALLOWED_HOSTS is required", "export ALLOWED_HOSTS="],
    ),
    "bad-database-url": (
        {"DEBUG": "1", "DATABASE_URL": "mysql://db/goals"},
        ["DATABASE_URL must start with sqlite:// or postgres://", "export DATABASE_URL="],
    ),
    "postgres-unreachable": (
        {"DEBUG": "1", "DATABASE_URL": "postgres://goals@/goals?host=/nonexistent-socket-dir"},
        ["cannot connect to PostgreSQL", "/nonexistent-socket-dir", "DATABASE_URL"],
    ),
    "sqlite-unwritable": (
        # Under a file, so that no directory can be made there (root ignores permissions).
        {"DEBUG": "1", "DATABASE_URL": "sqlite:////dev/null/goals.sqlite3"},
        ["SQLite database /dev/null/goals.sqlite3", "DATABASE_URL"],
    ),
}


@pytest.mark.parametrize(
    "command",
    [
        ["migrate"],
        ["create_demo_accounts"],
        ["report", "P1.3", "1", "--as-of", "2024-06-30", "--by", "demo-official-a"],
    ],
)
@pytest.mark.parametrize("case", list(BAD))
def test_it_says_what_to_fix_in_two_lines(case, command):
    env, expected = BAD[case]
    result = manage(*command, **env)
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[1].lstrip().startswith("Fix: ")
    for text in expected:
        assert text in result.stderr


@pytest.mark.parametrize("case", ["no-secret-key", "postgres-unreachable"])
def test_it_shows_the_traceback_when_asked(case):
    env, expected = BAD[case]
    assert "Traceback" in manage("migrate", "--traceback", **env).stderr
    assert "Traceback" in manage("migrate", LOG_LEVEL="DEBUG", **env).stderr


def test_it_leaves_other_errors_alone(tmp_path):
    # Not a configuration problem: a command's own error is printed as Django prints it.
    result = manage(
        "report",
        "P1.3",
        "1",
        "--as-of",
        "2024-06-30",
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path}/empty.sqlite3",
    )
    assert result.returncode != 0
    assert "Configuration error" not in result.stderr and "Database error" not in result.stderr


def test_it_prints_each_log_line_once():
    code = "import logging; logging.getLogger('django.request').warning('said once')"
    result = manage("shell", "-c", code, DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("said once") == 1, result.stderr


# ------------------------------------------------------------------ the lockout behind a proxy


def test_it_locks_out_the_client_behind_a_trusted_proxy_not_the_proxy(db, settings):
    from tests.builders import make_user

    make_user("official-own")
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 2
    proxy = {"REMOTE_ADDR": "127.0.0.1"}

    def sign_in(forwarded: str, password: str) -> int:
        return (
            Client(**proxy)
            .post(
                "/staff/login/",
                {"username": "official-own", "password": password},
                HTTP_X_FORWARDED_FOR=forwarded,
            )
            .status_code
        )

    # nginx appends the address it saw; what the client wrote itself stands to its left.
    sign_in("192.0.2.1, 203.0.113.9", "guess-1")
    assert sign_in("192.0.2.2, 203.0.113.9", "guess-2") == 429
    assert sign_in("192.0.2.3, 203.0.113.9", "pw-official-own") == 429  # forging does not help
    assert sign_in("198.51.100.7", "pw-official-own") == 302  # others behind the same proxy


def test_it_ignores_forwarded_for_without_a_trusted_proxy(db, settings):
    from django.test import RequestFactory

    from goals.operations.proxies import client_address

    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.1")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request) == "203.0.113.9"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request) == "203.0.113.9"  # fewer hops than proxies: came around them
