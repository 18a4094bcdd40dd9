"""Lights (亮灯) and forecasts: pure rules of goals.rules.progress, with property-based tests."""

import datetime
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from goals.rules import progress
from goals.rules.progress import Kind, Light, LightRules, Spec, Status

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

    def test_the_thresholds_are_exactly_10_and_30_points_behind(self):
        # 10 points behind is still green, a hair more is yellow; 30 behind is still yellow,
        # a hair more is red. The status passed does not decide it: the points behind do.
        assert light(Status.BEHIND, D(50), D(60)) == Light.GREEN
        assert light(Status.BEHIND, D("49.99"), D(60)) == Light.YELLOW
        assert light(Status.BEHIND, D(30), D(60)) == Light.YELLOW
        assert light(Status.BEHIND, D("29.99"), D(60)) == Light.RED
        assert light(Status.ON_TRACK, D(100), D(50)) == Light.GREEN  # ahead of the pace

    def test_done_or_held_is_green_and_missed_breached_or_never_reported_red_whatever_the_pace(self):
        # An "about" target is done within its tolerance: 60 % with a 40 % tolerance, at the
        # due date (pace 100 %), is 40 points behind and still green.
        assert light(Status.DONE, D(60), D(100)) == Light.GREEN
        assert light(Status.HELD, None, D(100)) == Light.GREEN
        assert light(Status.MISSED, D(95), D(100)) == Light.RED
        assert light(Status.BREACHED, None, D(0)) == Light.RED
        assert light(Status.NEVER_REPORTED, None, D(0)) == Light.RED

    def test_the_grace_period_ends_15_days_after_the_first_deadline(self):
        # First deadline 5 February: grey up to and on the 20th (15 days past), red on the 21st,
        # whatever the pace expected by then.
        for day, expected in [
            (datetime.date(2024, 2, 5), Light.GREY),
            (datetime.date(2024, 2, 20), Light.GREY),
        ]:
            assert light(Status.NO_REPORT, None, D(0), day=day) == expected
            assert light(Status.NO_REPORT, None, D(100), day=day) == expected
        assert light(Status.NO_REPORT, None, D(0), day=datetime.date(2024, 2, 21)) == Light.RED

    def test_no_report_stays_grey_while_the_target_has_no_reporting_deadline(self):
        for day in (datetime.date(2024, 1, 1), DUE):
            assert progress.light(
                Status.NO_REPORT, None, D(50), day=day, first_deadline=None, rules=RULES
            ) == (Light.GREY)

    def test_thresholds_come_from_the_rules(self):
        strict = LightRules(yellow_points=D(5), red_points=D(8), grace_days=0)
        kw = {"day": MID, "first_deadline": FIRST_DEADLINE, "rules": strict}
        assert progress.light(Status.ON_TRACK, D(44), D(50), **kw) == Light.YELLOW
        assert progress.light(Status.BEHIND, D(41), D(50), **kw) == Light.RED


@given(st.decimals(0, 100, places=1), st.decimals(0, 100, places=1))
def test_it_never_gets_better_as_a_target_falls_further_behind(percent, expected):
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

    def test_a_level_without_a_baseline_grows_from_zero_and_only_levels_grow_from_a_baseline(self):
        # 38.5 % by 1 July (half the year) projects to 77 %; an "at least" target that happens
        # to carry a baseline still counts from zero: 100 by 1 July projects to 200.
        assert progress.projected_value(Spec(kind=Kind.LEVEL, value=D(77)), D("38.5"), MID) == D(77)
        with_base = Spec(kind=Kind.AT_LEAST, value=D(366), baseline=D(100))
        assert progress.projected_value(with_base, D(100), MID) == D(200)

    def test_the_projection_starts_on_the_first_day_and_not_before(self):
        # 1 January is 1 of 366 days: 2 by then projects to 732.
        assert progress.projected_value(AT_LEAST, D(2), START) == D(732)
        assert progress.projected_value(AT_LEAST, D(2), datetime.date(2023, 12, 31)) is None
        assert progress.projected_value(AT_LEAST, D(2), datetime.date(2023, 12, 1)) is None

    def test_a_figure_with_no_date_or_a_date_with_no_figure_has_no_projection(self):
        assert progress.projected_value(AT_LEAST, D(100), None) is None
        assert progress.projected_value(AT_LEAST, None, MID) is None

    def test_at_and_after_the_due_date_the_projection_is_the_figure_itself(self):
        assert progress.projected_value(AT_LEAST, D(300), DUE) == D(300)
        assert progress.projected_value(AT_LEAST, D(300), datetime.date(2025, 1, 20)) == D(300)
        assert progress.projected_value(LEVEL, D(75), datetime.date(2025, 1, 20)) == D(75)

    def test_a_one_day_period_projects_the_figure_of_that_day(self):
        one_day = Spec(kind=Kind.AT_LEAST, value=D(10), start=MID, due=MID)
        assert progress.projected_value(one_day, D(7), MID) == D(7)

    def test_before_any_report_a_level_needs_what_lies_between_its_baseline_and_its_target(self):
        # 30 June: 184 days (6.05 months) left. 60 % → 77 %: 17 points, 2.81 a month; with no
        # baseline, from 0: 12.74 a month. An "at least" target with a baseline still needs all
        # of its 366: 60.54 a month.
        day = datetime.date(2024, 6, 30)
        assert progress.rounded(progress.required_per_month(LEVEL, None, day), 2) == D("2.81")
        no_base = Spec(kind=Kind.LEVEL, value=D(77))
        assert progress.rounded(progress.required_per_month(no_base, None, day), 2) == D("12.74")
        with_base = Spec(kind=Kind.AT_LEAST, value=D(366), baseline=D(100))
        assert progress.rounded(progress.required_per_month(with_base, None, day), 2) == D("60.54")

    def test_one_short_still_needs_something_each_month(self):
        day = datetime.date(2024, 6, 30)
        assert progress.rounded(progress.required_per_month(AT_LEAST, D(365), day), 4) == D("0.1654")

    def test_in_the_last_month_the_rate_is_what_remains_over_the_part_of_a_month_left(self):
        # 30 December: 1 day left, 1/30.4375 of a month; 10 still to do needs 304.38 a month.
        assert progress.rounded(
            progress.required_per_month(AT_LEAST, D(356), datetime.date(2024, 12, 30)), 2
        ) == (D("304.38"))

    def test_a_target_reached_needs_nothing_more_even_on_its_due_date(self):
        assert progress.required_per_month(AT_LEAST, D(366), DUE) == 0
        assert progress.required_per_month(AT_LEAST, D(366), datetime.date(2025, 1, 20)) == 0
        assert progress.required_per_month(AT_LEAST, D(365), datetime.date(2025, 1, 20)) is None

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
def test_a_target_on_exact_pace_projects_to_its_value(value, elapsed):
    spec = Spec(kind=Kind.AT_LEAST, value=value)
    day = START + datetime.timedelta(days=elapsed - 1)
    on_pace = value * D(elapsed) / D(366)
    projected = progress.projected_value(spec, on_pace, day)
    assert abs(projected - value) <= D("0.000001") * max(D(1), value)


@given(
    actual=st.decimals(0, 10_000, places=2),
    elapsed=st.integers(1, 366),
)
def test_the_projection_never_falls_below_what_is_already_done(actual, elapsed):
    day = START + datetime.timedelta(days=elapsed - 1)
    assert progress.projected_value(AT_LEAST, actual, day) >= actual


@given(
    actual=st.decimals(0, 1_000, places=2),
    days_before=st.integers(1, 365),
)
def test_required_per_month_times_the_months_left_is_what_remains(actual, days_before):
    day = DUE - datetime.timedelta(days=days_before)
    needed = progress.required_per_month(AT_LEAST, actual, day)
    remaining = max(D(0), D(366) - actual)
    assert abs(needed * progress.months_left(AT_LEAST, day) - remaining) <= D("0.000001")
    assert needed >= 0


@given(actual=st.decimals(0, 300, places=1), a=st.integers(0, 300), b=st.integers(0, 300))
def test_less_time_left_never_needs_less_per_month(actual, a, b):
    early, late = START + datetime.timedelta(days=min(a, b)), START + datetime.timedelta(days=max(a, b))
    assert progress.required_per_month(AT_LEAST, actual, late) >= progress.required_per_month(
        AT_LEAST, actual, early
    )
