"""The progress rules: pure functions, no database.

One engine for every kind of target. Values here are plain numbers in base units
(a 1.1万名 target is 11000); reports carry the cumulative value to date.

| kind      | percent complete                          | done when                    |
|-----------|-------------------------------------------|------------------------------|
| at_least  | actual / N                                | actual ≥ N                   |
| range     | actual / L                                | actual ≥ L (≥ U: exceeded)   |
| about     | actual / N                                | actual ≥ N × (1 − tolerance) |
| level     | (actual − base) / (X − base), or actual/X | actual ≥ X                   |
| at_most   | none: held or breached                    | the period ends still held   |
| milestone | the reported percent (stage)              | reported 100                 |

Percents are capped to [0, 100]. A target is on track when its percent is no more
than the tolerance below the share of its period elapsed (linear from 1 January to
its due date).

At the edges:
- a ceiling breached at any time in its period stays breached: a later, lower figure does
  not erase it (only an approved correction of the breaching report itself does, see
  `worst`); and a ceiling is confirmed period by period like any target: while the last
  period due is not confirmed it reads "no report" (grey, stale, reminded), not held;
- a level without a baseline is measured from 0, but projected (and given a monthly rate)
  only from its first report: the figure before the plan is unknown, and 0 is no start;
- a percentage never projects past 100; a target that is done needs nothing more per month.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

HUNDRED = Decimal(100)
ZERO = Decimal(0)


class Kind(models.TextChoices):
    AT_LEAST = "at_least", _("不少于")
    RANGE = "range", _("区间")
    ABOUT = "about", _("左右")
    LEVEL = "level", _("达到水平")
    AT_MOST = "at_most", _("不超过")
    MILESTONE = "milestone", _("里程碑")


class Status(models.TextChoices):
    NO_REPORT = "no_report", _("尚未填报")
    ON_TRACK = "on_track", _("进度正常")
    BEHIND = "behind", _("进度滞后")
    DONE = "done", _("已完成")
    MISSED = "missed", _("未完成")
    HELD = "held", _("守住底线")
    BREACHED = "breached", _("突破底线")
    NEVER_REPORTED = "never_reported", _("从未填报")


class Light(models.TextChoices):
    """亮灯: a target at a glance. Always shown with its word, never by colour alone."""

    GREEN = "green", _("绿灯")
    YELLOW = "yellow", _("黄灯")
    RED = "red", _("红灯")
    GREY = "grey", _("灰灯")


# The boxes a summary of targets is cut into: every status in exactly one, so that the boxes
# add up to the targets counted (the home page, targets.json's "summary").
SUMMARY_BOXES: dict[str, tuple[Status, ...]] = {
    "done": (Status.DONE, Status.HELD),
    "on_track": (Status.ON_TRACK,),
    "behind": (Status.BEHIND, Status.MISSED, Status.BREACHED),
    "no_report": (Status.NO_REPORT, Status.NEVER_REPORTED),
}


def summary(counts: dict) -> dict[str, int]:
    """{box: number of targets} from {status: number}: done (or held), on track, behind
    (missed, breached), not reported (never reported)."""
    return {box: sum(counts.get(status, 0) for status in statuses) for box, statuses in SUMMARY_BOXES.items()}


# The order lights are listed and sorted in: the worst first.
LIGHT_ORDER = [Light.RED, Light.YELLOW, Light.GREEN, Light.GREY]


@dataclass(frozen=True)
class LightRules:
    """Thresholds in percentage points behind the expected pace, and the grace (days) after
    the first deadline during which a target with no report yet stays grey."""

    yellow_points: Decimal = Decimal(10)
    red_points: Decimal = Decimal(30)
    grace_days: int = 15


@dataclass(frozen=True)
class Spec:
    """What a target asks for, in base units, and the period it has to do it in."""

    kind: str
    value: Decimal | None = None
    upper: Decimal | None = None
    baseline: Decimal | None = None
    tolerance_percent: Decimal = Decimal(10)
    start: datetime.date = datetime.date(2024, 1, 1)
    due: datetime.date = datetime.date(2024, 12, 31)
    limit: Decimal | None = None  # the most a figure can be: 100 for a percentage


def clamp_percent(value: Decimal) -> Decimal:
    return max(ZERO, min(HUNDRED, value))


def _ratio_percent(actual: Decimal, goal: Decimal) -> Decimal:
    if goal <= 0:
        return HUNDRED if actual >= goal else ZERO
    return clamp_percent(actual / goal * HUNDRED)


def percent_complete(spec: Spec, actual: Decimal | None) -> Decimal | None:
    """Capped percent complete, or None where the kind has none (ceilings, no report)."""
    if actual is None or spec.kind == Kind.AT_MOST:
        return None
    if spec.kind == Kind.MILESTONE:
        return clamp_percent(actual)
    if spec.kind == Kind.LEVEL and spec.baseline is not None:
        span = spec.value - spec.baseline
        if span <= 0:
            return HUNDRED if actual >= spec.value else ZERO
        return clamp_percent((actual - spec.baseline) / span * HUNDRED)
    return _ratio_percent(actual, spec.value)


def is_done(spec: Spec, actual: Decimal | None) -> bool:
    """Met: for a ceiling, held (which counts only once its period is over)."""
    if actual is None:
        return False
    match spec.kind:
        case Kind.MILESTONE:
            return actual >= HUNDRED
        case Kind.AT_MOST:
            return actual <= spec.value
        case Kind.ABOUT:
            return actual >= spec.value * (1 - spec.tolerance_percent / HUNDRED)
        case _:
            return actual >= spec.value


def is_exceeded(spec: Spec, actual: Decimal | None) -> bool:
    """Beyond what was asked: past a range's top, past an about's tolerance, above a floor."""
    if actual is None:
        return False
    match spec.kind:
        case Kind.RANGE:
            return actual >= spec.upper
        case Kind.ABOUT:
            return actual > spec.value * (1 + spec.tolerance_percent / HUNDRED)
        case Kind.AT_LEAST | Kind.LEVEL:
            return actual > spec.value
        case _:
            return False


def expected_percent(start: datetime.date, due: datetime.date, day: datetime.date) -> Decimal:
    """The share of the period elapsed by the end of `day`, linear, as a percent."""
    total = (due - start).days + 1
    if total <= 0:
        return HUNDRED
    elapsed = (day - start).days + 1
    return clamp_percent(Decimal(elapsed) / Decimal(total) * HUNDRED)


def status(
    spec: Spec,
    actual: Decimal | None,
    day: datetime.date,
    tolerance_points: Decimal,
    *,
    worst: Decimal | None = None,
    confirmed: bool = True,
) -> Status:
    """Once the period is over a target reads done (held), missed (breached) or never
    reported: nothing in between.

    A ceiling is breached when its current figure or the `worst` figure of its period is
    over the ceiling; held only while `confirmed` (see goals.rules.cadence.confirmed), else
    it has no report for the period due."""
    if actual is None:
        return Status.NEVER_REPORTED if day > spec.due else Status.NO_REPORT
    if spec.kind == Kind.AT_MOST:
        if not is_done(spec, actual) or (worst is not None and not is_done(spec, worst)):
            return Status.BREACHED
        return Status.HELD if confirmed else Status.NO_REPORT
    if is_done(spec, actual):
        return Status.DONE
    if day > spec.due:
        return Status.MISSED
    percent = percent_complete(spec, actual)
    if percent >= expected_percent(spec.start, spec.due, day) - tolerance_points:
        return Status.ON_TRACK
    return Status.BEHIND


def is_stale(
    spec: Spec,
    last_report: datetime.date | None,
    day: datetime.date,
    stale_after_days: int,
    done: bool,
    *,
    confirmed: bool = True,
) -> bool:
    """No approved report for `stale_after_days`, judged only while the period runs; and
    a ceiling whose last period due is not confirmed.

    A target that is done, whose period has not begun or is over, is never stale: after
    the due date its final status (done, missed, never reported) says all there is.
    """
    if done or day < spec.start or day > spec.due:
        return False
    if not confirmed:
        return True
    since = last_report or spec.start
    return (day - since).days > stale_after_days


def light(
    status: Status,
    percent: Decimal | None,
    expected: Decimal,
    *,
    day: datetime.date,
    first_deadline: datetime.date | None,
    rules: LightRules,
    reported: bool = False,
) -> Light:
    """Green: on track or done (a ceiling held); yellow: more than `yellow_points` and at most
    `red_points` behind the pace; red: further behind, missed, breached, never reported, or
    no report yet once the first deadline is `grace_days` past; grey: no report yet before that,
    and a ceiling `reported` before but not confirmed for the period due."""
    match status:
        case Status.DONE | Status.HELD:
            return Light.GREEN
        case Status.MISSED | Status.BREACHED | Status.NEVER_REPORTED:
            return Light.RED
        case Status.NO_REPORT:
            late = first_deadline is not None and (day - first_deadline).days > rules.grace_days
            late = late and not reported
            return Light.RED if late else Light.GREY
    behind = expected - (percent or ZERO)
    if behind > rules.red_points:
        return Light.RED
    if behind > rules.yellow_points:
        return Light.YELLOW
    return Light.GREEN


# --- forecasts: numeric targets only (not milestones, not ceilings) -------------------------

AVERAGE_MONTH_DAYS = Decimal("30.4375")  # 365.25 / 12
FORECAST_KINDS = {Kind.AT_LEAST, Kind.RANGE, Kind.ABOUT, Kind.LEVEL}


def has_forecast(spec: Spec) -> bool:
    return spec.kind in FORECAST_KINDS and spec.value is not None


@dataclass(frozen=True)
class First:
    """A target's first report: where a level without a baseline is measured from."""

    as_of: datetime.date
    value: Decimal


def _start_of(spec: Spec, first: First | None) -> tuple[datetime.date, Decimal] | None:
    """Where a projection starts: the period start at 0 (at the baseline for a level that
    has one); a level without a baseline from its first report, or nowhere without one."""
    if spec.kind != Kind.LEVEL:
        return spec.start - datetime.timedelta(days=1), ZERO
    if spec.baseline is not None:
        return spec.start - datetime.timedelta(days=1), spec.baseline
    if first is None:
        return None
    return first.as_of, first.value


def projected_value(
    spec: Spec, actual: Decimal | None, as_of: datetime.date | None, first: First | None = None
) -> Decimal | None:
    """The value at the due date if the pace so far goes on: linear from the period start,
    value × period days ÷ days elapsed by the value's date (a level grows from its baseline,
    or from its `first` report when it has none; never past `spec.limit`).
    None for milestones, ceilings, before any report, and for a level without a baseline
    until a second report dates a pace."""
    if not has_forecast(spec) or actual is None or as_of is None:
        return None
    begun = _start_of(spec, first)
    if begun is None:
        return None
    since, base = begun
    total = (spec.due - since).days
    elapsed = (min(as_of, spec.due) - since).days
    if elapsed <= 0 or total <= 0:
        return None
    value = actual if elapsed >= total else base + (actual - base) * Decimal(total) / Decimal(elapsed)
    return value if spec.limit is None else min(value, spec.limit)


def months_left(spec: Spec, day: datetime.date) -> Decimal:
    """Months (of 30.4375 days) from the end of `day` to the due date; 0 once it has come."""
    return max(ZERO, Decimal((spec.due - day).days) / AVERAGE_MONTH_DAYS)


def required_per_month(spec: Spec, actual: Decimal | None, day: datetime.date) -> Decimal | None:
    """What is still needed each month to reach the target by its due date: remaining ÷
    months left. None for milestones and ceilings, once the target is done (nothing is
    still needed), once the due date has come (nothing can be done per month any more),
    and for a level with neither a baseline nor a report (no known start)."""
    if not has_forecast(spec) or is_done(spec, actual):
        return None
    if actual is None and spec.kind == Kind.LEVEL and spec.baseline is None:
        return None
    start = spec.baseline if spec.kind == Kind.LEVEL and spec.baseline is not None else ZERO
    remaining = spec.value - (start if actual is None else actual)
    if remaining <= 0:
        return ZERO
    months = months_left(spec, day)
    if months <= 0:
        return None
    return remaining / months


# --- which reports count: a ceiling's worst figure ------------------------------------------


@dataclass(frozen=True)
class Reading:
    """An approved report as the rules see it: `order` sorts reports of one day (created)."""

    id: int
    as_of: datetime.date
    value: Decimal
    order: object = 0
    revises: int | None = None


def worst(readings: Iterable[Reading]) -> Decimal | None:
    """The highest figure of the period, among the reports that still stand: a report
    stands unless an approved report corrects it (`revises` it) or a later one gives
    the same day's figure again (a correction made the plain way, as a new report)."""
    items = list(readings)
    corrected = {r.revises for r in items if r.revises is not None}
    standing = [
        r.value
        for r in items
        if r.id not in corrected
        and not any(o.as_of == r.as_of and (o.order, o.id) > (r.order, r.id) for o in items)
    ]
    return max(standing, default=None)


def weighted_average(items: Iterable[tuple[Decimal, Decimal | None]]) -> Decimal | None:
    """Weighted mean of (weight, percent) pairs, ignoring those with no percent."""
    total_weight = ZERO
    total = ZERO
    for weight, percent in items:
        if percent is None:
            continue
        total_weight += weight
        total += weight * percent
    if total_weight == 0:
        return None
    return total / total_weight


def rounded(percent: Decimal | None, places: int = 1) -> Decimal | None:
    if percent is None:
        return None
    return percent.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
