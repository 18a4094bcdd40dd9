"""What the public sees: which plan, as of which day, and a version of what is published.

The version is read from the database in one cheap query (the newest id of three tables):
every approval writes an audit entry (goals.reporting.services), every admin edit writes an admin
log entry, and every report is a new row. So every gunicorn worker, on every app server,
computes the same version without sharing memory, and a cached page or an ETag built from
it goes stale the moment a figure is published or the plan is edited in the admin.

PUBLIC_VERSION_SECONDS lets a process reuse the version, kept in the cache, for a second
or two instead of reading it on every request: `bump()` (called on commit by approvals
and admin saves) replaces it at once in its own process, and in all of them when the
cache is shared (Redis); the others read the database again when it expires. That delay
is far inside the PUBLIC_MAX_AGE that browsers may already reuse a page for.

`bump()` also moves a generation stamp that cached pages are keyed by, so that they are
dropped even where the database cannot see a change (data reloaded with loaddata): call
it from a shell after such a change.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.core.cache import cache
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from goals.models import AuditEntry, Plan, Report
from goals.planning.years import year_in_url

SYNTHETIC_YEARS_FROM = 9000
GENERATION_KEY = "goals:publication-generation"
STAMP_KEY = "goals:publication-stamp"


# --- absolute links --------------------------------------------------------------------------


def absolute_url(request, path: str) -> str:
    """`path` on the canonical origin (SITE_URL) when one is configured, else on the origin
    the request came to (its host is one of ALLOWED_HOSTS; https behind a declared proxy)."""
    if settings.SITE_URL:
        return settings.SITE_URL + path
    return request.build_absolute_uri(path)


# --- which plan --------------------------------------------------------------------------


def public_year() -> int | None:
    """The plan year the public pages show when a setting pins one (tests, previews)."""
    return getattr(settings, "PUBLIC_PLAN_YEAR", None) or None


def public_plan() -> Plan | None:
    """The plan the public pages show: the year in the URL (goals.planning.years), else the pinned
    year, else the latest real plan. Its `years` are every year a visitor may switch to.

    Only published and closed plans: a draft is for staff (goals.accounts.staff), so its
    year is a 404 and the default stays on the latest published year.
    Synthetic plans (years 9000 and up, 【合成数据】) never show unless a setting pins one.
    One query: the plans are few, and all of them are read to list the years.
    """
    pinned = public_year()
    shown = (
        Plan.objects.public().filter(Q(year__lt=SYNTHETIC_YEARS_FROM) | Q(year=pinned or 0)).order_by("-year")
    )
    plans = list(shown)
    wanted = year_in_url() or pinned
    if wanted:
        plan = next((p for p in plans if p.year == wanted), None)
    else:
        plan = next((p for p in plans if p.year < SYNTHETIC_YEARS_FROM), None)
    if plan is not None:
        plan.years = [p.year for p in plans if p.year < SYNTHETIC_YEARS_FROM or p.year == pinned]
    return plan


def plan_for_year(year: int) -> Plan:
    """The plan an open-data URL names; synthetic years 404 unless pinned as public."""
    if year >= SYNTHETIC_YEARS_FROM and year != public_year():
        raise Http404(_("没有该年度的公开数据。"))
    plan = Plan.objects.public().filter(year=year).first()
    if plan is None:  # no such plan, or a draft
        raise Http404(_("没有该年度的公开数据。"))
    return plan


# --- as of which day -----------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    """The day a page is evaluated at, and what was wrong with the one asked for, if anything."""

    day: datetime.date
    first: datetime.date
    last: datetime.date
    requested: bool = False
    error: str = ""

    @property
    def iso(self) -> str:
        return self.day.isoformat()

    @property
    def query(self) -> str:
        """The query string that keeps a link on the same day (empty for the default day)."""
        return f"?as_of={self.iso}" if self.requested else ""


def earliest_day(plan: Plan) -> datetime.date:
    return datetime.date(plan.year, 1, 1)


def latest_day(plan: Plan) -> datetime.date:
    """Today; for a plan that has not begun yet, its first day."""
    return max(timezone.localdate(), earliest_day(plan))


def default_day(plan: Plan) -> datetime.date:
    """Today: for a plan whose year is over, that is its final state (missed or done)."""
    return latest_day(plan)


def evaluation_day(plan: Plan, requested: datetime.date | None = None) -> datetime.date:
    """The day `plan` is evaluated at for a requested day: the one rule every surface uses
    (pages, the years table of a carried target, league, briefings, workbook preview,
    exports), so that one target on one day gets one verdict everywhere.

    No day asked: the default day (today). A day inside the plan's window (1 January of its
    year to today) is itself; outside, the nearest end of the window: a later plan asked
    about a day before it begins is seen on its first day, an earlier plan on a day after
    today (never asked of the pages) on today. A plan whose year is over is so evaluated
    after its due date, and reads its final status (done, missed, never reported)."""
    if requested is None:
        return default_day(plan)
    return min(max(requested, earliest_day(plan)), latest_day(plan))


def day_for(request, plan: Plan) -> Day:
    """`?as_of=YYYY-MM-DD` if given and valid, else the default day with a Chinese message."""
    raw = request.GET.get("as_of", "").strip()
    first, last = earliest_day(plan), latest_day(plan)
    if not raw:
        return Day(evaluation_day(plan), first, last)
    try:
        day = parse_date(raw)
    except ValueError:
        day = None
    if day is None:
        message = _("日期“%(raw)s”无法识别,请按 YYYY-MM-DD 格式填写,例如 2024-06-30。已显示最新情况。")
        return Day(default_day(plan), first, last, error=message % {"raw": raw[:20]})
    if not first <= day <= last:
        message = _("只能查看 %(first)s 至 %(last)s 之间的情况;已显示最新情况。")
        return Day(default_day(plan), first, last, error=message % {"first": first, "last": last})
    return Day(evaluation_day(plan, day), first, last, requested=True)


def plan_for_day(day: datetime.date, plans: QuerySet[Plan] | None = None) -> Plan | None:
    """The plan a briefing as of `day` is about: the latest real plan of `day`'s year or
    before; in January the year just over (its year-end briefing: December's figures are
    due in January, and nothing of the new year is due yet) when there is one. Among `plans`:
    the published and closed ones unless given."""
    if day.year >= SYNTHETIC_YEARS_FROM:
        return None
    plans = list(
        (Plan.objects.public() if plans is None else plans).filter(year__lte=day.year).order_by("-year")[:2]
    )
    if len(plans) == 2 and day.month == 1 and plans[0].year == day.year:
        return plans[1]
    return plans[0] if plans else None


# --- what version of it --------------------------------------------------------------------


def _fingerprint_sql() -> str:
    # Table names from our own models, quoted: no outside input reaches this SQL.
    q = connection.ops.quote_name
    models = (AuditEntry, Report, LogEntry)
    # ORDER BY … LIMIT 1 on the primary key: the same answer as MAX(id), planned faster.
    parts = [f"(SELECT {q('id')} FROM {q(m._meta.db_table)} ORDER BY 1 DESC LIMIT 1)" for m in models]  # noqa: S608
    return "SELECT " + ", ".join(parts)  # noqa: S608


def fingerprint() -> str:
    """One query: the newest audit entry, report and admin log entry, as a string."""
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql())
        row = cursor.fetchone()
    return "-".join("0" if value is None else str(value) for value in row)


def stamp() -> str:
    """The version of the published data.

    Read from the database (`fingerprint`) on every call when PUBLIC_VERSION_SECONDS is 0;
    otherwise kept in the cache for that long, the database being the fallback whenever
    it is missing or has expired.
    """
    seconds = settings.PUBLIC_VERSION_SECONDS
    if not seconds:
        return fingerprint()
    value = cache.get(STAMP_KEY)
    if value is None:
        value = fingerprint()
        # add, not set: a stamp that bump() has just written is newer than this read.
        if not cache.add(STAMP_KEY, value, seconds):
            value = cache.get(STAMP_KEY, value)
    return value


def generation() -> str:
    return str(cache.get(GENERATION_KEY, "0"))


def bump() -> str:
    """Published data changed (a report approved, the plan edited): drop cached pages now.

    Moves the generation that cached pages are keyed by and, when the version is kept in
    the cache, replaces it with a fresh read from the database (this runs after commit).
    """
    value = str(time.time_ns())
    cache.set(GENERATION_KEY, value, timeout=None)
    if settings.PUBLIC_VERSION_SECONDS:
        cache.set(STAMP_KEY, f"{fingerprint()}.{value}", settings.PUBLIC_VERSION_SECONDS)
    return value
