"""The department league table (督查通报): per department, its targets by light, how its
last reporting period went, what is overdue, and how it answers residents' questions
(数据问询: answered on time, overdue). No queries beyond the evaluated plan, its schedule
facts (goals.tracking.schedule), the list of departments and one for the questions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from goals.models import Question
from goals.rules.progress import Light, rounded, weighted_average
from goals.tracking import schedule
from goals.tracking.evaluation import PlanProgress

SORTS = {
    "red": _("红灯多的在前"),
    "on_time": _("按时报送率低的在前"),
    "overdue": _("逾期多的在前"),
    "percent": _("完成度低的在前"),
    "name": _("按单位顺序"),
}
DEFAULT_SORT = "red"


@dataclass
class QuestionTally:
    """Residents' questions to a department whose answer deadline has passed (or that were
    answered), as of a day: answered on time, or overdue (unanswered past the deadline, or
    answered late)."""

    on_time: int = 0
    overdue: int = 0
    open: int = 0  # confirmed and not answered on the day (overdue ones included)

    @property
    def due(self) -> int:
        return self.on_time + self.overdue


def question_tallies(plan, day) -> dict[int | None, QuestionTally]:
    """{department id: tally} for the plan's confirmed, visible questions as they stood on `day`;
    under None the unassigned ones (targets with no lead department), which 督查室 answers."""
    tallies: dict[int | None, QuestionTally] = {}
    rows = (
        Question.objects.public()
        .filter(target__plan=plan, confirmed_at__isnull=False)
        .values_list("department_id", "confirmed_at", "due_on", "answered_at")
    )
    for department_id, confirmed_at, due_on, answered_at in rows:
        if timezone.localdate(confirmed_at) > day:
            continue
        answered_on = timezone.localdate(answered_at) if answered_at else None
        if answered_on is not None and answered_on > day:
            answered_on = None  # not yet answered on that day
        tally = tallies.setdefault(department_id, QuestionTally())
        if answered_on is None:
            tally.open += 1
        if answered_on is not None and answered_on <= due_on:
            tally.on_time += 1
        elif due_on < day or (answered_on is not None and answered_on > due_on):
            tally.overdue += 1
    return tallies


@dataclass
class LeagueRow:
    department: object
    lights: Counter = field(default_factory=Counter)
    total: int = 0
    tally: schedule.Tally = field(default_factory=schedule.Tally)
    percent: Decimal | None = None
    questions: QuestionTally = field(default_factory=lambda: QuestionTally())

    @property
    def red(self) -> int:
        return self.lights[Light.RED]

    @property
    def yellow(self) -> int:
        return self.lights[Light.YELLOW]

    @property
    def green(self) -> int:
        return self.lights[Light.GREEN]

    @property
    def grey(self) -> int:
        return self.lights[Light.GREY]

    @property
    def overdue(self) -> int:
        """逾期未报: targets whose last period past its deadline has no report at all, the
        "未报" of the on-time rate (so the two never disagree, also once the year is over)."""
        return self.tally.missing


def build(
    result: PlanProgress, facts: dict[int, schedule.Facts], departments, questions: dict | None = None
) -> list[LeagueRow]:
    """One row per department that leads at least one top-level target, in the departments' order
    (`questions`: question_tallies, when the caller has them already)."""
    led: dict[int, list] = {}
    for tp in result.targets.values():
        if tp.target.lead_department_id and tp.target.parent_id is None:
            led.setdefault(tp.target.lead_department_id, []).append(tp)
    if questions is None:
        questions = question_tallies(result.plan, result.day)
    rows = []
    for department in departments:
        tps = led.get(department.pk)
        if not tps:
            continue
        rows.append(
            LeagueRow(
                department=department,
                lights=Counter(tp.light for tp in tps),
                total=len(tps),
                tally=schedule.tally([facts[tp.target.pk] for tp in tps]),
                percent=rounded(weighted_average((tp.target.weight, tp.rollup_percent) for tp in tps)),
                questions=questions.get(department.pk, QuestionTally()),
            )
        )
    return rows


def ordered(rows: list[LeagueRow], sort: str) -> list[LeagueRow]:
    """Worst first for every key but the name; ties keep the departments' order."""
    if sort == "red":
        return sorted(rows, key=lambda r: (-r.red, -r.yellow))
    if sort == "on_time":
        return sorted(rows, key=lambda r: (r.tally.on_time_rate is None, r.tally.on_time_rate or 0))
    if sort == "overdue":
        return sorted(rows, key=lambda r: -r.overdue)
    if sort == "percent":
        return sorted(rows, key=lambda r: (r.percent is None, r.percent or 0))
    return rows
