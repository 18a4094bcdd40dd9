"""The progress rules, tested as plain functions (no database)."""

import datetime
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from goals.rules import progress
from goals.rules.progress import Kind, Spec, Status

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

    def test_a_goal_of_zero_or_less_is_all_or_nothing(self):
        # A goal written as a change of −5 cannot be divided by: reaching it is 100 %, less is 0 %.
        falling = spec(Kind.AT_LEAST, -5)
        assert progress.percent_complete(falling, D(-5)) == D(100)
        assert progress.percent_complete(falling, D(-6)) == D(0)

    def test_a_goal_below_one_is_still_a_ratio(self):
        # 3.7 公里 is 3700 in base units, but a rate of 0.5 is a plain 0.5.
        assert progress.percent_complete(spec(Kind.AT_LEAST, "0.5"), D("0.25")) == D(50)
        assert progress.percent_complete(spec(Kind.AT_LEAST, 1), D("0.5")) == D(50)

    def test_a_level_with_a_narrow_span_from_its_baseline_is_still_a_ratio(self):
        # 76.5% → 77%: 76.75% is half the way.
        narrow = spec(Kind.LEVEL, 77, baseline=D("76.5"))
        assert progress.percent_complete(narrow, D("76.75")) == D(50)

    def test_a_level_whose_baseline_already_meets_it_is_all_or_nothing(self):
        # The baseline (80%) is above the level asked (77%): no way to measure a distance.
        above = spec(Kind.LEVEL, 77, baseline=D(80))
        assert progress.percent_complete(above, D(77)) == D(100)
        assert progress.percent_complete(above, D(76)) == D(0)
        at = spec(Kind.LEVEL, 77, baseline=D(77))
        assert progress.percent_complete(at, D(77)) == D(100)
        assert progress.percent_complete(at, D("76.9")) == D(0)


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

    def test_a_ceiling_is_held_up_to_its_number(self):
        assert progress.is_done(spec(Kind.AT_MOST, 2), D(2))
        assert not progress.is_done(spec(Kind.AT_MOST, 2), D(3))

    def test_nothing_reported_is_neither_done_nor_exceeded(self):
        for s in (AT_LEAST, RANGE, ABOUT, LEVEL, AT_MOST, MILESTONE):
            assert progress.is_done(s, None) is False
            assert progress.is_exceeded(s, None) is False

    def test_a_floor_or_level_is_exceeded_only_above_its_number(self):
        assert not progress.is_exceeded(AT_LEAST, D(200))  # reaching 200 is done, not exceeded
        assert progress.is_exceeded(AT_LEAST, D(201))
        assert not progress.is_exceeded(LEVEL, D(77))
        assert progress.is_exceeded(LEVEL, D("77.1"))

    def test_a_range_is_not_exceeded_below_its_top(self):
        assert not progress.is_exceeded(RANGE, D("2.9"))

    def test_milestones_and_ceilings_are_never_exceeded(self):
        # False, not merely falsy: the exports write it as `false`.
        assert progress.is_exceeded(MILESTONE, D(100)) is False
        assert progress.is_exceeded(MILESTONE, D(150)) is False
        assert progress.is_exceeded(AT_MOST, D(0)) is False
        assert progress.is_exceeded(AT_MOST, D(5)) is False


class TestStatus:
    def test_no_report(self):
        assert progress.status(AT_LEAST, None, MID, TOL) == Status.NO_REPORT
        assert progress.status(AT_LEAST, None, DUE, TOL) == Status.NO_REPORT

    def test_after_the_period_nothing_reported_reads_never_reported(self):
        after = datetime.date(2025, 1, 1)
        assert progress.status(AT_LEAST, None, after, TOL) == Status.NEVER_REPORTED
        assert progress.status(AT_MOST, None, after, TOL) == Status.NEVER_REPORTED
        assert progress.status(MILESTONE, None, after, TOL) == Status.NEVER_REPORTED

    def test_on_track_down_to_exactly_the_pace_minus_the_tolerance(self):
        # 1 July 2024 ends day 183 of 366: half the year, so 50 % is expected; with 10 points
        # of tolerance, 40 % (80 of 200) is still on track and anything less is behind.
        assert progress.expected_percent(START, DUE, MID) == D(50)
        assert progress.status(AT_LEAST, D(80), MID, TOL) == Status.ON_TRACK
        assert progress.status(AT_LEAST, D("79.9"), MID, TOL) == Status.BEHIND
        assert progress.status(AT_LEAST, D(100), MID, TOL) == Status.ON_TRACK

    def test_the_tolerance_is_the_one_given(self):
        assert progress.status(AT_LEAST, D(80), MID, D(0)) == Status.BEHIND
        assert progress.status(AT_LEAST, D(100), MID, D(0)) == Status.ON_TRACK

    def test_done_beats_the_calendar(self):
        assert progress.status(AT_LEAST, D(200), datetime.date(2025, 3, 1), TOL) == Status.DONE

    def test_missed_once_the_period_is_over(self):
        assert progress.status(AT_LEAST, D(199), DUE, TOL) == Status.ON_TRACK
        assert progress.status(AT_LEAST, D(199), datetime.date(2025, 1, 1), TOL) == Status.MISSED

    def test_a_ceiling_is_held_or_breached(self):
        assert progress.status(AT_MOST, D(0), MID, TOL) == Status.HELD
        assert progress.status(AT_MOST, D(1), MID, TOL) == Status.BREACHED

    def test_a_ceiling_breached_earlier_in_the_period_stays_breached(self):
        # One accident on 15 August, then a report of 0: the worst figure decides.
        assert progress.status(AT_MOST, D(0), MID, TOL, worst=D(1)) == Status.BREACHED
        assert progress.status(AT_MOST, D(0), MID, TOL, worst=D(0)) == Status.HELD
        two = spec(Kind.AT_MOST, 2)
        assert progress.status(two, D(1), MID, TOL, worst=D(2)) == Status.HELD
        assert progress.status(two, D(1), MID, TOL, worst=D(3)) == Status.BREACHED
        # A breach stays a breach whether or not the period due is confirmed.
        assert progress.status(AT_MOST, D(1), MID, TOL, confirmed=False) == Status.BREACHED
        assert progress.status(AT_MOST, D(0), MID, TOL, worst=D(1), confirmed=False) == Status.BREACHED

    def test_a_ceiling_not_confirmed_for_the_period_due_is_not_held(self):
        assert progress.status(AT_MOST, D(0), MID, TOL, confirmed=False) == Status.NO_REPORT
        after = datetime.date(2025, 1, 10)
        assert progress.status(AT_MOST, D(0), after, TOL, confirmed=False) == Status.NO_REPORT
        assert progress.status(AT_MOST, D(0), after, TOL, confirmed=True) == Status.HELD

    def test_confirmation_and_worst_concern_ceilings_only(self):
        assert progress.status(AT_LEAST, D(100), MID, TOL, worst=D(500), confirmed=False) == Status.ON_TRACK
        assert progress.status(AT_LEAST, D(200), MID, TOL, confirmed=False) == Status.DONE

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

    def test_a_one_day_period_is_due_on_its_day(self):
        day = datetime.date(2024, 3, 1)
        assert progress.expected_percent(day, day, day - datetime.timedelta(days=1)) == D(0)
        assert progress.expected_percent(day, day, day) == D(100)

    def test_a_period_that_ends_before_it_begins_is_over(self):
        day = datetime.date(2024, 3, 1)
        assert progress.expected_percent(day, day - datetime.timedelta(days=1), day) == D(100)


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

    def test_a_ceiling_not_confirmed_is_stale_at_once_while_the_period_runs(self):
        last = datetime.date(2024, 6, 30)
        assert progress.is_stale(AT_MOST, last, MID, 45, False, confirmed=False)
        assert not progress.is_stale(AT_MOST, last, MID, 45, False, confirmed=True)
        # Outside the period, or done, nothing is stale.
        assert not progress.is_stale(AT_MOST, last, datetime.date(2025, 1, 10), 45, False, confirmed=False)
        assert not progress.is_stale(AT_MOST, None, datetime.date(2023, 12, 31), 45, False, confirmed=False)
        assert not progress.is_stale(AT_LEAST, last, MID, 45, True, confirmed=False)

    def test_staleness_is_judged_only_while_the_period_runs(self):
        last = datetime.date(2024, 10, 1)
        assert progress.is_stale(AT_LEAST, last, DUE, 45, False)
        # After the period the final status says it all (missed, never reported): never stale.
        assert not progress.is_stale(AT_LEAST, last, datetime.date(2025, 1, 1), 45, False)
        assert not progress.is_stale(AT_LEAST, None, datetime.date(2026, 6, 1), 45, False)


def reading(id, day, value, order=0, revises=None):
    return progress.Reading(id, datetime.date(2024, *day), D(value), order, revises)


class TestWorst:
    def test_it_is_the_highest_figure_reported_in_the_period(self):
        items = [reading(1, (7, 31), 0), reading(2, (8, 15), 1), reading(3, (9, 30), 0)]
        assert progress.worst(items) == D(1)
        assert progress.worst([]) is None

    def test_a_later_report_for_the_same_day_replaces_it(self):
        # The 15 August figure given again, later, as 0: a correction the plain way.
        items = [reading(1, (8, 15), 1, order=1), reading(2, (8, 15), 0, order=2)]
        assert progress.worst(items) == D(0)
        # The earlier of two reports of one day never replaces the later one.
        items = [reading(1, (8, 15), 0, order=1), reading(2, (8, 15), 1, order=2)]
        assert progress.worst(items) == D(1)

    def test_on_the_same_creation_time_the_later_id_wins(self):
        items = [reading(1, (8, 15), 1), reading(2, (8, 15), 0)]
        assert progress.worst(items) == D(0)
        items = [reading(2, (8, 15), 1), reading(1, (8, 15), 0)]
        assert progress.worst(items) == D(1)

    def test_an_approved_correction_of_the_breaching_report_erases_it(self):
        items = [reading(1, (8, 15), 1), reading(2, (9, 1), 0, revises=1)]
        assert progress.worst(items) == D(0)
        # A later 0 that corrects another report does not.
        items = [reading(1, (8, 15), 1), reading(2, (7, 1), 0), reading(3, (9, 1), 0, revises=2)]
        assert progress.worst(items) == D(1)


class TestSummary:
    def test_every_status_is_in_exactly_one_box(self):
        boxes = [status for statuses in progress.SUMMARY_BOXES.values() for status in statuses]
        assert sorted(boxes) == sorted(Status)

    def test_the_boxes_add_up_and_group_as_the_home_page_says(self):
        counts = {
            Status.DONE: 2,
            Status.HELD: 1,
            Status.BEHIND: 3,
            Status.MISSED: 4,
            Status.NEVER_REPORTED: 107,
        }
        assert progress.summary(counts) == {"done": 3, "on_track": 0, "behind": 7, "no_report": 107}
        assert progress.summary({}) == {"done": 0, "on_track": 0, "behind": 0, "no_report": 0}


class TestRollup:
    def test_equal_weights_average(self):
        assert progress.weighted_average([(D(1), D(100)), (D(1), D(50))]) == D(75)

    def test_weights_count(self):
        assert progress.weighted_average([(D(3), D(100)), (D(1), D(0))]) == D(75)

    def test_items_without_percent_are_left_out(self):
        assert progress.weighted_average([(D(1), D(40)), (D(1), None)]) == D(40)
        # Wherever they come: a ceiling (no percent) listed first leaves the rest counted.
        assert progress.weighted_average([(D(1), None), (D(1), D(40)), (D(3), D(80))]) == D(70)
        assert progress.weighted_average([(D(1), None)]) is None
        assert progress.weighted_average([]) is None


class TestRounding:
    def test_it_rounds_half_up_to_one_place(self):
        assert progress.rounded(D("12.25")) == D("12.3")  # not to even (12.2)
        assert progress.rounded(D("12.24")) == D("12.2")
        assert str(progress.rounded(D(50))) == "50.0"

    def test_it_rounds_to_the_places_asked(self):
        assert progress.rounded(D("12.345"), places=2) == D("12.35")
        assert str(progress.rounded(D("12.5"), places=0)) == "13"

    def test_no_percent_stays_none(self):
        assert progress.rounded(None) is None


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


@given(specs(), amounts, amounts, days)
def test_once_done_more_is_still_done_and_done_beats_the_calendar(s, a, b, day):
    low, high = sorted([a, b])
    if progress.is_done(s, low):
        assert progress.is_done(s, high)
        assert progress.status(s, high, day, TOL) == Status.DONE
    else:
        assert progress.status(s, low, day, TOL) != Status.DONE


@given(specs(), amounts)
def test_a_done_target_shows_100_percent_except_an_about_within_its_tolerance(s, actual):
    if progress.is_done(s, actual) and s.kind != Kind.ABOUT:
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


periods = st.tuples(days, st.integers(min_value=0, max_value=800)).map(
    lambda p: (p[0], p[0] + datetime.timedelta(days=p[1]))
)


@given(periods, days, days)
def test_expected_pace_never_falls_as_days_pass_and_is_full_at_the_due_date(period, a, b):
    start, due = period
    early, late = sorted([a, b])
    assert progress.expected_percent(start, due, early) <= progress.expected_percent(start, due, late)
    assert progress.expected_percent(start, due, due) == D(100)
    assert progress.expected_percent(start, due, start - datetime.timedelta(days=1)) == D(0)


@pytest.mark.parametrize("kind", [Kind.AT_LEAST, Kind.RANGE, Kind.ABOUT, Kind.LEVEL])
def test_every_rising_kind_reaches_100_when_done(kind):
    s = Spec(kind=kind, value=D(10), upper=D(12) if kind == Kind.RANGE else None)
    assert progress.percent_complete(s, D(12)) == D(100)


# Property-based tests of the edge rules (issue 18) ---------------------------------

small = st.decimals(min_value=0, max_value=5, places=0)
report_days = st.dates(min_value=START, max_value=DUE)


@given(st.lists(st.tuples(report_days, small), min_size=1, max_size=8), small)
def test_a_later_lower_figure_never_erases_a_breach(reports, later):
    """Whatever comes after, a ceiling of 0 breached once stays breached (no corrections)."""
    items = [progress.Reading(i, day, value, i) for i, (day, value) in enumerate(reports)]
    last_day = max(day for day, _ in reports)
    worst = progress.worst(items)
    # A report after every other one (a later day, never a correction of them).
    items.append(progress.Reading(len(items), last_day + datetime.timedelta(days=1), later, len(items)))
    breached_before = worst > 0
    status = progress.status(AT_MOST, later, MID, TOL, worst=progress.worst(items))
    if breached_before:
        assert status == Status.BREACHED
    assert progress.worst(items) == max(worst, later)


@given(small, small, st.booleans())
def test_a_ceiling_is_held_only_when_confirmed_and_never_over_it(actual, worst, confirmed):
    ceiling = spec(Kind.AT_MOST, 2)
    status = progress.status(ceiling, actual, MID, TOL, worst=worst, confirmed=confirmed)
    if status == Status.HELD:
        assert confirmed and actual <= 2 and worst <= 2
    if actual > 2 or worst > 2:
        assert status == Status.BREACHED
    else:
        assert status == (Status.HELD if confirmed else Status.NO_REPORT)


@given(st.dictionaries(st.sampled_from(list(Status)), st.integers(0, 1000)))
def test_the_summary_boxes_partition_any_counts(counts):
    boxes = progress.summary(counts)
    assert sum(boxes.values()) == sum(counts.values())
    assert list(boxes) == ["done", "on_track", "behind", "no_report"]
