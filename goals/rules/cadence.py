"""The reporting schedule (督查督办): periods, deadlines, and whether a report came in on time.

Pure functions, no database: goals.tracking.schedule loads what they need in bulk.

A plan reports monthly (or quarterly), each period due on day N of the month after it ends
(the 5th by default); a target may override both. Each report date belongs to exactly one
period: the period containing it, except that a report dated on or before the previous
period's deadline (1–5 July for June) counts for that previous period, since it gives the
total up to and past its end. A period is reported **on time** when a report for it was
submitted by its deadline, **late** when only after it, **missing** when not at all.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Cycle(models.TextChoices):
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")


class Timeliness(models.TextChoices):
    ON_TIME = "on_time", _("按时报送")
    LATE = "late", _("逾期报送")
    MISSING = "missing", _("未报送")
    OPEN = "open", _("报送期内")


MONTHS = {Cycle.MONTHLY: 1, Cycle.QUARTERLY: 3}
DEFAULT_DUE_DAY = 5


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    deadline: datetime.date

    @property
    def label_month(self) -> str:
        return f"{self.end.year}-{self.end.month:02d}"

    def __str__(self) -> str:
        if self.start.month == self.end.month:
            return f"{self.end.year}-{self.end.month:02d}"
        return f"{self.start.year}-{self.start.month:02d}~{self.end.month:02d}"


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _day_in_month(year: int, month: int, day: int) -> datetime.date:
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def deadline_after(end: datetime.date, due_day: int) -> datetime.date:
    """Day `due_day` of the month after `end` (clamped to that month's length)."""
    year, month = _add_months(end.year, end.month, 1)
    return _day_in_month(year, month, due_day)


def periods(cycle: str, due_day: int, start: datetime.date, due: datetime.date) -> list[Period]:
    """The reporting periods from `start` to `due`, calendar months (or quarters) cut at both ends.

    The last period ends on the due date, whatever day that is.
    """
    step = MONTHS.get(cycle, 1)
    found: list[Period] = []
    year, month = start.year, start.month
    if step == 3:
        month = (month - 1) // 3 * 3 + 1  # calendar quarters
    while True:
        first = max(start, datetime.date(year, month, 1))
        if first > due:
            break
        next_year, next_month = _add_months(year, month, step)
        end = min(due, datetime.date(next_year, next_month, 1) - datetime.timedelta(days=1))
        found.append(Period(first, end, deadline_after(end, due_day)))
        year, month = next_year, next_month
    return found


def period_for(items: list[Period], day: datetime.date) -> int | None:
    """The index of the period a report dated `day` counts for (see the module docstring)."""
    for index, period in enumerate(items):
        if period.start <= day <= period.end:
            if index > 0 and day <= items[index - 1].deadline:
                return index - 1
            return index
    return None


def last_closed(items: list[Period], day: datetime.date) -> int | None:
    """The index of the latest period that ended before `day` (the one last due)."""
    found = None
    for index, period in enumerate(items):
        if period.end < day:
            found = index
    return found


def last_past_deadline(items: list[Period], day: datetime.date) -> int | None:
    """The index of the latest period whose deadline passed before `day` (its outcome is final)."""
    found = None
    for index, period in enumerate(items):
        if period.deadline < day:
            found = index
    return found


def confirmed(items: list[Period], as_of: datetime.date | None, day: datetime.date) -> bool:
    """Whether a target's latest report (dated `as_of`) covers every period due by `day`:
    it counts for the latest period whose deadline has passed, or a later one. A ceiling
    is held only while confirmed so (goals.rules.progress.status); before the first
    deadline there is nothing to confirm yet."""
    due = last_past_deadline(items, day)
    if due is None:
        return True
    if as_of is None:
        return False
    index = period_for(items, as_of)
    if index is None and as_of > items[-1].end:
        index = len(items) - 1
    return index is not None and index >= due


def timeliness(period: Period, submitted: Iterable[datetime.date], day: datetime.date) -> Timeliness:
    """How the period was reported, judged on `day`; `submitted` are the submission days
    of the reports that count for it."""
    days = [d for d in submitted if d <= day]
    if any(d <= period.deadline for d in days):
        return Timeliness.ON_TIME
    if days:
        return Timeliness.LATE
    if day <= period.deadline:
        return Timeliness.OPEN
    return Timeliness.MISSING


def history(
    items: list[Period], reports: Iterable[tuple[datetime.date, datetime.date]], day: datetime.date
) -> list[tuple[Period, Timeliness]]:
    """Each period begun by `day`, with how it was reported; `reports` are (as-of date,
    submission day) pairs."""
    submitted: dict[int, list[datetime.date]] = {}
    for as_of, on in reports:
        index = period_for(items, as_of)
        if index is not None:
            submitted.setdefault(index, []).append(on)
    return [
        (period, timeliness(period, submitted.get(index, []), day))
        for index, period in enumerate(items)
        if period.start <= day
    ]


@dataclass(frozen=True)
class Due:
    """What an official owes next: a deadline, and whether it is already past."""

    period: Period
    days: int  # days until the deadline (negative: overdue by that many days)

    @property
    def overdue(self) -> bool:
        return self.days < 0

    @property
    def overdue_days(self) -> int:
        return -self.days


def next_due(
    items: list[Period], reported: set[int], day: datetime.date, *, done: bool = False
) -> Due | None:
    """The deadline the target faces on `day`: the last closed period if it is not yet
    reported (due in N days, or overdue by N days), else the running period's. None when
    nothing more is owed: done, the last period reported, or its deadline past (the year is
    closed: what was missed stays missed, and the final status says so)."""
    if done or not items or day > items[-1].deadline:
        return None
    closed = last_closed(items, day)
    if closed is not None and closed not in reported:
        period = items[closed]
        return Due(period, (period.deadline - day).days)
    for index, period in enumerate(items):
        if period.start <= day <= period.end:
            if index in reported and index + 1 < len(items):
                period = items[index + 1]
            elif index in reported:
                return None
            return Due(period, (period.deadline - day).days)
    if day < items[0].start:
        return Due(items[0], (items[0].deadline - day).days)
    return None
