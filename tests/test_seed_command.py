"""`manage.py seed` loads the plan once and never overwrites later edits."""

from io import StringIO

import pytest
from django.core.management import call_command

from goals.models import Department, Plan, Target

pytestmark = pytest.mark.django_db


def seed(*args) -> str:
    out = StringIO()
    call_command("seed", *args, stdout=out)
    return out.getvalue()


def test_it_loads_the_plan_then_leaves_it_alone():
    Plan.objects.filter(year=2024).delete()
    assert "116 个目标" in seed()
    target = Target.objects.get(plan__year=2024, code="P1.3")
    target.lead_department = Department.objects.get(name="遥观镇")
    target.save()
    assert "跳过" in seed()
    assert Target.objects.get(pk=target.pk).lead_department.name == "遥观镇"
    assert Target.objects.filter(plan__year=2024).count() == 116


def test_force_reloads_the_seeded_values():
    Plan.objects.filter(year=2024).delete()
    seed()
    Target.objects.filter(plan__year=2024, code="P1.3").update(name="改过的名字")
    seed("--force")
    assert Target.objects.get(plan__year=2024, code="P1.3").name == "新增托位"
