"""The servers the benchmark starts, each on loopback in a temporary directory: a throwaway
PostgreSQL cluster, Redis when installed, and gunicorn serving the app."""

from __future__ import annotations

import glob
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
URLS = ["/healthz", "/2024/", "/2024/projects/P1/", "/data/2024/targets.csv"]


def fetch(port: int, path: str) -> tuple[int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Accept-Encoding": "identity"})
        response = conn.getresponse()
        body = response.read()
        return response.status, len(body)
    finally:
        conn.close()


def pg_bindir() -> str:
    candidates = ["/usr/lib/postgresql/15/bin", *sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for directory in candidates:
        if all(os.access(os.path.join(directory, b), os.X_OK) for b in ("initdb", "pg_ctl", "postgres")):
            return directory
    sys.exit("bench: no PostgreSQL >= 15 binaries in /usr/lib/postgresql/*/bin (apt-get install postgresql)")


class Postgres:
    def __init__(self) -> None:
        self.bindir = pg_bindir()
        self.tmp = tempfile.mkdtemp(prefix="goals-bench-pg.")
        self.prefix: list[str] = []
        if os.geteuid() == 0:  # postgres refuses to run as root
            user = "postgres"
            try:
                import pwd

                pwd.getpwnam(user)
            except KeyError:
                user = "nobody"
            shutil.chown(self.tmp, user)
            self.prefix = ["runuser", "-u", user, "--"]

    def run(self, *args: str) -> None:
        subprocess.run([*self.prefix, *args], check=True, cwd=self.tmp, stdout=subprocess.DEVNULL)

    def start(self) -> str:
        data = os.path.join(self.tmp, "data")
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
        options = f"-k {self.tmp} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c max_connections=50"
        self.run(
            f"{self.bindir}/pg_ctl",
            "-D",
            data,
            "-l",
            os.path.join(self.tmp, "server.log"),
            "-w",
            "-o",
            options,
            "start",
        )
        subprocess.run([f"{self.bindir}/createdb", "-h", self.tmp, "-U", "postgres", "goals"], check=True)
        return f"postgres://postgres@/goals?host={self.tmp}"

    def stop(self) -> None:
        data = os.path.join(self.tmp, "data")
        if os.path.exists(os.path.join(data, "postmaster.pid")):
            subprocess.run(
                [*self.prefix, f"{self.bindir}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"],
                cwd=self.tmp,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        shutil.rmtree(self.tmp, ignore_errors=True)


# --- inside Django: publish reports, measure queries and bytes -------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if fetch(port, "/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("bench: gunicorn did not answer /healthz in time")


def redis_binary() -> str | None:
    return shutil.which("redis-server")


def apt_install(packages: list[str]) -> None:
    """The one documented install step (--apt): Debian packages, only those missing."""
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages], check=True)


class Server:
    """gunicorn serving the app on 127.0.0.1 with the given environment."""

    def __init__(self, env: dict, workers: int) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )
        wait_for(self.port)
        for path in URLS:  # fill every worker's page cache
            for _ in range(workers * 4):
                fetch(self.port, path)

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
