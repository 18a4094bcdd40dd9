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

    def test_a_ceiling_reported_before_but_not_confirmed_stays_grey(self):
        # A6.1 reported 0 up to September, October not confirmed by 5 November: grey, never
        # red for lack of a report, whatever the grace.
        late = datetime.date(2024, 11, 20)
        assert light(Status.NO_REPORT, None, D(0), day=late) == Light.RED
        assert (
            progress.light(
                Status.NO_REPORT,
                None,
                D(0),
                day=late,
                first_deadline=FIRST_DEADLINE,
                rules=RULES,
                reported=True,
            )
            == Light.GREY
        )
        # Reported or not, a breach is red and a held ceiling green.
        for status, expected in [(Status.BREACHED, Light.RED), (Status.HELD, Light.GREEN)]:
            kw = {"day": late, "first_deadline": FIRST_DEADLINE, "rules": RULES, "reported": True}
            assert progress.light(status, None, D(0), **kw) == expected

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

    def test_a_level_without_a_baseline_grows_from_its_first_report_not_from_zero(self):
        # No baseline: 0 is no start. With only the one report there is no pace to project;
        # 60 on 1 April then 65 on 1 July (91 days) goes on to 31 December (274 days from
        # the first report): 60 + 5 × 274/91. An "at least" target that happens to carry a
        # baseline still counts from zero: 100 by 1 July projects to 200.
        no_base = Spec(kind=Kind.LEVEL, value=D(77))
        assert progress.projected_value(no_base, D("38.5"), MID) is None
        first = progress.First(MID, D("38.5"))
        assert progress.projected_value(no_base, D("38.5"), MID, first) is None
        april = progress.First(datetime.date(2024, 4, 1), D(60))
        assert progress.projected_value(no_base, D(65), MID, april) == D(60) + D(5) * D(274) / D(91)
        assert progress.projected_value(no_base, D(65), DUE, april) == D(65)
        with_base = Spec(kind=Kind.AT_LEAST, value=D(366), baseline=D(100))
        assert progress.projected_value(with_base, D(100), MID) == D(200)
        # A level with a baseline ignores its first report: it grows from the baseline.
        assert progress.projected_value(LEVEL, D(65), MID, april) == D(70)

    def test_a_percentage_never_projects_past_100(self):
        rate = Spec(kind=Kind.LEVEL, value=D(77), limit=D(100))
        april = progress.First(datetime.date(2024, 4, 1), D(40))
        assert progress.projected_value(rate, D(70), MID, april) == D(100)
        assert progress.projected_value(rate, D(41), MID, april) == D(40) + D(274) / D(91)
        # At the limit exactly it stays there.
        count = Spec(kind=Kind.AT_LEAST, value=D(80), limit=D(100))
        assert progress.projected_value(count, D(50), MID) == D(100)
        assert progress.projected_value(count, D(50), datetime.date(2024, 9, 30)) == D(50) * D(366) / D(274)

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
        # With no baseline there is no known start before the first report; after it, the
        # gap to the target.
        no_base = Spec(kind=Kind.LEVEL, value=D(77))
        assert progress.required_per_month(no_base, None, day) is None
        assert progress.rounded(progress.required_per_month(no_base, D(70), day), 2) == D("1.16")
        # A baseline already at the target needs nothing, even on the due date.
        above = Spec(kind=Kind.LEVEL, value=D(77), baseline=D(80))
        assert progress.required_per_month(above, None, day) == 0
        assert progress.required_per_month(Spec(kind=Kind.LEVEL, value=D(77), baseline=D(77)), None, DUE) == 0
        # Before any report a count needs all of it: 366 over the months left.
        assert progress.required_per_month(AT_LEAST, None, day) == D(366) / progress.months_left(
            AT_LEAST, day
        )
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

    def test_a_target_done_needs_no_rate_at_all(self):
        assert progress.required_per_month(AT_LEAST, D(366), DUE) is None
        assert progress.required_per_month(AT_LEAST, D(366), MID) is None
        assert progress.required_per_month(AT_LEAST, D(365), datetime.date(2025, 1, 20)) is None
        # About 150, done within its 10 % tolerance at 135: nothing is still needed.
        about = Spec(kind=Kind.ABOUT, value=D(150))
        assert progress.required_per_month(about, D(135), MID) is None
        assert progress.required_per_month(about, D("134.9"), MID) == D("15.1") / progress.months_left(
            about, MID
        )

    def test_required_per_month_is_what_remains_over_the_months_left(self):
        months = progress.months_left(AT_LEAST, datetime.date(2024, 6, 30))
        assert months == D(184) / D("30.4375")
        assert progress.required_per_month(AT_LEAST, D(166), datetime.date(2024, 6, 30)) == D(200) / months
        assert progress.required_per_month(AT_LEAST, D(400), MID) is None
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
    if actual >= 366:
        assert needed is None  # done: nothing is still needed
        return
    remaining = D(366) - actual
    assert abs(needed * progress.months_left(AT_LEAST, day) - remaining) <= D("0.000001")
    assert needed > 0


@given(actual=st.decimals(0, 300, places=1), a=st.integers(0, 300), b=st.integers(0, 300))
def test_less_time_left_never_needs_less_per_month(actual, a, b):
    # AT_LEAST asks for 366: nothing up to 300 is done, so a rate is always needed.
    early, late = START + datetime.timedelta(days=min(a, b)), START + datetime.timedelta(days=max(a, b))
    assert progress.required_per_month(AT_LEAST, actual, late) >= progress.required_per_month(
        AT_LEAST, actual, early
    )


# Edge rules (issue 18) ----------------------------------------------------------------

PERCENT = Spec(kind=Kind.LEVEL, value=D(77), limit=D(100))
rising = st.sampled_from([Kind.AT_LEAST, Kind.RANGE, Kind.ABOUT, Kind.LEVEL])
report_days = st.dates(min_value=START, max_value=DUE)


@given(
    first=st.decimals(0, 100, places=2),
    actual=st.decimals(0, 100, places=2),
    a=report_days,
    b=report_days,
)
def test_a_percentage_never_projects_past_100(first, actual, a, b):
    start, later = min(a, b), max(a, b)
    projected = progress.projected_value(PERCENT, actual, later, progress.First(start, first))
    if start == later:
        assert projected is None  # one report dates no pace
    else:
        assert projected <= 100
        assert projected == min(
            D(100),
            progress.projected_value(
                Spec(kind=Kind.LEVEL, value=D(77)), actual, later, progress.First(start, first)
            ),
        )


@given(actual=st.decimals(0, 100, places=2), day=report_days)
def test_a_level_without_a_baseline_has_no_projection_from_a_single_report(actual, day):
    no_base = Spec(kind=Kind.LEVEL, value=D(77))
    assert progress.projected_value(no_base, actual, day) is None
    assert progress.projected_value(no_base, actual, day, progress.First(day, actual)) is None
    assert progress.required_per_month(no_base, None, day) is None


@given(
    kind=rising, value=st.decimals(1, 1000, places=1), actual=st.decimals(0, 2000, places=1), day=report_days
)
def test_a_target_done_never_needs_a_rate_and_one_not_done_needs_a_positive_one(kind, value, actual, day):
    spec = Spec(kind=kind, value=value, upper=value * 2 if kind == Kind.RANGE else None)
    needed = progress.required_per_month(spec, actual, day)
    if progress.is_done(spec, actual) or day >= DUE:
        assert needed is None
    else:
        assert needed > 0


class TestForecastText:
    """Forecasts at the precision of the unit (goals.rules.formatting)."""

    @staticmethod
    def target(unit="个", scale=1, kind=Kind.AT_LEAST):
        from goals.models import Target

        return Target(unit=unit, scale=scale, kind=kind, target_value=D(1))

    def test_counts_are_whole(self):
        from goals.rules.formatting import forecast_text

        assert forecast_text(D("200.36"), self.target("个")) == "200个"
        assert forecast_text(D("2.5"), self.target("所")) == "3所"
        assert forecast_text(D("2.49"), self.target("所")) == "2所"

    def test_a_count_at_wan_is_rounded_in_its_unit_and_written_at_wan(self):
        from goals.rules.formatting import forecast_text

        assert forecast_text(D("10523.7"), self.target("名", 10_000)) == "1.0524万名"
        assert forecast_text(D("10500"), self.target("名", 10_000)) == "1.05万名"

    def test_levels_and_other_units_keep_two_decimals(self):
        from goals.rules.formatting import forecast_text

        assert forecast_text(D("4.4567"), self.target("个", kind=Kind.LEVEL)) == "4.46个"
        assert forecast_text(D("76.925"), self.target("%", kind=Kind.LEVEL)) == "76.93%"
        assert forecast_text(D("12345.678"), self.target("元", 10_000)) == "1.23万元"

    def test_a_monthly_rate_is_rounded_up(self):
        from goals.rules.formatting import rate_rounded, rate_text

        assert rate_text(D("0.33"), self.target("家")) == "1家"
        assert rate_text(D("33.01"), self.target("个")) == "34个"
        assert rate_text(D(34), self.target("个")) == "34个"
        assert rate_text(D("1.151"), self.target("%", kind=Kind.LEVEL)) == "1.16%"
        assert rate_text(D("1200.2"), self.target("名", 10_000)) == "0.1201万名"
        assert rate_rounded(None, self.target()) is None and rate_text(None, self.target()) == ""


@given(value=st.decimals(0, 10**6, places=3), unit=st.sampled_from(["个", "所", "家", "名", "人次"]))
def test_a_counted_forecast_is_whole_and_a_rate_never_less_than_the_need(value, unit):
    from goals.models import Target
    from goals.rules.formatting import at_scale_rounded, rate_rounded

    target = Target(unit=unit, scale=1, kind=Kind.AT_LEAST, target_value=D(1))
    shown = at_scale_rounded(value, target)
    assert shown == shown.to_integral_value() and abs(shown - value) <= D("0.5")
    rate = rate_rounded(value, target)
    assert rate == rate.to_integral_value() and value <= rate < value + 1
