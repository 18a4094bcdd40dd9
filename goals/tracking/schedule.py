"""Schedule facts for a whole plan, in one query: per target, which periods were reported,
how the last finished period went (on time, late, missing) and what is due next.

Built on the pure rules of goals.rules.cadence and an evaluated plan (goals.tracking.evaluation).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from goals.models import Report
from goals.rules import cadence
from goals.rules.cadence import Timeliness
from goals.rules.progress import Status
from goals.tracking.evaluation import PlanProgress, TargetProgress

# Reports that say "we reported": approved ones (what the public sees), and for staff pages
# and reminders also those waiting for review (or for the department head before it).
PUBLIC_STATES = (Report.State.APPROVED,)
STAFF_STATES = (Report.State.APPROVED, Report.State.SUBMITTED, Report.State.CONFIRMING)
# Far enough back to see the two latest periods of a quarterly cycle and their reports.
WINDOW_DAYS = 200
# A held ceiling still owes a confirmation each period (goals.rules.cadence.confirmed).
FINISHED = {Status.DONE}


@dataclass
class Facts:
    tp: TargetProgress
    submitted: dict[int, list[datetime.date]] = field(default_factory=dict)  # period → days
    last: int | None = None  # the latest period whose deadline has passed
    last_timeliness: Timeliness | None = None
    due: cadence.Due | None = None
    closed: bool = False  # the last period's deadline has passed: reporting is over

    @property
    def last_period(self) -> cadence.Period | None:
        return None if self.last is None else self.tp.periods[self.last]

    @property
    def required(self) -> bool:
        """Whether the last finished period needed a report (not once the target was done)."""
        return self.last is not None and self.tp.status != Status.DONE


def reporting_facts(result: PlanProgress, day: datetime.date, states=PUBLIC_STATES) -> dict[int, Facts]:
    """{target id: Facts} for every target of the evaluated plan, as it stood on `day`."""
    tps = list(result.targets.values())
    facts = {tp.target.id: Facts(tp) for tp in tps}
    if not tps:
        return facts
    since = min(min(day, tp.target.due) for tp in tps) - datetime.timedelta(days=WINDOW_DAYS)
    rows = Report.objects.filter(
        target__plan=result.plan, state__in=states, as_of__gte=since, as_of__lte=day
    ).values_list("target_id", "as_of", "created_at")
    for target_id, as_of, created_at in rows:
        item = facts.get(target_id)
        if item is None:
            continue
        index = cadence.period_for(list(item.tp.periods), as_of)
        if index is not None:
            item.submitted.setdefault(index, []).append(timezone.localtime(created_at).date())
    for item in facts.values():
        periods = list(item.tp.periods)
        item.last = cadence.last_past_deadline(periods, day)
        item.closed = bool(periods) and day > periods[-1].deadline
        if item.last is not None:
            item.last_timeliness = cadence.timeliness(
                periods[item.last], item.submitted.get(item.last, []), day
            )
        reported = {i for i, days in item.submitted.items() if any(d <= day for d in days)}
        item.due = cadence.next_due(periods, reported, day, done=item.tp.status in FINISHED)
    return facts


@dataclass
class Tally:
    """Schedule counts for a set of targets (a department, the whole workspace)."""

    required: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    overdue: int = 0
    due_soon: int = 0

    @property
    def on_time_rate(self):
        if not self.required:
            return None
        return round(100 * self.on_time / self.required, 1)


SOON_DAYS = 7


def tally(items: list[Facts]) -> Tally:
    found = Tally()
    for item in items:
        if item.required and item.last_timeliness is not None:
            found.required += 1
            found.on_time += item.last_timeliness == Timeliness.ON_TIME
            found.late += item.last_timeliness == Timeliness.LATE
            found.missing += item.last_timeliness == Timeliness.MISSING
        if item.due is not None:
            found.overdue += item.due.overdue
            found.due_soon += 0 <= item.due.days <= SOON_DAYS
    return found
