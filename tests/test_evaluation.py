"""Whole-plan evaluation: current values, statuses, rollups, as-of dates, query budget."""

import datetime
from decimal import Decimal as D

import pytest

from goals.evaluation import evaluate_plan
from goals.models import Report, Target
from goals.progress import Status
from projects.management.commands.synthesize import generate
from tests.builders import (
    approved,
    make_action,
    make_measure,
    make_pillar,
    make_plan,
    make_project,
    make_target,
    make_user,
)

pytestmark = pytest.mark.django_db
JUL1 = datetime.date(2023, 7, 1)


@pytest.fixture
def plan():
    return make_plan(2023)


def test_the_current_value_is_the_latest_approved_report_by_as_of_date(plan):
    target = make_target(make_project(plan), "P1.1", value=200)
    approved(target, 50, datetime.date(2023, 3, 1))
    approved(target, 120, datetime.date(2023, 6, 1))
    approved(target, 80, datetime.date(2023, 5, 1))  # entered later, but dated earlier
    Report.objects.create(target=target, value=D(199), as_of=datetime.date(2023, 6, 20))  # pending
    result = evaluate_plan(plan, JUL1).targets[target.id]
    assert result.value == D(120)
    assert result.as_of == datetime.date(2023, 6, 1)
    assert result.percent == D(60)
    assert result.status == Status.ON_TRACK


def test_a_correction_dated_the_same_day_wins(plan):
    target = make_target(make_project(plan), "P1.1", value=200)
    approved(target, 150, datetime.date(2023, 6, 1))
    approved(target, 110, datetime.date(2023, 6, 1), note="更正")
    assert evaluate_plan(plan, JUL1).targets[target.id].value == D(110)


def test_evaluating_as_of_a_date_ignores_later_reports(plan):
    target = make_target(make_project(plan), "P1.1", value=100)
    approved(target, 30, datetime.date(2023, 3, 31))
    approved(target, 100, datetime.date(2023, 9, 30))
    assert evaluate_plan(plan, datetime.date(2023, 4, 1)).targets[target.id].value == D(30)
    assert evaluate_plan(plan, datetime.date(2023, 9, 29)).targets[target.id].value == D(30)
    final = evaluate_plan(plan, datetime.date(2025, 1, 1)).targets[target.id]
    assert final.value == D(100) and final.status == Status.DONE
    assert evaluate_plan(plan, datetime.date(2023, 3, 30)).targets[target.id].status == Status.NO_REPORT


def test_scaled_targets_compare_in_base_units(plan):
    # 1.1万名: 10,450 people served is 95%.
    target = make_target(make_project(plan), "P4.1", value="1.1", scale=10000, unit="名")
    approved(target, 10450, JUL1)
    assert evaluate_plan(plan, JUL1).targets[target.id].percent == D(95)


def test_a_level_is_measured_from_its_baseline(plan):
    target = make_target(
        make_project(plan),
        "P3.1",
        kind=Target.Kind.LEVEL,
        value=77,
        unit="%",
        baseline_value=D(60),
        baseline_year=2022,
    )
    approved(target, D("68.5"), JUL1)
    assert evaluate_plan(plan, JUL1).targets[target.id].percent == D(50)


def test_missed_and_stale_follow_the_calendar(plan):
    target = make_target(make_project(plan), "P1.1", value=100)
    approved(target, 30, datetime.date(2023, 2, 1))
    midyear = evaluate_plan(plan, JUL1).targets[target.id]
    assert midyear.status == Status.BEHIND and midyear.stale
    after = evaluate_plan(plan, datetime.date(2024, 2, 1)).targets[target.id]
    assert after.status == Status.MISSED


def test_sub_targets_sit_under_their_parent_and_are_not_counted_twice(plan):
    project = make_project(plan)
    parent = make_target(project, "P5.2", value=50)
    child = make_target(project, "P5.2.1", value=15, parent=parent)
    other = make_target(project, "P5.3", value=10)
    approved(parent, 50, JUL1)
    approved(child, 0, JUL1)
    approved(other, 5, JUL1)
    result = evaluate_plan(plan, JUL1)
    rollup = result.groups[project.id]
    assert [tp.target.code for tp in rollup.targets] == ["P5.2", "P5.3"]
    assert [tp.target.code for tp in result.targets[parent.id].children] == ["P5.2.1"]
    assert rollup.percent == D(75)  # (100 + 50) / 2, the child's 0 left out
    assert rollup.total == 2


def test_rollups_climb_from_measures_to_actions_pillars_and_plan(plan):
    pillar = make_pillar(plan, "S1")
    make_pillar(plan, "S2")
    action = make_action(plan, "A1", weight=D(3))
    action.pillars.add(pillar)
    m1, m2 = make_measure(plan, "A1.1", action=action), make_measure(plan, "A1.2", action=action)
    approved(make_target(m1, "A1.1", value=10), 10, JUL1)
    approved(make_target(m2, "A1.2", kind=Target.Kind.MILESTONE), 50, JUL1)
    project = make_project(plan)
    approved(make_target(project, "P1.1", value=10), 0, JUL1)
    ceiling = make_target(project, "P1.2", kind=Target.Kind.AT_MOST, value=0, unit="起")
    approved(ceiling, 0, JUL1)

    result = evaluate_plan(plan, JUL1)
    assert result.groups[m1.id].percent == D(100)
    assert result.actions[0].percent == D(75)
    assert result.pillars[0].percent == D(75)
    assert result.pillars[1].is_empty and result.pillars[1].percent is None
    assert result.projects[0].percent == D(0)  # the ceiling has no percent and is left out
    assert result.overall.percent == D(3 * 75) / 4  # action weighs 3, project 1
    assert result.overall.counts[Status.HELD] == 1
    assert result.overall.counts[Status.DONE] == 1
    assert result.overall.total == 4


def test_measures_listed_under_a_pillar_roll_up_to_it_and_the_plan(plan):
    pillar = make_pillar(plan, "S4")
    measure = make_measure(plan, "S4.1", pillar=pillar)
    approved(make_target(measure, "S4.1", kind=Target.Kind.MILESTONE), 100, JUL1)
    result = evaluate_plan(plan, JUL1)
    assert result.pillars[0].percent == D(100)
    assert result.overall.percent == D(100)


def test_a_rollup_of_all_done_targets_is_done(plan):
    project = make_project(plan)
    for i, kind in enumerate([Target.Kind.AT_LEAST, Target.Kind.LEVEL, Target.Kind.MILESTONE], start=1):
        approved(make_target(project, f"P1.{i}", kind=kind), 100, JUL1)
    rollup = evaluate_plan(plan, JUL1).projects[0]
    assert rollup.percent == D(100) and rollup.counts[Status.DONE] == 3


def test_the_whole_plan_takes_the_same_queries_at_100_times_the_size(django_assert_num_queries):
    make_user("synthetic-reviewer")
    small = generate(year=9001, targets_per_group=1, reports_per_target=1)
    large = generate(year=9002, targets_per_group=100, reports_per_target=3)
    assert Target.objects.filter(plan=large).count() == 100 * Target.objects.filter(plan=small).count()
    day = datetime.date(9001, 7, 1)
    with django_assert_num_queries(6):
        small_result = evaluate_plan(small, day)
        assert small_result.overall.total > 0
    with django_assert_num_queries(6):
        large_result = evaluate_plan(large, datetime.date(9002, 7, 1))
        assert large_result.overall.total == 100 * small_result.overall.total
        # Reading what pages read costs nothing more.
        for tp in large_result.targets.values():
            _ = (tp.target.group.name, tp.target.lead_department, tp.target.plan.year, tp.target.due)


def test_a_target_with_no_report_counts_as_nothing_done_in_rollups(plan):
    project = make_project(plan)
    approved(make_target(project, "P1.1", value=10), 10, JUL1)
    make_target(project, "P1.2", value=10)  # never reported
    make_target(project, "P1.3", kind=Target.Kind.AT_MOST, value=0)  # a ceiling: no percent at all
    result = evaluate_plan(plan, JUL1)
    assert result.groups[project.id].percent == D(50)
    assert result.groups[project.id].counts[Status.NO_REPORT] == 2


def test_a_group_with_no_targets_has_no_percent_and_does_not_drag_the_plan(plan):
    make_project(plan, "P1")
    reported = make_project(plan, "P2")
    approved(make_target(reported, "P2.1", value=10), 10, JUL1)
    result = evaluate_plan(plan, JUL1)
    assert result.projects[0].percent is None
    assert result.overall.percent == D(100)


def test_the_reporting_cycle_comes_from_the_plan_unless_a_target_overrides_it(plan):
    plan.report_due_day = 10
    plan.save()
    project = make_project(plan)
    monthly = make_target(project, "P1.1")
    quarterly = make_target(project, "P1.2", reporting_cycle="quarterly", report_due_day=20)
    early = make_target(project, "P1.3", due_date=datetime.date(2023, 6, 30))
    result = evaluate_plan(plan, JUL1).targets
    assert len(result[monthly.id].periods) == 12
    assert result[monthly.id].first_deadline == datetime.date(2023, 2, 10)
    assert [p.deadline for p in result[quarterly.id].periods] == [
        datetime.date(2023, 4, 20),
        datetime.date(2023, 7, 20),
        datetime.date(2023, 10, 20),
        datetime.date(2024, 1, 20),
    ]
    assert result[early.id].periods[-1].end == datetime.date(2023, 6, 30)


def test_lights_and_forecasts_come_from_the_same_pass(plan, django_assert_max_num_queries):
    project = make_project(plan)
    on_pace = make_target(project, "P1.1", value=365)
    behind = make_target(project, "P1.2", value=365)
    silent = make_target(project, "P1.3", value=365)
    approved(on_pace, 181, datetime.date(2023, 6, 30))
    approved(behind, 40, datetime.date(2023, 6, 30))
    with django_assert_max_num_queries(6):
        result = evaluate_plan(plan, JUL1)
    targets = result.targets
    assert targets[on_pace.id].light == "green" and targets[on_pace.id].projected == D(365)
    assert targets[behind.id].light == "red"
    assert targets[silent.id].light == "red" and targets[silent.id].projected is None
    assert targets[silent.id].required == D(365) / (D(183) / D("30.4375"))
    assert result.groups[project.id].lights == {"green": 1, "red": 2}
