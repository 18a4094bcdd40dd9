"""The department league table (督查通报): per department, its targets by light, how its
last reporting period went, and what is overdue. No queries beyond the evaluated plan,
its schedule facts (goals.tracking.schedule) and the list of departments."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

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
class LeagueRow:
    department: object
    lights: Counter = field(default_factory=Counter)
    total: int = 0
    tally: schedule.Tally = field(default_factory=schedule.Tally)
    percent: Decimal | None = None

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


def build(result: PlanProgress, facts: dict[int, schedule.Facts], departments) -> list[LeagueRow]:
    """One row per department that leads at least one top-level target, in the departments' order."""
    led: dict[int, list] = {}
    for tp in result.targets.values():
        if tp.target.lead_department_id and tp.target.parent_id is None:
            led.setdefault(tp.target.lead_department_id, []).append(tp)
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
