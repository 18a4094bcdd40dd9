"""A target's progress chart: the picture that fits its kind, as SVG shapes and a text table.

Each kind of target gets its own honest picture:

- **cumulative** (at least N, a range, about N): the running total of each approved report
  against the even pace, a straight line from zero on 1 January to the target on the due
  date; the target (and a range's top) as horizontal lines.
- **level** (达到水平 X, e.g. 签约率达 77%): the level each report gave, between the
  baseline (when the plan gives one) and the target level; no pace from zero, since a
  level is not built up from nothing over the year. The axis spans those values only.
- **ceiling** (不超过 N, e.g. 不发生重特大事故): no axis of numbers, a strip along the year
  showing where the line was held and where it was breached, up to the latest report.
- **stage** (milestones): the stage reported (0–100 %), held until the next report, on a
  0–100 % axis, against the even pace.

Values are drawn at the target's scale (1.1万名 → 1.1), as the plan writes them. The
template (goals/_chart.html) draws the shapes; colours come from the CSS classes.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from goals.models import Target
from goals.rules import progress
from goals.rules.formatting import in_target_scale, plain, scaled

WIDTH = 640
HEIGHT = 290
STRIP_HEIGHT = 160
LEFT, RIGHT, TOP, BOTTOM = 72, 24, 40, 44
UNIT_Y = 24  # the unit's label, above the plot


@dataclass
class Line:
    cls: str
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass
class Rect:
    cls: str
    x: float
    y: float
    width: float
    height: float


@dataclass
class Text:
    cls: str
    x: float
    y: float
    text: str
    anchor: str = "middle"


@dataclass
class Dot:
    cls: str
    x: float
    y: float


@dataclass
class Chart:
    kind: str  # cumulative / level / ceiling / stage
    width: int
    height: int
    title: str
    lines: list[Line] = field(default_factory=list)
    rects: list[Rect] = field(default_factory=list)
    polyline: str = ""
    polyline_cls: str = "chart-actual"
    dots: list[Dot] = field(default_factory=list)
    labels: list[Text] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (key class, text)
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def _nice_step(span: float, parts: int = 4) -> float:
    raw = max(span, 1e-9) / parts
    magnitude = 10 ** math.floor(math.log10(raw))
    for step in (1, 2, 2.5, 5, 10):
        if raw <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _number(value: float) -> str:
    return plain(Decimal(str(round(value, 6))))


class _Frame:
    """The plot area: days along x (the target's period), values along y."""

    def __init__(self, start: datetime.date, end: datetime.date, height: int, low=0.0, high=1.0):
        self.start, self.end = start, end
        self.left, self.right = LEFT, WIDTH - RIGHT
        self.top, self.bottom = TOP, height - BOTTOM
        self.low, self.high = low, high
        self.days = max((end - start).days, 1)

    def x(self, day: datetime.date) -> float:
        share = min(max((day - self.start).days, 0), self.days) / self.days
        return round(self.left + (self.right - self.left) * share, 1)

    def y(self, value: float) -> float:
        share = (value - self.low) / ((self.high - self.low) or 1)
        return round(self.bottom - (self.bottom - self.top) * share, 1)

    def month_ticks(self) -> list[Text]:
        year = self.start.year
        months = [datetime.date(year, m, 1) for m in (1, 4, 7, 10)] + [datetime.date(year + 1, 1, 1)]
        return [
            Text("chart-tick", self.x(m), self.bottom + 24, f"{m.year}-{m.month:02d}")
            for m in months
            if self.start <= m <= self.end
        ]

    def value_axis(self, step: float, suffix: str = "") -> tuple[list[Line], list[Text]]:
        lines, texts = [], []
        tick = self.low
        while tick <= self.high + 1e-9:
            at = self.y(tick)
            lines.append(Line("chart-grid", self.left, at, self.right, at))
            texts.append(Text("chart-tick", self.left - 8, at + 5, _number(tick) + suffix, "end"))
            tick += step
        return lines, texts

    def axes(self) -> list[Line]:
        return [
            Line("chart-axis", self.left, self.bottom, self.right, self.bottom),
            Line("chart-axis", self.left, self.top, self.left, self.bottom),
        ]

    def day_marker(self, day: datetime.date | None) -> list[Line]:
        if day is None or not self.start <= day <= self.end:
            return []
        return [Line("chart-day", self.x(day), self.top, self.x(day), self.bottom)]


def _unit(target: Target) -> str:
    return f"{target.scale_label}{target.unit}"


def _at_scale(target: Target, value: Decimal) -> float:
    return float(value / target.scale)


def build(
    target: Target, reports: list[tuple[datetime.date, Decimal]], day: datetime.date | None = None
) -> Chart:
    """`reports`: (as_of, value in base units), the winner of each day, any order."""
    reports = sorted(reports)
    builder = {
        Target.Kind.LEVEL: _level,
        Target.Kind.AT_MOST: _ceiling,
        Target.Kind.MILESTONE: _stage,
    }.get(target.kind, _cumulative)
    return builder(target, reports, day)


def _period(target: Target, reports) -> tuple[datetime.date, datetime.date]:
    return target.period_start, max([target.due, *[d for d, _ in reports]])


def _expected(target: Target, day: datetime.date, start_value: Decimal, goal: Decimal) -> Decimal:
    share = progress.expected_percent(target.period_start, target.due, day) / 100
    return start_value + (goal - start_value) * share


def _cumulative(target: Target, reports, day) -> Chart:
    start, end = _period(target, reports)
    goal, upper = target.target_value, target.target_upper
    values = [_at_scale(target, v) for _, v in reports]
    top_value = max([float(goal or 0), float(upper or 0), *values, 0.0]) or 1.0
    step = _nice_step(top_value * 1.1)
    frame = _Frame(start, end, HEIGHT, 0.0, step * (int(top_value * 1.1 / step) + 1))
    grid, ticks = frame.value_axis(step)
    chart = Chart(
        "cumulative",
        WIDTH,
        HEIGHT,
        _("%(name)s:累计完成值与应达进度") % {"name": target.name},
        lines=grid + frame.axes(),
        labels=ticks + frame.month_ticks() + [Text("chart-unit", 8, UNIT_Y, _unit(target), "start")],
    )
    chart.legend.append(("key-actual", _("累计完成值(经审核)")))
    if goal is not None:
        chart.lines.append(
            Line("chart-goal", frame.left, frame.y(float(goal)), frame.right, frame.y(float(goal)))
        )
        chart.lines.append(
            Line("chart-pace", frame.x(start), frame.y(0), frame.x(target.due), frame.y(float(goal)))
        )
        chart.legend.append(("key-pace", _("应达进度(按时间线性推进)")))
        chart.legend.append(("key-goal", _("目标")))
    if upper is not None:
        chart.lines.append(
            Line("chart-upper", frame.left, frame.y(float(upper)), frame.right, frame.y(float(upper)))
        )
        chart.legend.append(("key-upper", _("目标上限")))
    chart.lines += frame.day_marker(day)
    if frame.day_marker(day):
        chart.legend.append(("key-day", _("评估日期")))
    chart.dots = [
        Dot("chart-point", frame.x(d), frame.y(v)) for (d, _v), v in zip(reports, values, strict=True)
    ]
    if len(chart.dots) > 1:
        chart.polyline = " ".join(f"{p.x},{p.y}" for p in chart.dots)
    chart.columns = [_("截至日期"), _("累计完成值"), _("同日应达")]
    for d, v in reports:
        expected = _expected(target, d, Decimal(0), goal) * target.scale if goal is not None else None
        chart.rows.append(
            [
                d.isoformat(),
                in_target_scale(v, target),
                in_target_scale(expected.quantize(Decimal("0.01")), target) if expected is not None else "—",
            ]
        )
    return chart


def _level(target: Target, reports, day) -> Chart:
    start, end = _period(target, reports)
    goal, baseline = target.target_value, target.baseline_value
    values = [_at_scale(target, v) for _, v in reports]
    known = [float(x) for x in (goal, baseline) if x is not None] + values
    low, high = (min(known), max(known)) if known else (0.0, 1.0)
    span = (high - low) or abs(high) * 0.2 or 1.0
    step = _nice_step(span * 1.4)
    low_axis = max(0.0, math.floor((low - span * 0.2) / step) * step)
    high_axis = math.ceil((high + span * 0.2) / step) * step
    if target.unit == "%":
        high_axis = min(high_axis, 100.0) if high <= 100 else high_axis
    if high_axis <= low_axis:
        high_axis = low_axis + step
    frame = _Frame(start, end, HEIGHT, low_axis, high_axis)
    grid, ticks = frame.value_axis(step)
    chart = Chart(
        "level",
        WIDTH,
        HEIGHT,
        _("%(name)s:报告的水平与目标水平") % {"name": target.name},
        lines=grid + frame.axes(),
        labels=ticks + frame.month_ticks() + [Text("chart-unit", 8, UNIT_Y, _unit(target), "start")],
    )
    chart.legend.append(("key-actual", _("报告的水平(经审核)")))
    if goal is not None:
        at = frame.y(float(goal))
        chart.lines.append(Line("chart-goal", frame.left, at, frame.right, at))
        chart.labels.append(
            Text(
                "chart-line-label",
                frame.right - 4,
                at - 6,
                _("目标 %(v)s") % {"v": scaled(goal, target.scale, target.unit)},
                "end",
            )
        )
        chart.legend.append(("key-goal", _("目标水平")))
    if baseline is not None:
        at = frame.y(float(baseline))
        chart.lines.append(Line("chart-baseline", frame.left, at, frame.right, at))
        label = _("基数 %(v)s") % {"v": scaled(baseline, target.scale, target.unit)}
        if target.baseline_year:
            label += f"({target.baseline_year})"
        chart.labels.append(Text("chart-line-label", frame.left + 4, at - 6, label, "start"))
        chart.legend.append(("key-baseline", _("基数")))
    chart.lines += frame.day_marker(day)
    if frame.day_marker(day):
        chart.legend.append(("key-day", _("评估日期")))
    chart.dots = [
        Dot("chart-point", frame.x(d), frame.y(v)) for (d, _v), v in zip(reports, values, strict=True)
    ]
    if len(chart.dots) > 1:
        chart.polyline = " ".join(f"{p.x},{p.y}" for p in chart.dots)
    chart.columns = [_("截至日期"), _("报告的水平")]
    chart.rows = [[d.isoformat(), in_target_scale(v, target)] for d, v in reports]
    return chart


def _ceiling(target: Target, reports, day) -> Chart:
    start, end = _period(target, reports)
    frame = _Frame(start, end, STRIP_HEIGHT)
    limit = (target.target_value or Decimal(0)) * target.scale
    strip_top, strip_height = frame.top + 28, 36
    chart = Chart(
        "ceiling",
        WIDTH,
        STRIP_HEIGHT,
        _("%(name)s:底线守住或突破的时间") % {"name": target.name},
        labels=frame.month_ticks(),
    )
    chart.lines = [Line("chart-axis", frame.left, frame.bottom, frame.right, frame.bottom)]
    chart.labels.append(
        Text(
            "chart-unit",
            8,
            UNIT_Y,
            _("底线:不超过 %(v)s") % {"v": scaled(target.target_value, target.scale, target.unit)},
            "start",
        )
    )
    chart.rects.append(Rect("chart-unknown", frame.left, strip_top, frame.right - frame.left, strip_height))
    previous = start
    states = set()
    for d, value in reports:
        held = value <= limit
        states.add(held)
        x0, x1 = frame.x(previous), frame.x(d)
        chart.rects.append(
            Rect("chart-held" if held else "chart-breached", x0, strip_top, max(x1 - x0, 2), strip_height)
        )
        chart.dots.append(
            Dot("chart-point" if held else "chart-point-breached", x1, strip_top + strip_height / 2)
        )
        chart.labels.append(Text("chart-value", x1, strip_top - 8, in_target_scale(value, target)))
        previous = d
    if True in states:
        chart.legend.append(("key-held", _("守住底线")))
    if False in states:
        chart.legend.append(("key-breached", _("突破底线")))
    chart.legend.append(("key-unknown", _("尚无报告的时段")))
    chart.lines += [
        Line("chart-day", line.x1, frame.top, line.x2, frame.bottom) for line in frame.day_marker(day)
    ]
    if frame.day_marker(day):
        chart.legend.append(("key-day", _("评估日期")))
    chart.columns = [_("截至日期"), _("累计发生"), _("底线")]
    chart.rows = [
        [d.isoformat(), in_target_scale(v, target), str(_("守住") if v <= limit else _("突破"))]
        for d, v in reports
    ]
    return chart


def _stage(target: Target, reports, day) -> Chart:
    start, end = _period(target, reports)
    frame = _Frame(start, end, HEIGHT, 0.0, 100.0)
    grid, ticks = frame.value_axis(25, "%")
    chart = Chart(
        "stage",
        WIDTH,
        HEIGHT,
        _("%(name)s:完成阶段与应达进度") % {"name": target.name},
        lines=grid + frame.axes(),
        labels=ticks + frame.month_ticks(),
    )
    chart.legend.append(("key-actual", _("报告的完成阶段(经审核)")))
    chart.lines.append(Line("chart-pace", frame.x(start), frame.y(0), frame.x(target.due), frame.y(100)))
    chart.legend.append(("key-pace", _("应达进度(按时间线性推进)")))
    chart.lines += frame.day_marker(day)
    if frame.day_marker(day):
        chart.legend.append(("key-day", _("评估日期")))
    steps: list[tuple[float, float]] = []
    for i, (d, value) in enumerate(reports):
        x, y = frame.x(d), frame.y(float(min(value, 100)))
        chart.dots.append(Dot("chart-point", x, y))
        steps.append((x, y))
        following = reports[i + 1][0] if i + 1 < len(reports) else (day if day and day > d else d)
        steps.append((frame.x(min(following, end)), y))
    if len(steps) > 1:
        chart.polyline = " ".join(f"{x},{y}" for x, y in steps)
    chart.columns = [_("截至日期"), _("完成阶段"), _("同日应达")]
    chart.rows = [
        [
            d.isoformat(),
            f"{plain(v)}%",
            f"{progress.expected_percent(start, target.due, d).quantize(Decimal('0.1'))}%",
        ]
        for d, v in reports
    ]
    return chart
