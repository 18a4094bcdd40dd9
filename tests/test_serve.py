"""scripts/serve (production, gunicorn) and scripts/run (development), started for real.

scripts/serve refuses a bad environment in a line or two, and on SQLite serves pages with
the hashed static files that DEBUG off needs; scripts/run takes HOST/PORT, says that DEBUG
is on, and refuses DEBUG=0.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.services import ROOT, Client, free_port, stop, wait_until
from tests.test_infra import SETTINGS_VARIABLES

GOOD = {"SECRET_KEY": "serve-test-" + "x" * 40, "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0"}


def environment(tmp_path: Path, **env: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES and k not in {"HOST", "PORT"}}
    clean.update(
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        WEB_CONCURRENCY="1",
    )
    clean.update(env)
    return clean


def script(name: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [str(ROOT / "scripts" / name)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"ALLOWED_HOSTS": "127.0.0.1"}, "serve: SECRET_KEY is not set."),
        ({"SECRET_KEY": "x" * 50}, "serve: ALLOWED_HOSTS is not set."),
        ({**GOOD, "DEBUG": "1"}, "serve: DEBUG=1 is on, but scripts/serve is for production."),
        (
            {**GOOD, "DATABASE_URL": "postgres://goals@/goals?host=/nonexistent-socket-dir"},
            "Database error: cannot connect to PostgreSQL",
        ),
        ({**GOOD, "DATABASE_URL": "mysql://db/goals"}, "Configuration error: DATABASE_URL must start with"),
    ],
    ids=["secret-key", "allowed-hosts", "debug", "database-down", "database-url"],
)
def test_it_refuses_to_serve_with_a_bad_environment(tmp_path, env, expected):
    result = script("serve", environment(tmp_path, **env))
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(expected) and len(lines) == 2, result.stderr
    assert "Fix:" in lines[1] and "Traceback" not in result.stderr


def test_it_serves_with_debug_off_on_sqlite(tmp_path):
    port = free_port()
    env = environment(tmp_path, **GOOD, SECURE_COOKIES="0", HOST="127.0.0.1", PORT=str(port))
    subprocess.run(  # noqa: S603 - the plan, as README says to load it once
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(  # noqa: S603
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "seed"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(  # noqa: S603
            [str(ROOT / "scripts" / "serve")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        client = Client(port)
        wait_until(lambda: client.get("/healthz").status == 200, "scripts/serve", seconds=90, process=server)
        home = client.get("/")
        assert home.status == 200, home.text[:2000]
        stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', home.text).group(1)
        assert client.get(stylesheet).status == 200  # WhiteNoise, from the manifest
        assert "Missing staticfiles manifest" not in log.read_text()
        assert client.get("/no-such-page/").status == 404
    finally:
        stop(server)
    text = log.read_text()
    assert f"gunicorn on 127.0.0.1:{port}" in text and '"GET / HTTP/1.1" 200' in text  # the access log


def test_it_refuses_debug_off_in_scripts_run(tmp_path):
    result = script("run", environment(tmp_path, DEBUG="0"))
    assert result.returncode == 2
    assert "scripts/serve" in result.stderr and len(result.stderr.strip().splitlines()) == 2


def test_it_runs_the_development_server_on_host_and_port_saying_debug_is_on(tmp_path):
    port = free_port()
    env = environment(tmp_path, HOST="127.0.0.1", PORT=str(port))
    log = tmp_path / "run.log"
    with log.open("w") as out:
        server = subprocess.Popen(  # noqa: S603
            [str(ROOT / "scripts" / "run")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        client = Client(port)
        wait_until(lambda: client.get("/").status == 200, "scripts/run", seconds=120, process=server)
    finally:
        stop(server)
    text = log.read_text()
    assert "run: DEBUG is on" in text and f"serving http://127.0.0.1:{port}/" in text
    assert "npm" not in text
