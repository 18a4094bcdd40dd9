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


def status(spec: Spec, actual: Decimal | None, day: datetime.date, tolerance_points: Decimal) -> Status:
    if actual is None:
        return Status.NO_REPORT
    if spec.kind == Kind.AT_MOST:
        return Status.HELD if is_done(spec, actual) else Status.BREACHED
    if is_done(spec, actual):
        return Status.DONE
    if day > spec.due:
        return Status.MISSED
    percent = percent_complete(spec, actual)
    if percent >= expected_percent(spec.start, spec.due, day) - tolerance_points:
        return Status.ON_TRACK
    return Status.BEHIND


def is_stale(
    spec: Spec, last_report: datetime.date | None, day: datetime.date, stale_after_days: int, done: bool
) -> bool:
    """No approved report for `stale_after_days` within the period, as it stood on `day`.

    A target that is done, or whose period has not begun, is never stale; after the
    due date, staleness is judged at the due date (no one reports a finished year).
    """
    if done or day < spec.start:
        return False
    reference = min(day, spec.due)
    since = last_report or spec.start
    return (reference - since).days > stale_after_days


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
