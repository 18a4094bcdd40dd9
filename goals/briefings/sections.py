"""The briefing's parts by livelihood project (民生实事) and by action (七大行动): per part its
completion, its lights and its targets, each with the status and light the pages show for
the same day (one evaluation of the plan: goals.tracking.evaluation)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from goals.rules.formatting import in_target_scale, rate_text, target_text
from goals.rules.progress import LIGHT_ORDER, Light
from goals.tracking.evaluation import PlanProgress, Rollup, TargetProgress


@dataclass
class Item:
    """A target in the briefing, with its last approved figure and (staff only) its notes."""

    tp: TargetProgress
    note: str = ""
    next_steps: str = ""

    @property
    def target(self):
        return self.tp.target

    @property
    def department(self) -> str:
        lead = self.target.lead_department
        return lead.name if lead else _("未分配")

    @property
    def goal(self) -> str:
        return target_text(self.target)

    @property
    def value(self) -> str:
        return in_target_scale(self.tp.value, self.target) if self.tp.value is not None else _("未填报")

    @property
    def as_of(self) -> str:
        return self.tp.as_of.isoformat() if self.tp.as_of else ""

    @property
    def percent(self) -> str:
        return "" if self.tp.percent_display is None else f"{self.tp.percent_display}%"

    @property
    def required(self) -> str:
        if self.tp.required is None:
            return ""
        return _("%(value)s/月") % {"value": rate_text(self.tp.required, self.target)}


@dataclass
class Section:
    """A project or an action: its completion, lights and targets (top-level, in order)."""

    kind: str  # "project" or "action"
    code: str
    name: str
    percent: str
    lights: Counter
    items: list[Item] = field(default_factory=list)

    @property
    def light_counts(self) -> list[tuple[Light, int]]:
        return [(light, self.lights[light]) for light in LIGHT_ORDER]

    @property
    def total(self) -> int:
        return len(self.items)


def department_headers() -> list[str]:
    """The columns of the briefing's table of departments (一、各单位情况)."""
    return [
        _("单位"),
        _("目标数"),
        _("红灯"),
        _("黄灯"),
        _("绿灯"),
        _("灰灯"),
        _("按时报送率"),
        _("逾期"),
        _("完成度"),
    ]


def department_cells(row) -> list:
    """One department's row (a league standing) under `department_headers`."""
    rate = row.tally.on_time_rate
    return [
        row.department.name,
        row.total,
        row.red,
        row.yellow,
        row.green,
        row.grey,
        f"{rate}%" if rate is not None else "—",
        row.overdue,
        f"{row.percent}%" if row.percent is not None else "—",
    ]


def item_headers(*, public: bool, as_of: bool) -> list[str]:
    """The columns of a red or yellow list: the staff's briefing adds the officials' notes."""
    columns = [_("编号"), _("目标"), _("责任单位"), _("目标值"), _("最新值")]
    columns += [_("截至"), _("尚需每月")] if as_of else [_("尚需每月")]
    return columns if public else [*columns, _("说明"), _("下阶段计划")]


def item_cells(item: Item, *, public: bool, as_of: bool) -> list[str]:
    """One target's row under `item_headers`."""
    cells = [item.target.code, item.target.name, item.department, item.goal, item.value]
    cells += [item.as_of, item.required] if as_of else [item.required or "—"]
    return cells if public else [*cells, item.note, item.next_steps]


def _targets_of(rollup: Rollup) -> list[TargetProgress]:
    found = list(rollup.targets)
    for part in rollup.parts:
        found += _targets_of(part)
    return found


def section(kind: str, rollup: Rollup) -> Section:
    items = [Item(tp) for tp in _targets_of(rollup)]
    percent = rollup.percent_display
    return Section(
        kind=kind,
        code=rollup.code,
        name=rollup.name,
        percent="—" if percent is None else f"{percent}%",
        lights=Counter(item.tp.light for item in items),
        items=items,
    )


def sections(result: PlanProgress) -> tuple[list[Section], list[Section]]:
    """(projects, actions) of the evaluated plan, in the plan's order; empty parts left out."""
    projects = [section("project", r) for r in result.projects if not r.is_empty]
    actions = [section("action", r) for r in result.actions if not r.is_empty]
    return projects, actions
