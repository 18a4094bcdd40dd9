#!/usr/bin/env python3
"""Benchmark the public site: gunicorn (2 workers) on a throwaway PostgreSQL.

    .venv/bin/python bench/run.py [--requests 2000] [--seconds 20] [--concurrency 4]
                                  [--workers 2] [--rounds 4] [--cache all|memory|redis] [--apt]

Steps: start a PostgreSQL cluster (>= 15) in a temporary directory, listening on a unix
socket only; migrate; load the seed (`manage.py seed`); publish synthetic reports on the
real 2024 plan through goals.reporting.services (submit, then approve); collectstatic. Then, for each
cache set-up (each worker's own memory with the version read from PostgreSQL on every
request; the same with the version reused for up to 2 s, the default; and, when
redis-server is installed, a throwaway Redis on a unix socket shared by the workers):
measure the queries and bytes of each page with Django's test client, serve the app with
gunicorn on 127.0.0.1, and drive a bounded load (a fixed number of requests per URL, cut
short at a time limit) from a small threaded client; print requests per second, p95
latency and the ratio of each against the trivial /healthz view served by the
same server in the same run. Everything is removed on exit. Nothing is installed unless
--apt is given, which apt-get installs postgresql and redis-server when they are missing.
"""

from __future__ import annotations

import argparse
import glob
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from servers import URLS, Postgres, Server, apt_install, fetch, redis_binary  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
LABELS = {
    "/healthz": "trivial view",
    "/2024/": "home",
    "/2024/projects/P1/": "project page",
    "/data/2024/targets.csv": "CSV",
}


# --- PostgreSQL ------------------------------------------------------------------------


def django_setup() -> None:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()


def populate() -> None:
    """Assign departments and publish reports through the workflow (in a child process)."""
    import datetime
    from decimal import Decimal

    django_setup()
    from django.contrib.auth import get_user_model

    from goals.models import Department, Target
    from goals.reporting import services

    rng = random.Random(2024)
    users = get_user_model().objects
    author = users.create_user("bench-author", password=None)
    reviewer = users.create_user("bench-reviewer", password=None)
    departments = list(Department.objects.all())
    targets = list(Target.objects.filter(plan__year=2024).select_related("plan"))
    published = 0
    for target in targets:
        target.lead_department = rng.choice(departments)
        target.save(update_fields=["lead_department"])
        goal = (
            Decimal(100)
            if target.kind == Target.Kind.MILESTONE
            else (target.target_value or Decimal(1)) * target.scale
        )
        for month in (3, 6, 9):
            if rng.random() < 0.25:
                continue
            share = Decimal(str(round(month / 12 * rng.uniform(0.6, 1.2), 3)))
            value = (goal * share).quantize(Decimal("0.01"))
            if target.kind == Target.Kind.AT_MOST:
                value = Decimal(0)
            report = services.submit_report(
                target=target,
                value=value,
                as_of=datetime.date(2024, month, 28),
                author=author,
                note=f"第 {month} 月进展",
            )
            services.approve_report(report=report, reviewer=reviewer)
            published += 1
    print(f"bench: published {published} approved reports on {len(targets)} targets of the 2024 plan")


def measure_pages() -> None:
    """Queries (cold and cached) and bytes of each page, with Django's test client."""
    django_setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    print(
        f"\nqueries and bytes per page (cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}):"
    )
    print(f"  {'page':<24} {'cold queries':>12} {'cached queries':>15} {'bytes':>10}")
    for url in URLS:
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as warm:
            again = client.get(url)
        assert again.content == response.content
        print(f"  {url:<24} {len(cold):>12} {len(warm):>15} {len(response.content):>10}")
    cache.clear()


# --- load ----------------------------------------------------------------------------------


def drive(
    port: int, path: str, requests: int, seconds: float, concurrency: int
) -> tuple[list[float], int, float]:
    """Send up to `requests` GETs from `concurrency` threads, stopping at `seconds`.

    Returns the latencies of the 200 answers, the number of failures, and the wall time.
    """
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    remaining = [requests]
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        nonlocal errors
        while True:
            with lock:
                if remaining[0] <= 0 or time.perf_counter() > deadline:
                    return
                remaining[0] -= 1
            t0 = time.perf_counter()
            try:
                status, _ = fetch(port, path)
            except OSError:
                status = 0
            elapsed = time.perf_counter() - t0
            with lock:
                if status == 200:
                    latencies.append(elapsed)
                else:
                    errors += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, time.perf_counter() - started


def measure(port: int, requests: int, seconds: float, concurrency: int, rounds: int) -> dict[str, dict]:
    """Interleave the URLs in rounds, so that a slow spell of the machine hits them all alike."""
    collected = {path: ([], 0, 0.0) for path in URLS}
    for _ in range(rounds):
        for path in URLS:
            latencies, errors, wall = drive(port, path, requests // rounds, seconds / rounds, concurrency)
            before = collected[path]
            collected[path] = (before[0] + latencies, before[1] + errors, before[2] + wall)
    results = {}
    for path, (latencies, errors, wall) in collected.items():
        latencies.sort()
        results[path] = {
            "done": len(latencies),
            "errors": errors,
            "rps": len(latencies) / wall if wall else 0.0,
            "p95": latencies[max(int(len(latencies) * 0.95) - 1, 0)] * 1000 if latencies else float("nan"),
            "median": statistics.median(latencies) * 1000 if latencies else float("nan"),
        }
    return results


def report(title: str, results: dict[str, dict]) -> float:
    base = results["/healthz"]
    print(f"\n{title}")
    print(
        f"  {'URL':<24} {'':<13} {'req/s':>8} {'p95 ms':>8} {'median':>8} "
        f"{'req/s vs trivial':>17} {'p95 vs trivial':>15} {'errors':>7}"
    )
    for path, r in results.items():
        print(
            f"  {path:<24} {LABELS[path]:<13} {r['rps']:>8.0f} {r['p95']:>8.1f} {r['median']:>8.1f} "
            f"{r['rps'] / base['rps']:>16.2f}x {r['p95'] / base['p95']:>14.2f}x {r['errors']:>7}"
        )
    home = results["/2024/"]["rps"] / base["rps"]
    print(
        f"  home page throughput: {home:.2f} x the trivial view (aim: >= 0.5): {'OK' if home >= 0.5 else 'BELOW AIM'}"
    )
    return home


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per URL (default 2000)")
    parser.add_argument("--seconds", type=float, default=20, help="time limit per URL (default 20 s)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds over the URLs (default 4)")
    parser.add_argument(
        "--cache",
        choices=["all", "memory", "redis"],
        default=None,
        help="memory: each worker's own cache, with the version read on every request and then "
        "reused for 2 s; redis: a shared Redis cache; all: both (the default when redis-server is installed)",
    )
    parser.add_argument(
        "--apt", action="store_true", help="first apt-get install postgresql / redis-server if missing"
    )
    parser.add_argument("--child", choices=["populate", "measure"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "populate":
        populate()
        return
    if args.child == "measure":
        measure_pages()
        return
    if args.apt:
        missing = [] if glob.glob("/usr/lib/postgresql/*/bin/initdb") else ["postgresql"]
        if args.cache != "memory" and not redis_binary():
            missing.append("redis-server")
        if missing:
            apt_install(missing)
    modes = {"all": ["strict", "memory", "redis"], "memory": ["strict", "memory"], "redis": ["redis"]}[
        args.cache or ("all" if redis_binary() else "memory")
    ]
    if "redis" in modes and not redis_binary():
        sys.exit("bench: redis-server is not installed (apt-get install redis-server, or --apt)")

    pg = Postgres()
    server: Server | None = None
    redis: subprocess.Popen | None = None
    tmp = tempfile.mkdtemp(prefix="goals-bench.")
    try:
        url = pg.start()
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DEBUG": "0",
            "TESTING": "0",
            "SECRET_KEY": "benchmark-only-" + os.urandom(8).hex(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "STATIC_ROOT": os.path.join(tmp, "static"),
            "MEDIA_ROOT": os.path.join(tmp, "media"),
            "SECURE_COOKIES": "0",
            # Plain HTTP on loopback: without this every page would answer 301 to https.
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "ERROR",
        }
        for name in ("REDIS_URL", "PUBLIC_VERSION_SECONDS", "PUBLIC_PLAN_YEAR"):
            env.pop(name, None)
        manage = [PY, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run([*manage, "seed"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run([PY, __file__, "--child", "populate"], env=env, check=True, cwd=ROOT)
        print(
            f"\nload: gunicorn {args.workers} sync workers, {args.concurrency} client threads, "
            f"{args.requests} requests per URL in {args.rounds} interleaved rounds (limit {args.seconds:g} s), "
            f"{os.cpu_count()} CPUs"
        )
        for mode in modes:
            mode_env = dict(env)
            if mode == "strict":
                mode_env["PUBLIC_VERSION_SECONDS"] = "0"
            if mode == "redis":
                socket_path = os.path.join(tmp, "redis.sock")
                redis = subprocess.Popen(
                    [
                        redis_binary(),
                        "--port",
                        "0",
                        "--unixsocket",
                        socket_path,
                        "--unixsocketperm",
                        "700",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--loglevel",
                        "warning",
                    ],
                    stdout=subprocess.DEVNULL,
                    start_new_session=True,
                )
                for _ in range(100):
                    if os.path.exists(socket_path):
                        break
                    time.sleep(0.05)
                mode_env["REDIS_URL"] = f"unix://{socket_path}"
            subprocess.run([PY, __file__, "--child", "measure"], env=mode_env, check=True, cwd=ROOT)
            server = Server(mode_env, args.workers)
            results = measure(server.port, args.requests, args.seconds, args.concurrency, args.rounds)
            server.stop()
            server = None
            title = {
                "strict": "cache in each worker's memory; version read from PostgreSQL on every request "
                "(PUBLIC_VERSION_SECONDS=0):",
                "memory": "cache in each worker's memory; version reused for up to 2 s per worker "
                "(the default, PUBLIC_VERSION_SECONDS=2):",
                "redis": "cache in Redis, shared by the workers; version kept there for up to 2 s:",
            }[mode]
            report(title, results)
    finally:
        if server is not None:
            server.stop()
        if redis is not None:
            os.killpg(redis.pid, signal.SIGTERM)
            redis.wait(timeout=10)
        pg.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
