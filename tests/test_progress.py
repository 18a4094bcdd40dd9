"""The progress rules, tested as plain functions (no database)."""

import datetime
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from goals import progress
from goals.progress import Kind, Spec, Status

START = datetime.date(2024, 1, 1)
DUE = datetime.date(2024, 12, 31)
MID = datetime.date(2024, 7, 1)
TOL = D(10)


def spec(kind, value=None, **kw):
    return Spec(kind=kind, value=None if value is None else D(value), **kw)


AT_LEAST = spec(Kind.AT_LEAST, 200)
RANGE = spec(Kind.RANGE, 2, upper=D(3))
ABOUT = spec(Kind.ABOUT, 150)
LEVEL = spec(Kind.LEVEL, 77)
LEVEL_FROM_BASE = spec(Kind.LEVEL, 77, baseline=D(60))
AT_MOST = spec(Kind.AT_MOST, 0)
MILESTONE = spec(Kind.MILESTONE)


class TestPercentComplete:
    def test_it_divides_actual_by_target_for_floors(self):
        assert progress.percent_complete(AT_LEAST, D(50)) == D(25)

    def test_it_caps_at_100(self):
        assert progress.percent_complete(AT_LEAST, D(500)) == D(100)

    def test_it_measures_a_range_against_its_lower_bound(self):
        assert progress.percent_complete(RANGE, D(1)) == D(50)
        assert progress.percent_complete(RANGE, D(2)) == D(100)

    def test_it_measures_about_against_the_number(self):
        assert progress.percent_complete(ABOUT, D(75)) == D(50)

    def test_it_measures_a_level_from_zero_without_a_baseline(self):
        assert progress.percent_complete(LEVEL, D("38.5")) == D(50)

    def test_it_measures_a_level_from_its_baseline(self):
        # 60% → 77%: reaching 68.5% is half the way.
        assert progress.percent_complete(LEVEL_FROM_BASE, D("68.5")) == D(50)
        assert progress.percent_complete(LEVEL_FROM_BASE, D(55)) == D(0)

    def test_a_ceiling_has_no_percent(self):
        assert progress.percent_complete(AT_MOST, D(0)) is None

    def test_a_milestone_is_its_reported_stage(self):
        assert progress.percent_complete(MILESTONE, D(60)) == D(60)

    def test_no_report_has_no_percent(self):
        assert progress.percent_complete(AT_LEAST, None) is None

    def test_a_zero_floor_is_complete_at_zero(self):
        assert progress.percent_complete(spec(Kind.AT_LEAST, 0), D(0)) == D(100)


class TestDone:
    def test_a_floor_is_done_exactly_at_the_number(self):
        assert not progress.is_done(AT_LEAST, D("199.99"))
        assert progress.is_done(AT_LEAST, D(200))

    def test_a_range_is_done_at_its_lower_bound_and_exceeded_at_the_upper(self):
        assert progress.is_done(RANGE, D(2)) and not progress.is_exceeded(RANGE, D(2))
        assert progress.is_exceeded(RANGE, D(3))

    def test_about_is_done_within_its_tolerance(self):
        assert not progress.is_done(ABOUT, D(134))
        assert progress.is_done(ABOUT, D(135))  # 150 − 10%
        assert not progress.is_exceeded(ABOUT, D(165))
        assert progress.is_exceeded(ABOUT, D(166))

    def test_a_level_is_done_when_reached(self):
        assert not progress.is_done(LEVEL, D("76.9"))
        assert progress.is_done(LEVEL, D(77))

    def test_a_milestone_is_done_at_100(self):
        assert not progress.is_done(MILESTONE, D(99))
        assert progress.is_done(MILESTONE, D(100))


class TestStatus:
    def test_no_report(self):
        assert progress.status(AT_LEAST, None, MID, TOL) == Status.NO_REPORT
        assert progress.status(AT_LEAST, None, DUE, TOL) == Status.NO_REPORT

    def test_after_the_period_nothing_reported_reads_never_reported(self):
        after = datetime.date(2025, 1, 1)
        assert progress.status(AT_LEAST, None, after, TOL) == Status.NEVER_REPORTED
        assert progress.status(AT_MOST, None, after, TOL) == Status.NEVER_REPORTED
        assert progress.status(MILESTONE, None, after, TOL) == Status.NEVER_REPORTED

    def test_on_track_within_tolerance_of_the_pace(self):
        expected = progress.expected_percent(START, DUE, MID)
        assert D(49) < expected < D(51)
        at_pace_minus_tolerance = (expected - TOL) * 2  # in units of a 200 target
        assert progress.status(AT_LEAST, at_pace_minus_tolerance + D("0.1"), MID, TOL) == Status.ON_TRACK
        assert progress.status(AT_LEAST, at_pace_minus_tolerance - D("0.1"), MID, TOL) == Status.BEHIND

    def test_done_beats_the_calendar(self):
        assert progress.status(AT_LEAST, D(200), datetime.date(2025, 3, 1), TOL) == Status.DONE

    def test_missed_once_the_period_is_over(self):
        assert progress.status(AT_LEAST, D(199), DUE, TOL) == Status.ON_TRACK
        assert progress.status(AT_LEAST, D(199), datetime.date(2025, 1, 1), TOL) == Status.MISSED

    def test_a_ceiling_is_held_or_breached(self):
        assert progress.status(AT_MOST, D(0), MID, TOL) == Status.HELD
        assert progress.status(AT_MOST, D(1), MID, TOL) == Status.BREACHED

    def test_a_target_with_its_own_due_date_is_paced_to_it(self):
        early = Spec(kind=Kind.AT_LEAST, value=D(100), due=datetime.date(2024, 6, 30))
        assert progress.expected_percent(early.start, early.due, datetime.date(2024, 6, 30)) == D(100)
        assert progress.status(early, D(60), datetime.date(2024, 6, 30), TOL) == Status.BEHIND
        assert progress.status(early, D(60), datetime.date(2024, 7, 1), TOL) == Status.MISSED


class TestPace:
    def test_expected_percent_runs_from_zero_to_100_over_the_year(self):
        assert progress.expected_percent(START, DUE, datetime.date(2023, 12, 31)) == D(0)
        assert progress.expected_percent(START, DUE, START) == D(100) / D(366)
        assert progress.expected_percent(START, DUE, DUE) == D(100)
        assert progress.expected_percent(START, DUE, datetime.date(2026, 1, 1)) == D(100)


class TestStale:
    def test_stale_after_n_days_without_a_report(self):
        last = datetime.date(2024, 3, 1)
        assert not progress.is_stale(AT_LEAST, last, last + datetime.timedelta(days=45), 45, False)
        assert progress.is_stale(AT_LEAST, last, last + datetime.timedelta(days=46), 45, False)

    def test_never_reported_counts_from_the_period_start(self):
        assert not progress.is_stale(AT_LEAST, None, datetime.date(2024, 2, 15), 45, False)
        assert progress.is_stale(AT_LEAST, None, datetime.date(2024, 2, 16), 45, False)

    def test_done_targets_are_never_stale(self):
        assert not progress.is_stale(
            AT_LEAST, datetime.date(2024, 2, 1), datetime.date(2024, 12, 1), 45, True
        )

    def test_staleness_is_judged_only_while_the_period_runs(self):
        last = datetime.date(2024, 10, 1)
        assert progress.is_stale(AT_LEAST, last, DUE, 45, False)
        # After the period the final status says it all (missed, never reported): never stale.
        assert not progress.is_stale(AT_LEAST, last, datetime.date(2025, 1, 1), 45, False)
        assert not progress.is_stale(AT_LEAST, None, datetime.date(2026, 6, 1), 45, False)


class TestRollup:
    def test_equal_weights_average(self):
        assert progress.weighted_average([(D(1), D(100)), (D(1), D(50))]) == D(75)

    def test_weights_count(self):
        assert progress.weighted_average([(D(3), D(100)), (D(1), D(0))]) == D(75)

    def test_items_without_percent_are_left_out(self):
        assert progress.weighted_average([(D(1), D(40)), (D(1), None)]) == D(40)
        assert progress.weighted_average([(D(1), None)]) is None
        assert progress.weighted_average([]) is None


# Property-based tests --------------------------------------------------------------

amounts = st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False, allow_infinity=False)
goals = st.decimals(min_value=D("0.0001"), max_value=10**7, places=4, allow_nan=False, allow_infinity=False)
rising_kinds = st.sampled_from([Kind.AT_LEAST, Kind.RANGE, Kind.ABOUT, Kind.LEVEL, Kind.MILESTONE])
days = st.dates(min_value=datetime.date(2023, 6, 1), max_value=datetime.date(2026, 6, 1))


@st.composite
def specs(draw, kinds=rising_kinds):
    kind = draw(kinds)
    if kind == Kind.MILESTONE:
        return Spec(kind=kind)
    value = draw(goals)
    upper = value + draw(amounts) if kind == Kind.RANGE else None
    baseline = None
    if kind == Kind.LEVEL and draw(st.booleans()):
        baseline = draw(st.decimals(min_value=0, max_value=value, places=4))
    return Spec(kind=kind, value=value, upper=upper, baseline=baseline)


@given(specs(), amounts)
def test_percent_stays_within_0_and_100(s, actual):
    percent = progress.percent_complete(s, actual)
    assert D(0) <= percent <= D(100)


@given(specs(), amounts, amounts)
def test_percent_is_monotone_in_the_reported_value(s, a, b):
    low, high = sorted([a, b])
    assert progress.percent_complete(s, low) <= progress.percent_complete(s, high)


@given(specs(), amounts, days)
def test_done_exactly_when_the_target_is_met(s, actual, day):
    match s.kind:
        case Kind.MILESTONE:
            met = actual >= 100
        case Kind.ABOUT:
            met = actual >= s.value * (1 - s.tolerance_percent / 100)
        case _:
            met = actual >= s.value
    assert progress.is_done(s, actual) == met
    assert (progress.status(s, actual, day, TOL) == Status.DONE) == met
    if met and s.kind != Kind.ABOUT:
        assert progress.percent_complete(s, actual) == 100


@given(
    st.lists(
        st.tuples(st.decimals(min_value=D("0.01"), max_value=100, places=2), st.just(D(100))), min_size=1
    )
)
def test_a_rollup_of_all_done_children_is_done(items):
    assert progress.weighted_average(items) == D(100)


@given(
    st.lists(
        st.tuples(
            st.decimals(min_value=D("0.01"), max_value=100, places=2),
            st.decimals(min_value=0, max_value=100, places=2),
        ),
        min_size=1,
    )
)
def test_a_rollup_lies_between_its_smallest_and_largest_part(items):
    average = progress.weighted_average(items)
    percents = [p for _, p in items]
    assert min(percents) - D("1e-20") <= average <= max(percents) + D("1e-20")


@given(specs(), amounts, days, days)
def test_expected_pace_never_falls_as_days_pass(s, actual, a, b):
    early, late = sorted([a, b])
    assert progress.expected_percent(s.start, s.due, early) <= progress.expected_percent(s.start, s.due, late)


@pytest.mark.parametrize("kind", [Kind.AT_LEAST, Kind.RANGE, Kind.ABOUT, Kind.LEVEL])
def test_every_rising_kind_reaches_100_when_done(kind):
    s = Spec(kind=kind, value=D(10), upper=D(12) if kind == Kind.RANGE else None)
    assert progress.percent_complete(s, D(12)) == D(100)
