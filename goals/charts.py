"""A target's progress chart: geometry for a server-rendered SVG and its text alternative.

The chart plots the cumulative value of each approved report against the expected pace:
a straight line from the period start (at the baseline, or zero) to the due date (at the
target). A ceiling (不超过) has no pace, only its limit. Values are drawn at the target's
scale (1.1万名 → 1.1), as the document writes them; the template
(goals/_chart.html) turns this into markup, with colours from CSS classes.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal

from goals import progress
from goals.formatting import in_target_scale, plain
from goals.models import Target

WIDTH = 640
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 40


@dataclass
class Point:
    x: float
    y: float
    day: datetime.date
    text: str
    expected_text: str


@dataclass
class Tick:
    at: float
    label: str


@dataclass
class Chart:
    width: int
    height: int
    left: int
    right: float
    top: int
    bottom: float
    points: list[Point]
    line: str
    pace: tuple[float, float, float, float] | None
    goal_y: float | None
    upper_y: float | None
    day_x: float | None
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    unit: str = ""


def _nice_step(span: float) -> float:
    raw = span / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    for step in (1, 2, 2.5, 5, 10):
        if raw <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _axis_unit(target: Target) -> str:
    if target.kind == Target.Kind.MILESTONE:
        return "%"
    return f"{target.scale_label}{target.unit}"


def _at_scale(target: Target, value: Decimal) -> float:
    if target.kind == Target.Kind.MILESTONE:
        return float(value)
    return float(value / target.scale)


def build(
    target: Target, reports: list[tuple[datetime.date, Decimal]], day: datetime.date | None = None
) -> Chart:
    """`reports`: (as_of, cumulative value in base units), the winner of each day, any order."""
    reports = sorted(reports)
    start, due = target.period_start, target.due
    end = max([due, *[d for d, _ in reports]])
    spec_scale = 1 if target.kind == Target.Kind.MILESTONE else target.scale
    milestone = target.kind == Target.Kind.MILESTONE
    goal = Decimal(100) if milestone else target.target_value
    upper = target.target_upper
    baseline = (target.baseline_value or Decimal(0)) if target.kind == Target.Kind.LEVEL else Decimal(0)
    values = [_at_scale(target, v) for _, v in reports]
    top_value = max([float(goal or 0), float(upper or 0), *values, 0.0])
    if top_value <= 0:
        top_value = 1.0
    step = _nice_step(top_value * 1.1)
    y_max = step * (int(top_value * 1.1 / step) + 1)

    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    total_days = max((end - start).days, 1)

    def x_of(d: datetime.date) -> float:
        return round(LEFT + plot_w * min(max((d - start).days, 0), total_days) / total_days, 1)

    def y_of(v: float) -> float:
        return round(TOP + plot_h * (1 - v / y_max), 1)

    def expected_at(d: datetime.date) -> str:
        if target.kind == Target.Kind.AT_MOST or goal is None:
            return ""
        share = progress.expected_percent(start, due, d) / 100
        value = (baseline + (goal - baseline) * share) * spec_scale
        return in_target_scale(value.quantize(Decimal("0.01")), target)

    points = [
        Point(x_of(d), y_of(_at_scale(target, v)), d, in_target_scale(v, target), expected_at(d))
        for d, v in reports
    ]
    pace = None
    if goal is not None and target.kind != Target.Kind.AT_MOST:
        pace = (x_of(start), y_of(float(baseline)), x_of(due), y_of(float(goal)))
    months = [datetime.date(start.year, m, 1) for m in (1, 4, 7, 10)] + [datetime.date(start.year + 1, 1, 1)]
    x_ticks = [Tick(x_of(m), f"{m.year}-{m.month:02d}") for m in months if m <= end]
    y_ticks = []
    tick = 0.0
    while tick <= y_max + 1e-9:
        y_ticks.append(Tick(y_of(tick), plain(Decimal(str(round(tick, 6))))))
        tick += step
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        bottom=HEIGHT - BOTTOM,
        points=points,
        line=" ".join(f"{p.x},{p.y}" for p in points),
        pace=pace,
        goal_y=None if goal is None else y_of(float(goal)),
        upper_y=None if upper is None else y_of(float(upper)),
        day_x=x_of(day) if day and start <= day <= end else None,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        unit=_axis_unit(target),
    )
