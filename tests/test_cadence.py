"""The reporting schedule: periods, deadlines, which period a report counts for, timeliness."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from goals.rules import cadence
from goals.rules.cadence import Cycle, Timeliness

D = datetime.date
YEAR = cadence.periods(Cycle.MONTHLY, 5, D(2024, 1, 1), D(2024, 12, 31))


def test_it_cuts_a_year_into_months_due_on_day_n_of_the_next():
    assert len(YEAR) == 12
    assert YEAR[0] == cadence.Period(D(2024, 1, 1), D(2024, 1, 31), D(2024, 2, 5))
    assert YEAR[-1] == cadence.Period(D(2024, 12, 1), D(2024, 12, 31), D(2025, 1, 5))


def test_it_cuts_quarters_and_stops_at_an_early_due_date():
    quarters = cadence.periods(Cycle.QUARTERLY, 10, D(2024, 1, 1), D(2024, 12, 31))
    assert [(p.end, p.deadline) for p in quarters] == [
        (D(2024, 3, 31), D(2024, 4, 10)),
        (D(2024, 6, 30), D(2024, 7, 10)),
        (D(2024, 9, 30), D(2024, 10, 10)),
        (D(2024, 12, 31), D(2025, 1, 10)),
    ]
    early = cadence.periods(Cycle.MONTHLY, 5, D(2024, 1, 1), D(2024, 6, 15))
    assert early[-1] == cadence.Period(D(2024, 6, 1), D(2024, 6, 15), D(2024, 7, 5))


def test_a_report_dated_before_the_deadline_counts_for_the_month_before():
    assert YEAR[cadence.period_for(YEAR, D(2024, 7, 3))].end == D(2024, 6, 30)
    assert YEAR[cadence.period_for(YEAR, D(2024, 7, 6))].end == D(2024, 7, 31)
    assert YEAR[cadence.period_for(YEAR, D(2024, 1, 2))].end == D(2024, 1, 31)


def test_timeliness_on_time_late_missing_or_still_open():
    june = YEAR[5]
    assert cadence.timeliness(june, [D(2024, 7, 5)], D(2024, 8, 1)) == Timeliness.ON_TIME
    assert cadence.timeliness(june, [D(2024, 7, 9)], D(2024, 8, 1)) == Timeliness.LATE
    assert cadence.timeliness(june, [], D(2024, 8, 1)) == Timeliness.MISSING
    assert cadence.timeliness(june, [], D(2024, 7, 5)) == Timeliness.OPEN
    # As of a day before the late report came in, it had not come in.
    assert cadence.timeliness(june, [D(2024, 7, 9)], D(2024, 7, 8)) == Timeliness.MISSING


def test_next_due_counts_down_then_up():
    due = cadence.next_due(YEAR, set(), D(2024, 7, 2))
    assert due.period.end == D(2024, 6, 30) and due.days == 3 and not due.overdue
    late = cadence.next_due(YEAR, set(), D(2024, 7, 8))
    assert late.overdue and late.overdue_days == 3
    # Once June is reported, the running month's deadline is next.
    assert cadence.next_due(YEAR, {5}, D(2024, 7, 8)).period.end == D(2024, 7, 31)
    assert cadence.next_due(YEAR, set(), D(2024, 7, 8), done=True) is None
    assert cadence.next_due(YEAR, {11}, D(2025, 3, 1)) is None
    assert cadence.next_due(YEAR, set(), D(2025, 1, 5)).days == 0
    assert cadence.next_due(YEAR, set(), D(2025, 3, 1)) is None  # the year is closed


@given(st.dates(D(2020, 1, 1), D(2030, 12, 31)), st.integers(0, 400), st.sampled_from(list(Cycle)))
def test_periods_cover_the_span_without_gaps_or_overlaps(start, length, cycle):
    due = start + datetime.timedelta(days=length)
    items = cadence.periods(cycle, 5, start, due)
    assert items[0].start == start and items[-1].end == due
    for before, after in zip(items, items[1:], strict=False):
        assert after.start == before.end + datetime.timedelta(days=1)
    for period in items:
        assert period.deadline > period.end
    # Every report date counts for exactly one period, one that has begun and is not past due.
    for offset in range(0, length + 1, 7):
        day = start + datetime.timedelta(days=offset)
        period = items[cadence.period_for(items, day)]
        assert period.start <= day <= period.deadline


def test_a_target_is_confirmed_while_its_latest_report_covers_the_last_period_due():
    items = cadence.periods(Cycle.MONTHLY, 5, datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    # Before the first deadline (5 February) nothing is due yet.
    assert cadence.confirmed(items, None, datetime.date(2024, 2, 5))
    assert not cadence.confirmed(items, None, datetime.date(2024, 2, 6))
    # September's figure (dated 30 September) confirms up to 5 November: October is due then.
    september = datetime.date(2024, 9, 30)
    assert cadence.confirmed(items, september, datetime.date(2024, 11, 5))
    assert not cadence.confirmed(items, september, datetime.date(2024, 11, 6))
    # A report dated by the 5th counts for the month before: 3 October confirms September only.
    assert not cadence.confirmed(items, datetime.date(2024, 10, 3), datetime.date(2024, 11, 6))
    assert cadence.confirmed(items, datetime.date(2024, 10, 6), datetime.date(2024, 11, 6))
    # After the year: December must be confirmed by 5 January; a figure dated after the
    # period counts for its last month.
    assert not cadence.confirmed(items, datetime.date(2024, 11, 30), datetime.date(2025, 1, 6))
    assert cadence.confirmed(items, datetime.date(2024, 12, 31), datetime.date(2026, 1, 6))
    assert cadence.confirmed(items, datetime.date(2025, 1, 2), datetime.date(2026, 1, 6))


@given(st.dates(datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)), st.integers(0, 500))
def test_a_confirmation_lapses_once_and_for_all_as_days_pass(as_of, days):
    items = cadence.periods(Cycle.MONTHLY, 5, datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    day = as_of + datetime.timedelta(days=days)
    if not cadence.confirmed(items, as_of, day):
        assert not cadence.confirmed(items, as_of, day + datetime.timedelta(days=1))
    # The report confirms at least its own period until that period's deadline.
    index = cadence.period_for(items, as_of)
    assert cadence.confirmed(items, as_of, items[index].deadline)
