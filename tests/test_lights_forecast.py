"""Lights (亮灯) and forecasts: pure rules of goals.progress, with property-based tests."""

import datetime
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from goals import progress
from goals.progress import Kind, Light, LightRules, Spec, Status

START = datetime.date(2024, 1, 1)
DUE = datetime.date(2024, 12, 31)
MID = datetime.date(2024, 7, 1)
FIRST_DEADLINE = datetime.date(2024, 2, 5)
RULES = LightRules(yellow_points=D(10), red_points=D(30), grace_days=15)


def light(status, percent=None, expected=D(50), day=MID):
    return progress.light(status, percent, expected, day=day, first_deadline=FIRST_DEADLINE, rules=RULES)


class TestLight:
    def test_it_is_green_when_done_held_or_on_pace(self):
        assert light(Status.DONE, D(100)) == Light.GREEN
        assert light(Status.HELD) == Light.GREEN
        assert light(Status.ON_TRACK, D(40)) == Light.GREEN  # exactly 10 behind

    def test_it_is_yellow_more_than_10_and_at_most_30_points_behind(self):
        assert light(Status.BEHIND, D("39.9")) == Light.YELLOW
        assert light(Status.BEHIND, D(20)) == Light.YELLOW  # exactly 30 behind

    def test_it_is_red_more_than_30_behind_missed_breached_or_never_reported(self):
        assert light(Status.BEHIND, D("19.9")) == Light.RED
        assert light(Status.MISSED, D(90), D(100)) == Light.RED
        assert light(Status.BREACHED) == Light.RED
        assert light(Status.NEVER_REPORTED) == Light.RED

    def test_no_report_is_grey_until_the_first_deadline_is_past_its_grace(self):
        assert light(Status.NO_REPORT, day=datetime.date(2024, 2, 20)) == Light.GREY
        assert light(Status.NO_REPORT, day=datetime.date(2024, 2, 21)) == Light.RED

    def test_thresholds_come_from_the_rules(self):
        strict = LightRules(yellow_points=D(5), red_points=D(8), grace_days=0)
        kw = {"day": MID, "first_deadline": FIRST_DEADLINE, "rules": strict}
        assert progress.light(Status.ON_TRACK, D(44), D(50), **kw) == Light.YELLOW
        assert progress.light(Status.BEHIND, D(41), D(50), **kw) == Light.RED

    @given(st.decimals(0, 100, places=1), st.decimals(0, 100, places=1))
    def test_it_never_gets_better_as_a_target_falls_further_behind(self, percent, expected):
        order = [Light.GREEN, Light.YELLOW, Light.RED]
        here = order.index(light(Status.BEHIND, percent, expected))
        worse = order.index(light(Status.BEHIND, max(D(0), percent - 5), expected))
        assert worse >= here


AT_LEAST = Spec(kind=Kind.AT_LEAST, value=D(366))
LEVEL = Spec(kind=Kind.LEVEL, value=D(77), baseline=D(60))


class TestForecast:
    def test_projection_is_linear_from_the_period_start(self):
        # 183 of 366 days: half the year; 100 so far projects to 200.
        assert progress.projected_value(AT_LEAST, D(100), datetime.date(2024, 7, 1)) == D(200)
        assert progress.projected_value(LEVEL, D(65), datetime.date(2024, 7, 1)) == D(70)

    def test_there_is_none_for_milestones_ceilings_or_before_a_report(self):
        assert progress.projected_value(Spec(kind=Kind.MILESTONE), D(50), MID) is None
        assert progress.projected_value(Spec(kind=Kind.AT_MOST, value=D(0)), D(0), MID) is None
        assert progress.projected_value(AT_LEAST, None, None) is None
        assert progress.required_per_month(Spec(kind=Kind.MILESTONE), D(50), MID) is None
        assert progress.required_per_month(Spec(kind=Kind.AT_MOST, value=D(0)), D(0), MID) is None

    def test_required_per_month_is_what_remains_over_the_months_left(self):
        months = progress.months_left(AT_LEAST, datetime.date(2024, 6, 30))
        assert months == D(184) / D("30.4375")
        assert progress.required_per_month(AT_LEAST, D(166), datetime.date(2024, 6, 30)) == D(200) / months
        assert progress.required_per_month(AT_LEAST, D(400), MID) == 0
        assert progress.required_per_month(AT_LEAST, D(1), DUE) is None

    @given(
        value=st.decimals(0, 10_000, places=2),
        elapsed=st.integers(1, 366),
    )
    def test_a_target_on_exact_pace_projects_to_its_value(self, value, elapsed):
        spec = Spec(kind=Kind.AT_LEAST, value=value)
        day = START + datetime.timedelta(days=elapsed - 1)
        on_pace = value * D(elapsed) / D(366)
        projected = progress.projected_value(spec, on_pace, day)
        assert abs(projected - value) <= D("0.000001") * max(D(1), value)

    @given(
        actual=st.decimals(0, 10_000, places=2),
        elapsed=st.integers(1, 366),
    )
    def test_the_projection_never_falls_below_what_is_already_done(self, actual, elapsed):
        day = START + datetime.timedelta(days=elapsed - 1)
        assert progress.projected_value(AT_LEAST, actual, day) >= actual

    @given(
        actual=st.decimals(0, 1_000, places=2),
        days_before=st.integers(1, 365),
    )
    def test_required_per_month_times_the_months_left_is_what_remains(self, actual, days_before):
        day = DUE - datetime.timedelta(days=days_before)
        needed = progress.required_per_month(AT_LEAST, actual, day)
        remaining = max(D(0), D(366) - actual)
        assert abs(needed * progress.months_left(AT_LEAST, day) - remaining) <= D("0.000001")
        assert needed >= 0

    @given(actual=st.decimals(0, 300, places=1), a=st.integers(0, 300), b=st.integers(0, 300))
    def test_less_time_left_never_needs_less_per_month(self, actual, a, b):
        early, late = START + datetime.timedelta(days=min(a, b)), START + datetime.timedelta(days=max(a, b))
        assert progress.required_per_month(AT_LEAST, actual, late) >= progress.required_per_month(
            AT_LEAST, actual, early
        )
