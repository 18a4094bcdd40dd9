"""Throwaway servers for the deployment tests: PostgreSQL, Redis, nginx, and the app itself
through scripts/serve; each unprivileged, on loopback or a unix socket, in a temp directory.

A missing program is a skip with the install command, except under CI=true, where it fails
(scripts/test installs postgresql, redis-server, nginx and openssl, listed in scripts/system-packages).
"""

from __future__ import annotations

import glob
import http.client
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import subprocess
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def missing(what: str, install: str):
    message = f"{what} not found: {install}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: deployment tests may not skip)", pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unprivileged(preferred: str = "nobody") -> list[str]:
    """A prefix that runs a server as an unprivileged user when we are root (nothing else)."""
    if os.geteuid() != 0:
        return []
    for user in (preferred, "nobody"):
        try:
            pwd.getpwnam(user)
            return ["runuser", "-u", user, "--"]
        except KeyError:
            continue
    raise RuntimeError("no unprivileged user to run servers as")


def give(path: Path, prefix: list[str]) -> None:
    if prefix:
        shutil.chown(path, prefix[2])


def wait_until(check, what: str, seconds: float = 30, process: subprocess.Popen | None = None):
    deadline = time.monotonic() + seconds
    while True:
        try:
            result = check()
            if result:
                return result
        except OSError:
            pass
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start within {seconds} s")
        time.sleep(0.1)


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


# ------------------------------------------------------------------------------ PostgreSQL


def pg_bindir() -> str:
    candidates = [os.environ["PG_BINDIR"]] if os.environ.get("PG_BINDIR") else []
    candidates += [
        "/usr/lib/postgresql/15/bin",
        *sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True),
    ]
    if shutil.which("pg_config"):
        candidates.append(
            subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()  # noqa: S607
        )
    for directory in candidates:
        if all(os.access(os.path.join(directory, b), os.X_OK) for b in ("initdb", "pg_ctl", "postgres")):
            version = subprocess.run(  # noqa: S603
                [f"{directory}/postgres", "--version"], capture_output=True, text=True
            ).stdout
            major = re.search(r"(\d+)", version)
            if major and int(major.group(1)) >= 15:
                return directory
    missing("PostgreSQL >= 15 server binaries", "apt-get install postgresql")
    raise AssertionError  # not reached


class Postgres:
    """A cluster in `tmp`, listening on a unix socket there only."""

    def __init__(self, tmp: Path) -> None:
        self.bindir = pg_bindir()
        self.dir = tmp / "pg"
        self.dir.mkdir()
        self.prefix = unprivileged("postgres")
        give(self.dir, self.prefix)

    def run(self, *args: str) -> None:
        subprocess.run([*self.prefix, *args], check=True, cwd=self.dir, capture_output=True)  # noqa: S603

    def start(self) -> str:
        data = str(self.dir / "data")
        self.run(
            f"{self.bindir}/initdb",
            "-D",
            data,
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
        )
        options = f"-k {self.dir} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self.run(
            f"{self.bindir}/pg_ctl",
            "-D",
            data,
            "-l",
            str(self.dir / "server.log"),
            "-w",
            "-o",
            options,
            "start",
        )
        self.run(f"{self.bindir}/createdb", "-h", str(self.dir), "-U", "postgres", "goals")
        return f"postgres://postgres@/goals?host={self.dir}"

    def stop(self) -> None:
        data = self.dir / "data"
        if (data / "postmaster.pid").exists():
            subprocess.run(  # noqa: S603
                [*self.prefix, f"{self.bindir}/pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop"],
                cwd=self.dir,
                capture_output=True,
            )


# ----------------------------------------------------------------------------------- Redis


class Redis:
    def __init__(self, tmp: Path) -> None:
        self.binary = shutil.which("redis-server") or missing("redis-server", "apt-get install redis-server")
        self.dir = tmp / "redis"
        self.dir.mkdir()
        self.prefix = unprivileged()
        give(self.dir, self.prefix)
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> str:
        self.process = subprocess.Popen(  # noqa: S603
            [
                *self.prefix,
                self.binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
                "--protected-mode",
                "yes",
                "--loglevel",
                "warning",
            ],
            cwd=self.dir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,  # runuser's "Session terminated" on stop
            start_new_session=True,
        )

        def pong() -> bool:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")

        wait_until(pong, "redis-server", process=self.process)
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)


# ----------------------------------------------------------------------------------- nginx


def nginx_binary() -> str:
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    missing("nginx", "apt-get install nginx")
    raise AssertionError  # not reached


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    openssl = shutil.which("openssl") or missing("openssl", "apt-get install openssl")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(  # noqa: S603
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    key.chmod(0o644)  # read by the unprivileged nginx; a throwaway key
    return cert, key


class Nginx:
    """nginx with deploy/nginx-goals.conf as its one site, ports and paths substituted."""

    def __init__(self, tmp: Path) -> None:
        self.binary = nginx_binary()
        self.dir = tmp / "nginx"
        self.dir.mkdir()
        self.prefix = unprivileged()
        give(self.dir, self.prefix)
        self.https_port, self.http_port = free_port(), free_port()
        self.process: subprocess.Popen | None = None

    def site(self, upstreams: list[int], static_root: Path, cert: Path, key: Path) -> str:
        text = (ROOT / "deploy" / "nginx-goals.conf").read_text()
        replacements = [
            (
                "    server 127.0.0.1:8000;\n",
                "".join(f"    server 127.0.0.1:{port};\n" for port in upstreams),
            ),
            ("    listen [::]:80;\n", ""),
            ("    listen [::]:443 ssl http2;\n", ""),
            ("    listen 80;\n", f"    listen 127.0.0.1:{self.http_port};\n"),
            ("    listen 443 ssl http2;\n", f"    listen 127.0.0.1:{self.https_port} ssl http2;\n"),
            ("/etc/letsencrypt/live/goals.example.org/fullchain.pem", str(cert)),
            ("/etc/letsencrypt/live/goals.example.org/privkey.pem", str(key)),
            ("/srv/goals/staticfiles/", f"{static_root}/"),
        ]
        for old, new in replacements:
            assert old in text, f"deploy/nginx-goals.conf no longer has {old!r}: update the test"
            text = text.replace(old, new)
        return text

    def start(self, site: str) -> None:
        (self.dir / "goals.conf").write_text(site)
        d = self.dir
        (d / "nginx.conf").write_text(
            f"""
worker_processes 1;
daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 128; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {d}/access.log;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    include {d}/goals.conf;
}}
"""
        )
        test = subprocess.run(  # noqa: S603
            [
                *self.prefix,
                self.binary,
                "-t",
                "-q",
                "-e",
                f"{d}/error.log",
                "-p",
                str(d),
                "-c",
                f"{d}/nginx.conf",
            ],
            capture_output=True,
            text=True,
        )
        assert test.returncode == 0, test.stderr
        self.process = subprocess.Popen(  # noqa: S603
            [*self.prefix, self.binary, "-e", f"{d}/error.log", "-p", str(d), "-c", f"{d}/nginx.conf"],
            cwd=d,
            stderr=subprocess.DEVNULL,  # errors go to error.log; runuser's "Session terminated" on stop
            start_new_session=True,
        )
        wait_until(
            lambda: socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close() or True,
            "nginx",
            process=self.process,
        )

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process, signal.SIGQUIT)


# ------------------------------------------------------------------------------- the app


class App:
    """One app server: scripts/serve (migrate, collectstatic, gunicorn) on a loopback port."""

    def __init__(self, tmp: Path, name: str, env: dict[str, str]) -> None:
        self.port = free_port()
        self.log = tmp / f"{name}.log"
        self.env = {**env, "HOST": "127.0.0.1", "PORT": str(self.port)}
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("w") as log:
            self.process = subprocess.Popen(  # noqa: S603
                [str(ROOT / "scripts" / "serve")],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_until(
                lambda: Client(self.port).get("/healthz").status == 200,
                f"scripts/serve on {self.port}",
                seconds=90,
                process=self.process,
            )
        except RuntimeError as error:
            raise RuntimeError(f"{error}; its output:\n{self.log.read_text()[-3000:]}") from None

    def requests_logged(self, needle: str) -> int:
        return self.log.read_text().count(needle)

    def workers(self) -> set[int]:
        """The gunicorn master's children (scripts/serve execs gunicorn: same pid)."""
        assert self.process is not None
        children = set()
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.add(int(Path(stat).parent.name))
        return children

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)


# ---------------------------------------------------------------------------- the client


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class Client:
    """A tiny browser: one cookie jar, straight to an app server (as nginx would talk to it,
    X-Forwarded-Proto https from loopback) or through nginx over TLS."""

    def __init__(self, port: int, *, tls_cert: Path | None = None) -> None:
        self.port = port
        self.tls = ssl.create_default_context(cafile=str(tls_cert)) if tls_cert else None
        self.host = f"localhost:{port}" if tls_cert else f"127.0.0.1:{port}"
        self.origin = f"https://{self.host}"
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> Response:
        if self.tls:
            connection = http.client.HTTPSConnection("localhost", self.port, context=self.tls, timeout=30)
        else:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Host": self.host, "Accept-Encoding": "identity", **(headers or {})}
        if not self.tls:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            result = Response(response.status, response.headers, response.read())
        finally:
            connection.close()
        for header in result.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return result

    def get(self, path: str, **headers: str) -> Response:
        return self.request("GET", path, headers=headers)

    def post(
        self,
        path: str,
        fields: dict[str, str],
        files: dict[str, tuple[str, bytes, str]] | None = None,
        **headers: str,
    ) -> Response:
        fields = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields}
        if files:
            boundary = "----goals-test-boundary"
            parts = []
            for name, value in fields.items():
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                )
            for name, (filename, content, content_type) in files.items():
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                    f"Content-Type: {content_type}\r\n\r\n".encode()
                    + content
                    + b"\r\n"
                )
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            content_type = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(fields).encode()
            content_type = "application/x-www-form-urlencoded"
        return self.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": content_type,
                "Origin": self.origin,
                "Referer": self.origin + path,
                **headers,
            },
        )

    def sign_in(self, username: str, password: str) -> Response:
        self.get("/staff/login/")
        return self.post("/staff/login/", {"username": username, "password": password})
