"""Query budgets: every public page and export costs the same number of queries at the
seed's size and at 100 times it (a synthetic plan pinned as the public plan)."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse

from goals.models import Department, Target
from projects.management.commands.synthesize import generate

pytestmark = pytest.mark.django_db

# name → (URL args, queries on a cold render). A cached render costs one query (the version).
BUDGETS = {
    "home": ([], 10),
    "targets": ([], 9),
    "project": (["P1"], 8),
    "action": (["A1"], 8),
    "pillar": (["S4"], 8),
    "target": (["<target>"], 9),  # + residents' questions (goals.participation)
    "departments": ([], 9),
    "department": (["<department>"], 10),
    "league": ([], 11),  # + questions answered on time and overdue
    "data_targets_csv": (["<year>"], 8),
    "data_targets_json": (["<year>"], 8),
    "data_reports_csv": (["<year>"], 4),
    "data_feed": ([], 3),
}


def check_budgets(
    client, django_assert_num_queries, *, year: int, target: str, department: int, day: str
) -> None:
    values = {"<year>": year, "<target>": target, "<department>": department}
    for name, (args, budget) in BUDGETS.items():
        url = reverse(name, args=[values.get(a, a) for a in args])
        for query in ("", f"?as_of={day}"):
            cache.clear()
            with django_assert_num_queries(budget):
                response = client.get(url + query)
            assert response.status_code == 200, (url, response.status_code)
            with django_assert_num_queries(1):
                assert client.get(url + query).status_code == 200


def test_it_keeps_every_budget_at_the_seeds_size(client, publish, seeded, django_assert_num_queries, media):
    unit = Department.objects.get(name="区经济发展局")
    Target.objects.filter(plan=seeded, group__code__in=["P4", "P5"]).update(lead_department=unit)
    Target.objects.get(plan=seeded, code="P7.1").co_departments.add(unit)
    for code, value in [("P4.1", 5000), ("P5.2", 20), ("P5.2.1", 6), ("A1.1", 40)]:
        publish(code, value, datetime.date(2024, 5, 31))
    check_budgets(
        client, django_assert_num_queries, year=2024, target="P5.2", department=unit.pk, day="2024-06-30"
    )


def test_it_keeps_every_budget_at_100_times_the_seed(client, seeded, django_assert_num_queries, settings):
    # The seed has 116 targets in 10 projects and 56 measures; this plan has 12,000 targets.
    plan = generate(year=9000, projects=100, actions=70, measures_per_action=10, targets_per_group=15)
    assert Target.objects.filter(plan=plan).count() >= 100 * Target.objects.filter(plan=seeded).count() - 100
    settings.PUBLIC_PLAN_YEAR = 9000
    unit = Department.objects.get(name="区经济发展局")
    Target.objects.filter(plan=plan, group__code__startswith="P1").update(lead_department=unit)
    parent = Target.objects.get(plan=plan, code="P1.1")
    Target.objects.filter(plan=plan, code__in=["P1.2", "P1.3"]).update(parent=parent)
    for target in Target.objects.filter(plan=plan, code__startswith="P2.")[:50]:
        target.co_departments.add(unit)
    # A synthetic year lies in the future: its only valid as-of day is its first.
    check_budgets(
        client, django_assert_num_queries, year=9000, target="P1.1", department=unit.pk, day="9000-01-01"
    )
