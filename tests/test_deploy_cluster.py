"""Several app servers behind nginx, as deploy/ describes: state is shared, nothing is lost.

One throwaway PostgreSQL and one throwaway Redis; two app servers started by scripts/serve
(as deploy/goals.service does), each gunicorn with two workers on its own loopback port;
nginx in front with deploy/nginx-goals.conf (TLS with a self-signed certificate). The
whole set starts once for this module, independent of the database pytest itself uses, so
it runs the same in the SQLite and the PostgreSQL run of scripts/test.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import signal
import tempfile
import time
from pathlib import Path

import pytest

from tests import samples
from tests.services import ROOT, App, Client, Nginx, Postgres, Redis, self_signed_certificate, wait_until
from tests.test_infra import SETTINGS_VARIABLES

# The first test also waits for PostgreSQL, Redis, two app servers and nginx to start.
pytestmark = pytest.mark.timeout(900)

# A PDF (a real one: uploads are parsed): its bytes are stored and served as sent (images
# may be re-encoded on upload).
PDF = samples.PDF
SETTINGS_TO_DROP = {*SETTINGS_VARIABLES, "PUBLIC_VERSION_SECONDS", "WEB_CONCURRENCY", "HOST", "PORT"}


class Cluster:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.postgres = Postgres(tmp)
        self.redis = Redis(tmp)
        self.nginx = Nginx(tmp)
        self.apps: list[App] = []
        self.passwords: dict[str, str] = {}

    def start(self) -> None:
        database, cache = self.postgres.start(), self.redis.start()
        self.cert, key = self_signed_certificate(self.tmp)
        origin = f"https://localhost:{self.nginx.https_port}"
        env = {k: v for k, v in os.environ.items() if k not in SETTINGS_TO_DROP}
        env.update(
            SECRET_KEY="cluster-test-" + os.urandom(16).hex(),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=database,
            REDIS_URL=cache,
            STATIC_ROOT=str(self.tmp / "static"),
            MEDIA_ROOT=str(self.tmp / "media"),  # shared by both app servers
            TRUSTED_PROXY_COUNT="1",
            CSRF_TRUSTED_ORIGINS=origin,
            SITE_URL=origin,
            SECURE_SSL_REDIRECT="1",
            SECURE_COOKIES="1",
            AXES_FAILURE_LIMIT="3",
            # Passwords only: a second factor (OTP_REQUIRED, on by default with DEBUG off
            # where two-factor sign-in exists) is not what this test is about.
            OTP_REQUIRED="0",
            WEB_CONCURRENCY="2",
            LOG_LEVEL="WARNING",
        )
        first = App(self.tmp, "app-a", env)
        first.start()  # migrates and collects static files
        self.apps.append(first)
        manage = [str(ROOT / ".venv" / "bin" / "python"), "manage.py"]
        run(manage + ["seed"], env)
        demo = run(manage + ["create_demo_accounts"], {**env, "DEBUG": "1"})
        self.passwords = dict(re.findall(r"^\s+(demo-[\w-]+)\s+(\S+)\s", demo, flags=re.MULTILINE))
        assert set(self.passwords) == {
            "demo-official-a",
            "demo-official-b",
            "demo-head",
            "demo-reviewer",
            "demo-admin",
        }
        second = App(self.tmp, "app-b", env)
        second.start()
        self.apps.append(second)
        self.nginx.start(
            self.nginx.site([app.port for app in self.apps], self.tmp / "static", self.cert, key)
        )

    def stop(self) -> None:
        for server in (self.nginx, *self.apps, self.redis, self.postgres):
            try:
                server.stop()
            except Exception as error:  # noqa: BLE001 - stop the others all the same
                print(f"stopping {server}: {error}")

    def direct(self, index: int) -> Client:
        return Client(self.apps[index].port)

    def proxied(self) -> Client:
        return Client(self.nginx.https_port, tls_cert=self.cert)


def run(command: list[str], env: dict[str, str]) -> str:
    import subprocess

    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="module")
def cluster():
    with tempfile.TemporaryDirectory(prefix="goals-cluster.") as tmp:
        path = Path(tmp)
        path.chmod(0o755)  # the unprivileged nginx reads the static files in here
        cluster = Cluster(path)
        try:
            cluster.start()
            yield cluster
        finally:
            cluster.stop()


def signed_in(client: Client, cluster: Cluster, username: str) -> Client:
    response = client.sign_in(username, cluster.passwords[username])
    assert response.status == 302 and response.headers["Location"] == "/staff/", response.text[:500]
    return client


# ---------------------------------------------------------------------------------- tests


def test_it_keeps_a_sign_in_on_every_app_server(cluster):
    official = signed_in(cluster.direct(0), cluster, "demo-official-a")
    on_b = cluster.direct(1)
    on_b.cookies = dict(official.cookies)
    workspace = on_b.get("/staff/")
    assert workspace.status == 200 and "演示填报员(遥观镇)" in workspace.text

    # Through nginx, over TLS: every request is signed in, whichever server takes it.
    browser = signed_in(cluster.proxied(), cluster, "demo-reviewer")
    for n in range(6):
        page = browser.get(f"/staff/review/?n=proxied-{n}")
        assert page.status == 200 and "演示审核员" in page.text
    for app in cluster.apps:
        assert app.requests_logged("/staff/review/?n=proxied-") >= 2, app.log.read_text()[-2000:]


def test_it_publishes_an_approval_on_every_app_server_at_once(cluster):
    official = signed_in(cluster.direct(0), cluster, "demo-official-a")
    form = official.get("/staff/targets/P1.3/report/").text
    prefix, revision = re.search(r'name="(t\d+)-revision" value="(\d+)"', form).groups()
    public = cluster.direct(1)  # a resident reading from the other server
    # Each page at its address with the year (the year-less ones redirect there).
    pages = [
        "/2024/",
        "/2024/targets/",
        "/2024/targets/P1.3/",
        "/2024/projects/P1/",
        "/data/2024/targets.json",
    ]
    before = {url: public.get(url).body for url in pages}

    submitted = official.post(
        "/staff/targets/P1.3/report/",
        {
            f"{prefix}-value": "120",
            f"{prefix}-as_of": "2024-06-30",
            f"{prefix}-note": "集群测试",
            f"{prefix}-revision": revision,
        },
        files={f"{prefix}-evidence": ("托位验收单.pdf", PDF, "application/pdf")},
    )
    assert submitted.status == 302, submitted.text[:2000]

    reviewer = signed_in(cluster.direct(0), cluster, "demo-reviewer")
    queue = reviewer.get("/staff/review/").text
    assert re.search(r"/staff/reports/(\d+)/approve/", queue), queue[-3000:]
    report_id = re.search(r"/staff/reports/(\d+)/approve/", queue).group(1)
    approved = reviewer.post(f"/staff/reports/{report_id}/approve/", {})
    assert approved.status == 302 and approved.headers["Location"].startswith("/staff/review/"), (
        approved.text[:2000]
    )

    for url in pages:  # at once: no waiting for PUBLIC_VERSION_SECONDS (2 s) to run out
        assert public.get(url).body != before[url], url
    row = next(
        t for t in json.loads(public.get("/data/2024/targets.json").body)["targets"] if t["code"] == "P1.3"
    )
    assert row["current_value"] == 120

    # The evidence was uploaded to app server A: B serves it, and so does nginx.
    evidence = re.search(r"/evidence/(\d+)/", public.get("/2024/targets/P1.3/").text).group(0)
    assert public.get(evidence).body == PDF
    assert cluster.proxied().get(evidence).body == PDF
    stored = list((cluster.tmp / "media").rglob("*.pdf"))
    assert len(stored) == 1 and stored[0].read_bytes() == PDF
    # … but never straight from MEDIA_ROOT.
    media_path = "/media/" + stored[0].relative_to(cluster.tmp / "media").as_posix()
    assert cluster.proxied().get(media_path).status == 404


def test_it_serves_static_files_from_nginx_with_a_long_cache(cluster):
    browser = cluster.proxied()
    home = browser.get("/")
    assert home.status == 200
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', home.text).group(1)
    hashed = browser.get(stylesheet)
    assert hashed.status == 200 and b"error-page" in hashed.body
    assert hashed.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    plain = browser.get("/static/css/site.css")
    assert plain.status == 200 and plain.headers["Cache-Control"] == "public, max-age=3600"
    for app in cluster.apps:  # nginx answered these itself
        assert app.requests_logged("/static/") == 0


def test_it_refuses_a_body_over_the_upload_limit_at_nginx(cluster):
    import http.client

    connection = http.client.HTTPSConnection(
        "localhost", cluster.nginx.https_port, context=cluster.proxied().tls
    )
    try:
        connection.putrequest("POST", "/staff/login/")
        connection.putheader("Content-Length", str(27 * 1024 * 1024))
        connection.putheader("Content-Type", "application/octet-stream")
        connection.endheaders()
        assert connection.getresponse().status == 413
    finally:
        connection.close()


def test_it_redirects_plain_http_to_https(cluster):
    response = Client(cluster.nginx.http_port).get("/targets/")
    assert response.status == 301 and response.headers["Location"] == "https://127.0.0.1/targets/"


def test_it_reads_the_client_address_behind_nginx(cluster):
    """A forged X-Forwarded-For never dodges the lockout: nginx appends the real address."""
    browser = cluster.proxied()
    for n in range(3):
        browser.get("/staff/login/")
        browser.post(
            "/staff/login/",
            {"username": "demo-admin", "password": "wrong"},
            **{"X-Forwarded-For": f"192.0.2.{n}"},
        )
    locked = browser.sign_in("demo-admin", cluster.passwords["demo-admin"])
    assert locked.status == 429


def test_it_reloads_gracefully_on_hup(cluster):
    app = cluster.apps[1]
    old = app.workers()
    assert len(old) == 2
    os.kill(app.process.pid, signal.SIGHUP)  # what `systemctl reload goals` sends
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert cluster.direct(1).get("/healthz").status == 200
        new = app.workers()
        if len(new) == 2 and not new & old:
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"workers not replaced after HUP: {old} -> {app.workers()}")
    wait_until(lambda: cluster.direct(1).get("/").status == 200, "the reloaded app server")


# ------------------------------------------------------------------------ the systemd unit


def test_it_ships_a_systemd_unit_that_runs_scripts_serve():
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.optionxform = str
    unit.read(ROOT / "deploy" / "goals.service")
    service = unit["Service"]
    directory = Path(service["WorkingDirectory"])
    start = shlex.split(service["ExecStart"])
    assert Path(start[0]).relative_to(directory) == Path("scripts/serve")
    assert (ROOT / "scripts" / "serve").stat().st_mode & 0o111
    assert shlex.split(service["ExecReload"])[-2:] == ["HUP", "$MAINPID"]
    assert service["User"] != "root" and service["EnvironmentFile"]
    example = (ROOT / "deploy" / "goals.env.example").read_text()
    for variable in (
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "MEDIA_ROOT",
        "TRUSTED_PROXY_COUNT",
    ):
        assert re.search(rf"^{variable}=", example, flags=re.MULTILINE), variable


def test_it_lets_through_nginx_the_largest_request_the_app_takes(settings):
    site = (ROOT / "deploy" / "nginx-goals.conf").read_text()
    limit = int(re.search(r"client_max_body_size (\d+)m;", site).group(1)) * 1024 * 1024
    if hasattr(settings, "REQUEST_MAX_BYTES"):  # the app's own cap on a whole request
        assert limit == settings.REQUEST_MAX_BYTES
    else:
        from goals.reporting.forms import MAX_FILES

        largest_upload = MAX_FILES * settings.EVIDENCE_MAX_BYTES
        assert largest_upload < limit <= largest_upload + 2 * 1024 * 1024  # files plus the form
