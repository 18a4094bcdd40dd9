"""Whole-plan evaluation: current values, statuses, rollups, as-of dates, query budget."""

import datetime
from collections import Counter
from decimal import Decimal as D

import pytest
from django.db.models import Q

from goals.models import Action, Department, Pillar, Report, Target
from goals.rules.progress import Light, Status
from goals.tracking.evaluation import (
    evaluate_plan,
    evaluate_target,
    latest_approved,
    latest_of,
    rules_from_settings,
)
from goals.tracking.scopes import action_scope, pillar_scope, project_scope
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
JUN30 = datetime.date(2024, 6, 30)


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


def test_a_page_of_part_of_the_plan_ignores_later_reports_too(plan):
    # Its project's page, its department's page: as of 1 April, the September figure is not there yet.
    target = make_target(make_project(plan), "P1.1", value=100)
    approved(target, 30, datetime.date(2023, 3, 31))
    approved(target, 100, datetime.date(2023, 9, 30))
    for part in ({"scope": project_scope("P1")}, {"targets": Q(code="P1.1")}):
        assert evaluate_plan(plan, datetime.date(2023, 4, 1), **part).targets[target.id].value == D(30)


def test_a_range_is_exceeded_from_its_top_in_base_units(plan):
    # 2–3 万人: 2.5 万 is done within the range; 3 万 reaches its top, which is beyond what was asked.
    band = make_target(
        make_project(plan), "P2.1", kind=Target.Kind.RANGE, value=2, target_upper=D(3), scale=10000, unit="人"
    )
    approved(band, 25000, datetime.date(2023, 6, 30))
    within = evaluate_plan(plan, JUL1).targets[band.id]
    assert (within.status, within.exceeded) == (Status.DONE, False)
    approved(band, 30000, JUL1)
    assert evaluate_plan(plan, JUL1).targets[band.id].exceeded is True


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


def test_a_scaled_level_is_measured_from_its_scaled_baseline(plan):
    # 人均 1.0 万元 → 1.2 万元: 1.1 万 (11,000 as reported) is half the way.
    target = make_target(
        make_project(plan),
        "P2.1",
        kind=Target.Kind.LEVEL,
        value="1.2",
        scale=10000,
        unit="元",
        baseline_value=D("1.0"),
        baseline_year=2022,
    )
    approved(target, 11000, JUL1)
    assert evaluate_plan(plan, JUL1).targets[target.id].percent == D(50)


def test_about_is_done_within_the_targets_own_tolerance(plan):
    # 救助 150 人次左右 with a 5 % tolerance: 143 is done, 142 is not (10 % would accept 135).
    target = make_target(
        make_project(plan), "P6.1", kind=Target.Kind.ABOUT, value=150, tolerance_percent=D(5)
    )
    approved(target, 142, JUL1)
    assert evaluate_plan(plan, JUL1).targets[target.id].status == Status.ON_TRACK
    approved(target, 143, datetime.date(2023, 7, 2))
    assert evaluate_plan(plan, datetime.date(2023, 7, 2)).targets[target.id].status == Status.DONE


def test_the_pace_tolerance_comes_from_the_settings(plan, settings):
    # 14 March 2023 ends day 73 of 365: 20 % expected. 10 % done is on track with 10 points.
    day = datetime.date(2023, 3, 14)
    target = make_target(make_project(plan), "P1.1", value=100)
    approved(target, 10, day)
    result = evaluate_plan(plan, day).targets[target.id]
    assert result.expected == D(20) and result.status == Status.ON_TRACK
    settings.PACE_TOLERANCE_POINTS = 9
    assert evaluate_plan(plan, day).targets[target.id].status == Status.BEHIND


def test_each_target_carries_the_report_it_shows_and_whether_it_exceeded(plan):
    target = make_target(make_project(plan), "P1.1", value=200)
    approved(target, 150, datetime.date(2023, 3, 1))
    current = approved(target, 201, datetime.date(2023, 6, 1))
    result = evaluate_plan(plan, JUL1).targets[target.id]
    assert result.report_id == current.id  # the 当前值 badge on the target page links to it
    assert result.exceeded is True and result.status == Status.DONE
    unreported = make_target(make_project(plan, "P2"), "P2.1", value=10)
    nothing = evaluate_plan(plan, JUL1).targets[unreported.id]
    assert (nothing.report_id, nothing.value, nothing.as_of, nothing.exceeded) == (None, None, None, False)


def test_stale_counts_from_the_last_report_and_never_for_a_done_target(plan, settings):
    settings.STALE_AFTER_DAYS = 45
    project = make_project(plan)
    recent = make_target(project, "P1.1", value=100)
    approved(recent, 40, datetime.date(2023, 6, 1))
    done = make_target(project, "P1.2", value=10)
    approved(done, 10, datetime.date(2023, 2, 1))
    held = make_target(project, "P1.3", kind=Target.Kind.AT_MOST, value=0, unit="起")
    approved(held, 0, datetime.date(2023, 2, 1))
    result = evaluate_plan(plan, JUL1)
    assert result.targets[recent.id].stale is False  # 30 days since 1 June
    assert result.targets[done.id].stale is False  # done long ago: nothing more to report
    assert result.targets[held.id].stale is True  # a line held in February says nothing of July


def test_rollups_count_their_stale_targets(plan):
    # The home page's 久未更新 figure is the plan's count; each card shows its own.
    pillar = make_pillar(plan, "S1")
    action = make_action(plan, "A1")
    action.pillars.add(pillar)
    measure = make_measure(plan, "A1.1", action=action)
    approved(make_target(measure, "A1.1", value=10), 1, datetime.date(2023, 2, 1))  # stale
    approved(make_target(measure, "A1.2", value=10), 1, datetime.date(2023, 3, 1))  # stale
    project = make_project(plan)
    approved(make_target(project, "P1.1", value=10), 1, datetime.date(2023, 2, 1))  # stale
    approved(make_target(project, "P1.2", value=10), 5, JUL1)  # fresh
    make_target(project, "P1.3", value=10)  # never reported: stale since January
    result = evaluate_plan(plan, JUL1)
    assert result.groups[measure.id].stale == 2
    assert result.actions[0].stale == 2
    assert result.pillars[0].stale == 2
    assert result.projects[0].stale == 2
    assert result.overall.stale == 4


def test_everything_comes_in_the_documents_order(plan):
    # P2 before P10, A2 before A10, targets by their place in the document, not by code.
    for code in ("P10", "P2"):
        make_project(plan, code, order=int(code[1:]))
    make_pillar(plan, "S10", order=10)
    linked = make_pillar(plan, "S2", order=2)
    for code in ("A10", "A2"):
        make_action(plan, code, order=int(code[1:])).pillars.add(linked)
    p2 = plan.targetgroup_set.get(code="P2")
    make_target(p2, "P2.10", order=10)
    make_target(p2, "P2.2", order=2)
    result = evaluate_plan(plan, JUL1)
    assert [r.code for r in result.projects] == ["P2", "P10"]
    assert [r.code for r in result.actions] == ["A2", "A10"]
    assert [r.code for r in result.pillars] == ["S2", "S10"]
    assert [r.code for r in result.pillars[0].parts] == ["A2", "A10"]
    assert [tp.target.code for tp in result.groups[p2.id].targets] == ["P2.2", "P2.10"]
    assert [tp.target.code for tp in result.top_level()] == ["P2.2", "P2.10"]


def test_the_plan_knows_its_top_level_targets_and_its_latest_report_day(plan):
    project = make_project(plan)
    parent = make_target(project, "P5.2", value=50)
    child = make_target(project, "P5.2.1", value=15, parent=parent)
    assert evaluate_plan(plan, JUL1).latest_report_day() is None
    approved(parent, 20, datetime.date(2023, 5, 1))
    approved(child, 5, datetime.date(2023, 6, 1))
    result = evaluate_plan(plan, JUL1)
    assert [tp.target.code for tp in result.top_level()] == ["P5.2"]
    assert result.latest_report_day() == datetime.date(2023, 6, 1)


def test_without_a_day_the_plan_is_evaluated_as_of_today(plan, time_machine):
    time_machine.move_to(datetime.datetime(2023, 7, 1, 12, tzinfo=datetime.UTC))
    target = make_target(make_project(plan), "P1.1", value=100)
    approved(target, 30, datetime.date(2023, 6, 30))
    approved(target, 90, datetime.date(2023, 7, 2))  # dated after today: not yet counted
    result = evaluate_plan(plan)
    assert result.day == datetime.date(2023, 7, 1)
    assert result.targets[target.id].value == D(30)


def test_each_rollup_says_what_it_is(plan):
    pillar = make_pillar(plan, "S1", name="实力经开")
    action = make_action(plan, "A1", name="重大项目突破行动", weight=D(2))
    action.pillars.add(pillar)
    measure = make_measure(plan, "A1.1", action=action, name="新投放标准厂房", weight=D(3))
    project = make_project(plan, "P1", name="幼有善育")
    result = evaluate_plan(plan, JUL1)
    assert (result.plan, result.day) == (plan, JUL1)

    def identity(r):
        return (r.kind, r.code, r.name, r.weight, r.obj)

    assert identity(result.groups[measure.id]) == (
        "measure",
        "A1.1",
        "新投放标准厂房",
        D(3),
        measure.targetgroup_ptr,
    )
    assert identity(result.projects[0]) == ("project", "P1", "幼有善育", D(1), project.targetgroup_ptr)
    assert identity(result.actions[0]) == ("action", "A1", "重大项目突破行动", D(2), action)
    assert identity(result.pillars[0]) == ("pillar", "S1", "实力经开", D(1), pillar)
    assert identity(result.overall) == ("plan", "2023", "2023 测试计划", D(1), plan)


def test_measures_listed_after_a_project_still_reach_their_action(plan):
    action = make_action(plan, "A1")
    make_project(plan, "P1", order=1)
    measure = make_measure(plan, "A1.1", action=action, order=2)
    approved(make_target(measure, "A1.1", value=10), 5, JUL1)
    result = evaluate_plan(plan, JUL1)
    assert [part.code for part in result.actions[0].parts] == ["A1.1"]
    assert result.actions[0].percent == D(50)


def test_the_same_place_in_the_document_falls_back_to_the_code(plan):
    for code in ("P2", "P1"):
        make_project(plan, code)
    for code in ("S2", "S1"):
        make_pillar(plan, code)
    for code in ("A2", "A1"):
        make_action(plan, code)
    project = plan.targetgroup_set.get(code="P1")
    for code in ("P1.2", "P1.1"):
        make_target(project, code)
    result = evaluate_plan(plan, JUL1)
    assert [r.code for r in result.projects] == ["P1", "P2"]
    assert [r.code for r in result.pillars] == ["S1", "S2"]
    assert [r.code for r in result.actions] == ["A1", "A2"]
    assert [tp.target.code for tp in result.groups[project.id].targets] == ["P1.1", "P1.2"]


def test_the_whole_plan_reads_its_reports_by_plan_not_by_a_list_of_its_targets(plan):
    """Ten thousand targets' ids would be ten thousand query parameters (SQLite refuses more
    than 32766): the whole plan's reports are found by the plan; only a page's few by ids."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    project = make_project(plan)
    for n in range(3):
        approved(make_target(project, f"P1.{n}"), 5, JUL1)
    for part in ({}, {"scope": project_scope("P1")}, {"targets": Q(code="P1.1")}):
        with CaptureQueriesContext(connection) as captured:
            evaluate_plan(plan, JUL1, **part)
        [reports] = [q["sql"] for q in captured if "ROW_NUMBER()" in q["sql"]]
        read = reports.split('FROM "goals_report"', 1)[1]
        assert ('"target_id" IN (' in read) == bool(part), (part, read)


def test_latest_approved_reads_only_the_plan_asked_for(plan):
    target = make_target(make_project(plan), "P1.1")
    other = make_target(make_project(make_plan(2024)), "P1.1")
    mine = approved(target, 5, JUL1)
    approved(other, 7, JUL1)
    assert latest_approved(plan, JUL1) == {
        target.id: {
            "id": mine.id,
            "target_id": target.id,
            "value": D(5),
            "as_of": JUL1,
            "worst": None,  # not a ceiling
            "first_value": D(5),
            "first_as_of": JUL1,
        }
    }


def test_reading_a_targets_lead_department_costs_no_query(plan, django_assert_num_queries):
    unit = Department.objects.create(name="遥观镇")
    target = make_target(make_project(plan), "P1.1", lead_department=unit)
    result = evaluate_plan(plan, JUL1)
    with django_assert_num_queries(0):
        assert result.targets[target.id].target.lead_department.name == "遥观镇"


def test_reading_a_targets_plan_and_group_costs_no_query(plan, django_assert_num_queries):
    # Pages list each target under its project or measure: the evaluation has both at hand.
    target = make_target(make_project(plan), "P1.1")
    result = evaluate_plan(plan, JUL1)
    with django_assert_num_queries(0):
        read = result.targets[target.id].target
        assert (read.plan.year, read.group.code) == (2023, "P1")


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


def _same(part, whole) -> None:
    assert (part.code, part.percent, part.counts, part.lights, part.stale) == (
        whole.code,
        whole.percent,
        whole.counts,
        whole.lights,
        whole.stale,
    )
    assert [tp.target.id for tp in part.targets] == [tp.target.id for tp in whole.targets]
    assert [[c.target.id for c in tp.children] for tp in part.targets] == [
        [c.target.id for c in tp.children] for tp in whole.targets
    ]
    assert len(part.parts) == len(whole.parts)
    for a, b in zip(part.parts, whole.parts, strict=True):
        _same(a, b)


def _target_ids(rollup) -> set[int]:
    found = set()
    for tp in rollup.targets:
        found |= {tp.target.id, *(c.target.id for c in tp.children)}
    for part in rollup.parts:
        found |= _target_ids(part)
    return found


def test_a_page_of_part_of_the_plan_evaluates_that_part_and_rolls_it_up_alike(
    seeded, publish, django_assert_num_queries
):
    # A project, action or pillar page evaluates its own targets only (goals.public.views.pages),
    # and its rollups come out exactly as in the whole plan's evaluation.
    for code, value in [("P4.1", 5000), ("P5.2", 20), ("P5.2.1", 6), ("A1.1", 40), ("A2.1", 3)]:
        publish(code, value, datetime.date(2024, 5, 31))
    # The seed links no action to a pillar: link some, so that a pillar has both kinds of part.
    Action.objects.get(plan=seeded, code="A1").pillars.add(Pillar.objects.get(plan=seeded, code="S1"))
    Action.objects.get(plan=seeded, code="A2").pillars.add(Pillar.objects.get(plan=seeded, code="S4"))
    # Another plan with the same codes, whose targets no page of this plan may read.
    generate(year=9000, projects=5, actions=2, measures_per_action=2, targets_per_group=2)
    whole = evaluate_plan(seeded, JUN30)
    assert len(whole.targets) == Target.objects.filter(plan=seeded).count()
    for rollup in whole.projects:
        with django_assert_num_queries(6):
            scoped = evaluate_plan(seeded, JUN30, scope=project_scope(rollup.code))
        assert [r.code for r in scoped.projects] == [rollup.code]
        assert set(scoped.targets) == _target_ids(rollup)
        _same(scoped.projects[0], rollup)
    for rollup in whole.actions:
        # An action's lights and counts are its measures' together.
        assert rollup.lights == sum((part.lights for part in rollup.parts), Counter())
        assert rollup.counts == sum((part.counts for part in rollup.parts), Counter())
        scoped = evaluate_plan(seeded, JUN30, scope=action_scope(rollup.code))
        assert not scoped.projects
        assert set(scoped.targets) == _target_ids(rollup)
        _same(next(r for r in scoped.actions if r.code == rollup.code), rollup)
    pillars = 0
    for rollup in whole.pillars:
        scoped = evaluate_plan(seeded, JUN30, scope=pillar_scope(rollup.code))
        assert set(scoped.targets) == _target_ids(rollup)
        _same(next(r for r in scoped.pillars if r.code == rollup.code), rollup)
        pillars += bool(rollup.parts)
    assert pillars == 2
    assert {p.kind for p in next(r for r in whole.pillars if r.code == "S4").parts} == {"action", "measure"}


def test_a_target_filter_keeps_every_group_and_evaluates_only_those_targets(seeded, publish):
    publish("P5.2", 20, datetime.date(2024, 5, 31))
    publish("A1.1", 40, datetime.date(2024, 5, 31))
    whole = evaluate_plan(seeded, JUN30)
    scoped = evaluate_plan(seeded, JUN30, targets=Q(code__in=["P5.2", "A1.1"]))
    assert sorted(tp.target.code for tp in scoped.targets.values()) == ["A1.1", "P5.2"]
    assert [r.code for r in scoped.projects] == [r.code for r in whole.projects]
    for tp in scoped.targets.values():
        same = whole.targets[tp.target.id]
        assert tp.value is not None
        assert (tp.value, tp.percent, tp.status, tp.light, tp.stale) == (
            same.value,
            same.percent,
            same.status,
            same.light,
            same.stale,
        )


def test_the_latest_approved_reports_can_be_read_for_some_targets_only(seeded, publish):
    publish("P5.2", 20, datetime.date(2024, 5, 31))
    publish("A1.1", 40, datetime.date(2024, 5, 31))
    some = latest_of(Target.objects.filter(plan=seeded, code="A1.1"), JUN30)
    assert [row["value"] for row in some.values()] == [D(40)]
    assert len(latest_of(Target.objects.filter(plan=seeded), JUN30)) >= 2


def test_the_light_thresholds_and_the_grace_come_from_the_settings(plan, settings):
    project = make_project(plan)
    behind = make_target(project, "P1.1", value=100)  # 30 on 30 June: 19.9 points behind the pace
    silent = make_target(project, "P1.2", value=100)  # first deadline 5 February
    approved(behind, 30, datetime.date(2023, 6, 30))

    def lights() -> dict:
        result = evaluate_plan(plan, JUL1).targets
        return {target: result[target.id].light for target in (behind, silent)}

    assert lights() == {behind: "yellow", silent: "red"}
    settings.LIGHT_YELLOW_POINTS, settings.LIGHT_GRACE_DAYS = 25, 200
    assert lights() == {behind: "green", silent: "grey"}
    settings.LIGHT_YELLOW_POINTS, settings.LIGHT_RED_POINTS = 10, 15
    assert lights()[behind] == "red"


def test_no_report_turns_red_once_the_first_deadline_is_past_its_grace(plan):
    project = make_project(plan)
    silent = make_target(project, "P1.1", value=100)  # deadlines 5 February, 5 March, ...
    over = make_target(project, "P1.2", value=100, due_date=datetime.date(2022, 12, 31))  # no period
    result = evaluate_plan(plan, datetime.date(2023, 2, 20)).targets
    assert result[silent.id].light == "grey"
    result = evaluate_plan(plan, datetime.date(2023, 3, 1)).targets
    assert result[silent.id].light == "red"  # 24 days after 5 February, before 5 March
    assert result[over.id].periods == () and result[over.id].light == "red"


def test_what_is_still_needed_each_month_counts_what_was_reported(plan):
    behind = make_target(make_project(plan), "P1.1", value=365)
    approved(behind, 40, datetime.date(2023, 6, 30))
    assert evaluate_plan(plan, JUL1).targets[behind.id].required == D(325) / (D(183) / D("30.4375"))


def test_every_rollup_counts_the_lights_of_its_parts_up_to_the_whole_plan(plan):
    # 1 July 2023: 49.9 % of the year expected.
    project = make_project(plan)
    approved(make_target(project, "P1.1", value=10), 10, JUL1)  # done: green
    ceiling = make_target(project, "P1.2", kind=Target.Kind.AT_MOST, value=0, unit="起")
    approved(ceiling, 0, JUL1)  # held: green, though it has no percent to set against the pace
    action = make_action(plan, "A1")
    measure = make_measure(plan, "A1.1", action=action)
    approved(make_target(measure, "A1.1", value=365), 5, JUL1)  # 1.4 %: red
    pillar = make_pillar(plan, "S1")
    listed = make_measure(plan, "S1.1", pillar=pillar)
    approved(make_target(listed, "S1.1", kind=Target.Kind.MILESTONE), 30, JUL1)  # 19.9 behind: yellow

    result = evaluate_plan(plan, JUL1)
    assert result.projects[0].lights == {Light.GREEN: 2}
    assert result.actions[0].lights == {Light.RED: 1}
    assert result.pillars[0].lights == {Light.YELLOW: 1}
    assert result.overall.lights == {Light.GREEN: 2, Light.RED: 1, Light.YELLOW: 1}


def test_no_report_turns_red_15_days_after_the_first_deadline(plan):
    # Monthly, due on the 5th: January's figure is due 5 February; grey up to the 20th.
    target = make_target(make_project(plan), "P1.1")
    assert evaluate_plan(plan, datetime.date(2023, 2, 20)).targets[target.id].light == Light.GREY
    assert evaluate_plan(plan, datetime.date(2023, 2, 21)).targets[target.id].light == Light.RED


def test_the_light_thresholds_and_grace_come_from_the_settings(plan, settings):
    settings.LIGHT_YELLOW_POINTS, settings.LIGHT_RED_POINTS, settings.LIGHT_GRACE_DAYS = 5, 8, 0
    project = make_project(plan)
    yellow = make_target(project, "P1.1", value=1000)
    red = make_target(project, "P1.2", value=1000)
    silent = make_target(project, "P1.3", value=1000)
    approved(yellow, 440, JUL1)  # 44 %: 5.9 points behind 49.9 %
    approved(red, 410, JUL1)  # 41 %: 8.9 points behind
    targets = evaluate_plan(plan, JUL1).targets
    assert (targets[yellow.id].light, targets[red.id].light) == (Light.YELLOW, Light.RED)
    # No grace: red the day after 5 February.
    assert evaluate_plan(plan, datetime.date(2023, 2, 5)).targets[silent.id].light == Light.GREY
    assert evaluate_plan(plan, datetime.date(2023, 2, 6)).targets[silent.id].light == Light.RED


def test_a_target_evaluated_on_its_own_reads_the_same_light_rules(plan, settings):
    # The target page and the workbook upload evaluate one target at a time.
    settings.LIGHT_YELLOW_POINTS, settings.LIGHT_RED_POINTS = 5, 8
    target = make_target(make_project(plan), "P1.1", value=1000)
    rules = rules_from_settings()
    assert (
        evaluate_target(target, {"id": 1, "value": D(440), "as_of": JUL1}, JUL1, rules).light == Light.YELLOW
    )
    assert evaluate_target(target, None, datetime.date(2023, 2, 20), rules).light == Light.GREY


def test_the_monthly_rate_still_needed_starts_from_the_current_figure(plan):
    # 181 of 365 by 30 June; on 1 July 183 days (6.01 months) are left for the other 184.
    target = make_target(make_project(plan), "P1.1", value=365)
    approved(target, 181, datetime.date(2023, 6, 30))
    result = evaluate_plan(plan, JUL1).targets[target.id]
    assert result.required.quantize(D("0.01")) == D("30.60")


def test_a_target_due_before_its_plan_year_has_no_reporting_periods_and_reads_never_reported(plan):
    # A due date typed with the wrong year: no period to report for, no first deadline.
    target = make_target(make_project(plan), "P1.1", due_date=datetime.date(2022, 12, 31))
    result = evaluate_plan(plan, JUL1).targets[target.id]
    assert (result.periods, result.first_deadline) == ((), None)
    assert (result.status, result.light) == (Status.NEVER_REPORTED, Light.RED)


# --- edge rules (issue 18) --------------------------------------------------------------------

AUG15 = datetime.date(2023, 8, 15)


def _both(plan, target, day):
    """The target as the whole plan's evaluation reads it (one query) and as a page that
    loaded its reports reads it (goals.tracking.readings.standing): they must agree."""
    from goals.tracking.readings import standing

    whole = evaluate_plan(plan, day).targets[target.id]
    reports = list(Report.objects.approved().filter(target=target, as_of__lte=day))
    alone = evaluate_target(target, standing(target, reports), day, rules_from_settings())
    assert (alone.status, alone.light, alone.stale, alone.worst, alone.projected) == (
        whole.status,
        whole.light,
        whole.stale,
        whole.worst,
        whole.projected,
    )
    return whole


def test_a_ceiling_breached_in_august_stays_breached_after_a_later_zero(plan):
    ceiling = make_target(make_project(plan), "A6.1", kind=Target.Kind.AT_MOST, value=0)
    for month in (6, 7):
        approved(ceiling, 0, datetime.date(2023, month, 30))
    approved(ceiling, 1, AUG15, note="1 起较大事故")
    approved(ceiling, 0, datetime.date(2023, 9, 30), note="本月未发生")
    tp = _both(plan, ceiling, datetime.date(2023, 10, 1))
    assert (tp.status, tp.light, tp.value, tp.worst) == (Status.BREACHED, Light.RED, D(0), D(1))
    # Before the breach it was held.
    assert _both(plan, ceiling, datetime.date(2023, 8, 1)).status == Status.HELD


def test_only_a_correction_of_the_breaching_report_itself_erases_a_breach(plan):
    ceiling = make_target(make_project(plan), "A6.1", kind=Target.Kind.AT_MOST, value=0)
    breach = approved(ceiling, 1, AUG15)
    day = datetime.date(2023, 9, 1)
    assert _both(plan, ceiling, day).status == Status.BREACHED
    # The same day given again (the plain way to correct a figure): it stands instead.
    approved(ceiling, 0, AUG15, note="误报,已核实未发生")
    assert _both(plan, ceiling, day).status == Status.HELD
    other = make_target(make_project(plan, "P2"), "A6.2", kind=Target.Kind.AT_MOST, value=0)
    wrong = approved(other, 2, AUG15)
    approved(other, 0, datetime.date(2023, 8, 20), revises=wrong)
    assert _both(plan, other, day).status == Status.HELD
    # A correction still waiting for review changes nothing.
    third = make_target(make_project(plan, "P3"), "A6.3", kind=Target.Kind.AT_MOST, value=0)
    bad = approved(third, 1, AUG15)
    Report.objects.create(target=third, value=0, as_of=datetime.date(2023, 8, 20), revises=bad)
    assert _both(plan, third, day).status == Status.BREACHED
    assert breach.pk


def test_of_two_figures_for_one_day_the_one_given_last_stands_whatever_its_row_number(plan):
    # The breach was given after the zero for the same day (a later submission, approved
    # later), though its row came first: it is the figure that stands, on every surface.
    ceiling = make_target(make_project(plan), "A6.1", kind=Target.Kind.AT_MOST, value=0)
    breach = approved(ceiling, 1, AUG15, note="1 起较大事故")
    zero = approved(ceiling, 0, AUG15)
    given = datetime.datetime(2023, 8, 16, 9, tzinfo=datetime.UTC)
    Report.objects.filter(pk=zero.pk).update(created_at=given)
    Report.objects.filter(pk=breach.pk).update(created_at=given + datetime.timedelta(hours=1))
    tp = _both(plan, ceiling, datetime.date(2023, 9, 1))
    assert (tp.status, tp.value, tp.worst) == (Status.BREACHED, D(1), D(1))


def test_a_ceiling_must_be_confirmed_each_period_to_stay_held(plan):
    ceiling = make_target(make_project(plan), "A6.1", kind=Target.Kind.AT_MOST, value=0)
    approved(ceiling, 0, datetime.date(2023, 9, 30))
    # October is due on 5 November: held (green) up to then, not after.
    held = _both(plan, ceiling, datetime.date(2023, 11, 5))
    assert (held.status, held.light, held.stale) == (Status.HELD, Light.GREEN, False)
    lapsed = _both(plan, ceiling, datetime.date(2023, 11, 6))
    assert (lapsed.status, lapsed.light, lapsed.stale) == (Status.NO_REPORT, Light.GREY, True)
    # After the year: December unconfirmed reads no report, never held.
    after = _both(plan, ceiling, datetime.date(2024, 3, 1))
    assert (after.status, after.light) == (Status.NO_REPORT, Light.GREY)
    approved(ceiling, 0, datetime.date(2023, 12, 31))
    assert _both(plan, ceiling, datetime.date(2024, 3, 1)).status == Status.HELD


def test_a_level_without_a_baseline_projects_from_its_first_report_and_never_past_100(plan):
    rate = make_target(make_project(plan), "P3.1", kind=Target.Kind.LEVEL, value=77, unit="%")
    approved(rate, 60, datetime.date(2023, 4, 1))
    one = _both(plan, rate, datetime.date(2023, 4, 2))
    assert one.projected is None  # one report dates no pace
    approved(rate, 75, JUL1)
    # 15 points in 91 days, 183 days more to go: well past 100, kept at 100.
    assert _both(plan, rate, JUL1).projected == D(100)
    slow = make_target(make_project(plan, "P2"), "P3.2", kind=Target.Kind.LEVEL, value=27, unit="%")
    approved(slow, 20, datetime.date(2023, 4, 1))
    approved(slow, 21, JUL1)
    assert _both(plan, slow, JUL1).projected == D(20) + D(274) / D(91)
    # Before any report: no rate still needed (no known start).
    empty = make_target(make_project(plan, "P4"), "P1.4", kind=Target.Kind.LEVEL, value="4.5")
    assert evaluate_plan(plan, JUL1).targets[empty.id].required is None


def test_a_level_projects_from_its_earliest_report_even_when_that_was_entered_last(plan):
    # July's figure was entered first, April's later (a month caught up on): the pace runs
    # from April, the first report by date, not by entry.
    slow = make_target(make_project(plan), "P3.2", kind=Target.Kind.LEVEL, value=27, unit="%")
    approved(slow, 21, JUL1)
    approved(slow, 20, datetime.date(2023, 4, 1))
    assert _both(plan, slow, JUL1).projected == D(20) + D(274) / D(91)
    assert latest_of(Target.objects.filter(pk=slow.pk), JUL1)[slow.id]["first_as_of"] == datetime.date(
        2023, 4, 1
    )


def test_a_target_done_within_its_tolerance_needs_nothing_more(plan):
    about = make_target(make_project(plan), "P6.1", kind=Target.Kind.ABOUT, value=150, unit="人次")
    approved(about, 140, JUL1)
    assert _both(plan, about, JUL1).required is None
    assert evaluate_plan(plan, JUL1).targets[about.id].status == Status.DONE


def test_a_held_ceiling_still_owes_its_next_confirmation_and_is_reminded_of_it(plan):
    from goals.tracking import schedule

    ceiling = make_target(make_project(plan), "A6.1", kind=Target.Kind.AT_MOST, value=0)
    done = make_target(make_project(plan, "P2"), "P2.1", value=10)
    approved(ceiling, 0, datetime.date(2023, 6, 30))
    approved(done, 10, datetime.date(2023, 6, 30))
    submitted = datetime.datetime(2023, 7, 1, 10, tzinfo=datetime.UTC)
    Report.objects.filter(target__plan=plan).update(created_at=submitted)
    day = datetime.date(2023, 8, 6)
    result = evaluate_plan(plan, day)
    facts = schedule.reporting_facts(result, day)
    assert result.targets[ceiling.id].status == Status.NO_REPORT  # July not confirmed by 5 August
    assert facts[ceiling.id].due.overdue and facts[ceiling.id].required
    assert facts[done.id].due is None and not facts[done.id].required
    july = datetime.date(2023, 7, 20)
    facts = schedule.reporting_facts(evaluate_plan(plan, july), july)
    assert facts[ceiling.id].due is not None and not facts[ceiling.id].due.overdue


def test_only_a_percentage_is_kept_at_100_and_only_ceilings_owe_confirmation(plan):
    # 80 个 of 100 by 1 July projects to 160 个: not a percentage, nothing caps it.
    count = make_target(make_project(plan), "P1.1", value=100)
    approved(count, 80, datetime.date(2023, 6, 30))
    assert _both(plan, count, datetime.date(2023, 6, 30)).projected == D(80) * D(365) / D(181)
    # Reported for June, not for July by 5 August, 37 days after its figure: a ceiling is
    # stale (and grey), a count is neither (it reports progress, not a line held).
    ceiling = make_target(make_project(plan, "P2"), "A6.1", kind=Target.Kind.AT_MOST, value=0)
    approved(ceiling, 0, datetime.date(2023, 6, 30))
    day = datetime.date(2023, 8, 6)
    assert _both(plan, ceiling, day).stale is True
    moving = _both(plan, count, day)
    assert (moving.stale, moving.status) == (False, Status.ON_TRACK)
    # Nothing reported long past the first deadline's grace is red (not grey like a ceiling
    # that reported before).
    silent = make_target(make_project(plan, "P3"), "P3.1", value=10)
    assert evaluate_target(silent, None, day, rules_from_settings()).light == Light.RED


def test_a_target_read_from_loaded_reports_is_read_exactly_as_the_plan_query_reads_it(plan):
    from goals.tracking.readings import standing

    project = make_project(plan)
    ceiling = make_target(project, "A6.1", kind=Target.Kind.AT_MOST, value=0)
    level = make_target(project, "P3.1", kind=Target.Kind.LEVEL, value=77, unit="%")
    quiet = make_target(project, "P1.1")
    approved(ceiling, 0, datetime.date(2023, 6, 30))
    approved(ceiling, 2, AUG15)
    approved(ceiling, 0, datetime.date(2023, 9, 30))
    approved(level, 60, datetime.date(2023, 4, 1))
    approved(level, 70, JUL1)
    day = datetime.date(2023, 10, 1)
    query = latest_of(Target.objects.filter(plan=plan), day)
    for target in (ceiling, level):
        reports = list(Report.objects.approved().filter(target=target, as_of__lte=day))
        assert standing(target, reports) == query[target.id]
    assert query[ceiling.id]["worst"] == D(2) and query[level.id]["worst"] is None
    assert (query[level.id]["first_value"], query[level.id]["first_as_of"]) == (
        D(60),
        datetime.date(2023, 4, 1),
    )
    # Nothing reported: nothing read, by either.
    assert standing(quiet, []) is None and quiet.id not in query


def test_the_plan_query_and_loaded_reports_agree_on_many_ceilings(plan):
    """Random histories (a fixed seed): same-day corrections, corrections by revision,
    breaches and zeros in any order; both readings give the same worst figure and verdict."""
    import random

    from goals.tracking.readings import standing

    rng = random.Random(18)
    project = make_project(plan)
    targets = []
    for n in range(20):
        ceiling = make_target(project, f"A6.{n}", kind=Target.Kind.AT_MOST, value=rng.choice([0, 1]))
        made = []
        for _ in range(rng.randint(1, 6)):
            as_of = datetime.date(2023, rng.randint(1, 12), rng.choice([5, 15, 28]))
            if made and rng.random() < 0.3:
                as_of = rng.choice(made).as_of  # the same day again
            revises = rng.choice(made) if made and rng.random() < 0.2 else None
            made.append(approved(ceiling, rng.choice([0, 0, 1, 2]), as_of, revises=revises))
        targets.append(ceiling)
    for day in (datetime.date(2023, 6, 30), datetime.date(2024, 2, 1)):
        query = latest_of(Target.objects.filter(plan=plan), day)
        result = evaluate_plan(plan, day)
        for ceiling in targets:
            reports = list(Report.objects.approved().filter(target=ceiling, as_of__lte=day))
            assert standing(ceiling, reports) == query.get(ceiling.id)
            alone = evaluate_target(ceiling, standing(ceiling, reports), day, rules_from_settings())
            assert (alone.status, alone.light) == (
                result.targets[ceiling.id].status,
                result.targets[ceiling.id].light,
            )
