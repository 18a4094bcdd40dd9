#!/usr/bin/env python3
"""Cold renders at 1×, 10× and 100× the seed: how each public page grows with the plan.

    .venv/bin/python bench/cold.py [--runs 11] [--sizes 1,10,100] [--only home,project]

Builds three synthetic plans (`manage.py synthesize`) in a throwaway SQLite database:
1× (7 groups of 16 targets: 112), 10× (66 groups: 1,056) and 100× (660 groups: 10,560);
project P1 and action A1 hold the same targets at every size (16 and 128), so their pages
should not grow with the plan. Each plan's P1 targets are led by one department, which
also co-leads the A1.1 targets. The clock is pinned to 1 July of the plan's year, so that
reports count (a synthetic year lies in the future).

Every page is rendered through Django's test client with every cache off: the cache
(rendered pages, the published-data version, and nothing else in it) is cleared before
each request. It prints, per page, the median milliseconds of `--runs` requests and the
ratio to the same page at 1×; then, at the largest size, the first home page after an
approval (published through goals.reporting.services), cached throughput against the trivial view
(/healthz) in this process, and the bytes on the wire (gzip, as browsers ask).
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
SIZES = {1: (2, 1, 5), 10: (10, 7, 8), 100: (100, 70, 8)}  # projects, actions, measures per action
TARGETS_PER_GROUP = 16
CHINA = ZoneInfo("Asia/Shanghai")


def setup(tmp: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"sqlite:///{tmp}/cold.sqlite3",
            "DEBUG": "0",
            "SECRET_KEY": "bench-cold-not-secret",
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "0",
            "PUBLIC_VERSION_SECONDS": "0",
            "MEDIA_ROOT": f"{tmp}/media",
        }
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # No collectstatic here: plain static URLs instead of the manifest's hashed names.
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": static}

    call_command("migrate", verbosity=0)


def build(size: int, year: int):
    from goals.models import Department, Target
    from projects.management.commands.synthesize import generate

    projects, actions, measures = SIZES[size]
    plan = generate(
        year=year,
        projects=projects,
        actions=actions,
        measures_per_action=measures,
        targets_per_group=TARGETS_PER_GROUP,
    )
    unit, _ = Department.objects.get_or_create(name="合成牵头单位")
    Target.objects.filter(plan=plan, group__code="P1").update(lead_department=unit)
    for target in Target.objects.filter(plan=plan, group__code="A1.1"):
        target.co_departments.add(unit)
    return plan, unit


def pages(year: int, unit) -> dict[str, str]:
    return {
        "home": "/",
        "targets": "/targets/",
        "targets?filter": "/targets/?status=behind&group=A1",
        "project P1": "/projects/P1/",
        "action A1": "/actions/A1/",
        "target P1.1": "/targets/P1.1/",
        "department": f"/departments/{unit.pk}/",
        "targets.csv": f"/data/{year}/targets.csv",
        "targets.json": f"/data/{year}/targets.json",
    }


def median_ms(client, url: str, runs: int) -> float:
    from django.core.cache import cache

    times = []
    for _ in range(runs):
        cache.clear()
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def throughput(client, urls: list[str], rounds: int = 5, seconds: float = 0.3) -> dict[str, float]:
    """Requests per second from the page cache, the URLs interleaved in rounds (so that a busy
    spell of the machine hits them all alike); the median round of each."""
    rates: dict[str, list[float]] = {url: [] for url in urls}
    for url in urls:
        client.get(url)  # into the page cache
    for _ in range(rounds):
        for url in urls:
            count, start = 0, time.perf_counter()
            while time.perf_counter() - start < seconds:
                client.get(url)
                count += 1
            rates[url].append(count / (time.perf_counter() - start))
    return {url: statistics.median(found) for url, found in rates.items()}


def approve_one(plan, day: datetime.date) -> None:
    from django.contrib.auth import get_user_model

    from goals.models import Target
    from goals.reporting import services

    users = get_user_model().objects
    author, _ = users.get_or_create(username="bench-author")
    reviewer, _ = users.get_or_create(username="bench-reviewer")
    target = Target.objects.get(plan=plan, code="P1.1")
    report = services.submit_report(target=target, value=target.target_value or 1, as_of=day, author=author)
    services.approve_report(report=report, reviewer=reviewer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--sizes", default="1,10,100")
    parser.add_argument("--only", default="", help="comma-separated page names")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    with tempfile.TemporaryDirectory(prefix="goals-cold-") as tmp:
        setup(tmp)
        import time_machine
        from django.conf import settings
        from django.test import Client

        table: dict[str, dict[int, float]] = {}
        client = Client()
        last = None
        counts: dict[int, int] = {}
        for size in sizes:
            year = 9000 + size
            started = time.perf_counter()
            plan, unit = build(size, year)
            counts[year] = plan.target_set.count()
            print(f"{size}×: synthesized in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            settings.PUBLIC_PLAN_YEAR = year
            settings.PUBLIC_YEAR_REDIRECT = False  # year-less URLs serve the synthetic plan
            day = datetime.date(year, 7, 1)
            with time_machine.travel(datetime.datetime(year, 7, 1, 10, tzinfo=CHINA), tick=True):
                for name, url in pages(year, unit).items():
                    if args.only and name not in args.only.split(","):
                        continue
                    client.get(url)  # import and compile once
                    table.setdefault(name, {})[size] = median_ms(client, url, args.runs)
                last = (size, year, plan, unit, day)

        header = "page".ljust(16) + "".join(f"{f'{s}× ({counts[9000 + s]})':>22}" for s in sizes)
        print(f"\nCold render (ms, median of {args.runs}; ratio to 1×), SQLite, every cache off")
        print(header)
        for name, row in table.items():
            base = row.get(sizes[0])
            cells = "".join(
                f"{row[s]:>13.1f} ({row[s] / base:>5.2f}×)" if s in row else " " * 22 for s in sizes
            )
            print(name.ljust(16) + cells)

        size, year, plan, unit, day = last
        with time_machine.travel(datetime.datetime(year, 7, 1, 10, tzinfo=CHINA), tick=True):
            from django.core.cache import cache

            cache.clear()
            client.get("/")  # cached before the approval
            approve_one(plan, day)
            start = time.perf_counter()
            assert client.get("/").status_code == 200
            after = (time.perf_counter() - start) * 1000
            print(f"\nFirst home page after an approval at {size}×: {after:.1f} ms")

            shown = {
                name: url
                for name, url in pages(year, unit).items()
                if not args.only or name in args.only.split(",")
            }
            rates = throughput(client, ["/healthz", *shown.values()])
            base = rates["/healthz"]
            print(f"\nCached throughput at {size}× (in process, test client), against /healthz {base:.0f}/s")
            for name, url in shown.items():
                print(f"  {name.ljust(16)} {rates[url]:>7.0f}/s  {rates[url] / base:.2f}×")

            print(f"\nBytes on the wire at {size}× (gzip / plain)")
            for name, url in pages(year, unit).items():
                if args.only and name not in args.only.split(","):
                    continue
                zipped = client.get(url, headers={"accept-encoding": "gzip"})
                raw = zipped.content
                plain = gzip.decompress(raw) if zipped.get("Content-Encoding") == "gzip" else raw
                print(f"  {name.ljust(16)} {len(raw):>9,} / {len(plain):>10,}")


if __name__ == "__main__":
    main()
