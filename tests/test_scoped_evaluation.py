"""A page evaluates what it shows: a project, action, pillar or department page builds the
progress of its own targets only, and its rollups are the same as the whole plan's."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from goals.models import Department, Target
from goals.tracking import evaluation
from projects.management.commands.synthesize import generate

pytestmark = pytest.mark.django_db
JUN30 = datetime.date(2024, 6, 30)


@pytest.fixture
def evaluated(monkeypatch) -> list[int]:
    """The ids of the targets whose progress was built (evaluate_target) during the test."""
    seen: list[int] = []
    real = evaluation.evaluate_target

    def counting(target, *args, **kwargs):
        seen.append(target.id)
        return real(target, *args, **kwargs)

    monkeypatch.setattr(evaluation, "evaluate_target", counting)
    return seen


@pytest.fixture
def reported(seeded, publish):
    for code, value in [("P4.1", 5000), ("P5.2", 20), ("P5.2.1", 6), ("A1.1", 40), ("A2.1", 3)]:
        publish(code, value, datetime.date(2024, 5, 31))
    return seeded


def _ids(plan, **filters) -> list[int]:
    return sorted(Target.objects.filter(plan=plan, **filters).values_list("id", flat=True))


def test_it_evaluates_only_the_projects_targets_on_a_project_page(client, reported, evaluated, today):
    today(JUN30)
    assert client.get(reverse("project", args=["P5"])).status_code == 200
    assert sorted(evaluated) == _ids(reported, group__code="P5")


def test_it_evaluates_only_the_actions_targets_on_an_action_page(client, reported, evaluated, today):
    today(JUN30)
    assert client.get(reverse("action", args=["A1"])).status_code == 200
    assert evaluated
    assert sorted(evaluated) == _ids(reported, group__measure__action__code="A1")


def test_it_evaluates_only_a_departments_targets_on_its_page(client, reported, evaluated, today):
    today(JUN30)
    unit = Department.objects.get(name="区经济发展局")
    Target.objects.filter(plan=reported, group__code="P4").update(lead_department=unit)
    Target.objects.get(plan=reported, code="P7.1").co_departments.add(unit)
    assert client.get(reverse("department", args=[unit.pk])).status_code == 200
    assert sorted(evaluated) == sorted([*_ids(reported, group__code="P4"), *_ids(reported, code="P7.1")])


def test_a_project_page_of_a_large_plan_evaluates_its_sixteen_targets(client, seeded, evaluated, settings):
    plan = generate(year=9000, projects=20, actions=5, measures_per_action=4, targets_per_group=16)
    settings.PUBLIC_PLAN_YEAR = 9000
    assert client.get(reverse("project", args=["P1"])).status_code == 200
    assert len(evaluated) == 16
    assert sorted(evaluated) == _ids(plan, group__code="P1")


def test_an_action_page_finds_its_targets_by_a_list_of_group_ids_not_a_nested_subquery(
    client, reported, today, django_assert_max_num_queries
):
    """With no statistics (after a bulk load) PostgreSQL ran the nested shape,
    ``group_id IN (SELECT … IN (SELECT …))``, for half an hour on a large plan."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    today(JUN30)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("action", args=["A1"])).status_code == 200
    by_group = [q["sql"] for q in captured if '"group_id" IN (' in q["sql"]]
    assert len(by_group) >= 1  # the targets
    for sql in by_group:
        assert '"group_id" IN (SELECT' not in sql, sql
    # Their latest reports: by the targets' ids, with no subquery at all.
    reports = [q["sql"] for q in captured if "ROW_NUMBER()" in q["sql"]]
    assert len(reports) == 1
    where = reports[0].split('FROM "goals_report" WHERE', 1)[1]
    assert '"target_id" IN (' in where and "(SELECT" not in where, reports[0]
    with django_assert_max_num_queries(len(captured)):  # the list costs no query of its own
        client.get(reverse("action", args=["A1"]))
