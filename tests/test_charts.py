"""goals/public/charts.py: each kind of target gets the picture that fits it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from goals.models import Target
from goals.public import charts
from tests.builders import make_plan, make_project, make_target

pytestmark = pytest.mark.django_db
DAY = datetime.date(2023, 7, 15)


@pytest.fixture
def project():
    return make_project(make_plan(2023))


def d(month: int, day: int = 30) -> datetime.date:
    return datetime.date(2023, month, day)


def tick_texts(chart) -> list[str]:
    return [t.text for t in chart.labels if t.cls == "chart-tick"]


def test_a_running_total_is_drawn_against_a_pace_from_zero(project):
    target = make_target(project, "P1.1", value=200)
    chart = charts.build(target, [(d(3, 31), Decimal(60)), (d(6), Decimal(120))], DAY)
    assert chart.kind == "cumulative"
    pace = next(line for line in chart.lines if line.cls == "chart-pace")
    assert (pace.x1, pace.y1) == (charts.LEFT, chart.height - charts.BOTTOM)  # 0 on 1 January
    assert tick_texts(chart)[0] == "0"
    assert chart.rows[1][:2] == ["2023-06-30", "120个"]


def test_a_level_is_drawn_between_its_baseline_and_target_level_without_a_pace(project):
    target = make_target(
        project, "P1.2", kind=Target.Kind.LEVEL, value=77, unit="%", baseline_value=Decimal(70)
    )
    chart = charts.build(target, [(d(3, 31), Decimal(72)), (d(6), Decimal(75))], DAY)
    assert chart.kind == "level"
    classes = {line.cls for line in chart.lines}
    assert "chart-pace" not in classes and {"chart-goal", "chart-baseline"} <= classes
    values = [float(t) for t in tick_texts(chart) if not t.startswith("2023")]
    assert min(values) >= 60 and max(values) <= 100, values
    assert "累计" not in chart.title and chart.columns == ["截至日期", "报告的水平"]


def test_a_ceiling_shows_where_the_line_held_and_where_it_broke(project):
    target = make_target(project, "P1.3", kind=Target.Kind.AT_MOST, value=0, unit="起")
    chart = charts.build(target, [(d(3, 31), Decimal(0)), (d(6), Decimal(1))], DAY)
    assert chart.kind == "ceiling"
    assert [r.cls for r in chart.rects] == ["chart-unknown", "chart-held", "chart-breached"]
    assert all(t.startswith("2023-") for t in tick_texts(chart))  # no axis of numbers
    assert [row[2] for row in chart.rows] == ["守住", "突破"]
    assert not chart.polyline


def test_a_milestone_is_drawn_as_stages_up_to_100_percent(project):
    target = make_target(project, "P1.4", kind=Target.Kind.MILESTONE, unit="")
    chart = charts.build(target, [(d(3, 31), Decimal(25)), (d(6), Decimal(100))], DAY)
    assert chart.kind == "stage"
    percents = [t for t in tick_texts(chart) if t.endswith("%")]
    assert percents == ["0%", "25%", "50%", "75%", "100%"]
    # Each stage holds until the next report: a step, not a slope.
    points = [tuple(map(float, p.split(","))) for p in chart.polyline.split()]
    assert points[0][1] == points[1][1] and points[1][0] == points[2][0]
