"""Small builders for test data that is not the real seed (plans of other years)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from goals.models import Action, Measure, Pillar, Plan, Report, Target, TargetGroup
from projects.models import Project


def make_plan(year: int = 2023, **kw) -> Plan:
    return Plan.objects.create(year=year, title=kw.pop("title", f"{year} 测试计划"), **kw)


def make_project(plan: Plan, code: str = "P1", **kw) -> Project:
    kw.setdefault("name", f"项目 {code}")
    return Project.objects.create(plan=plan, code=code, kind=TargetGroup.Kind.PROJECT, **kw)


def make_action(plan: Plan, code: str = "A1", **kw) -> Action:
    return Action.objects.create(plan=plan, code=code, name=kw.pop("name", f"行动 {code}"), **kw)


def make_pillar(plan: Plan, code: str = "S1", **kw) -> Pillar:
    return Pillar.objects.create(plan=plan, code=code, name=kw.pop("name", f"经开 {code}"), **kw)


def make_measure(plan: Plan, code: str = "A1.1", *, action=None, pillar=None, **kw) -> Measure:
    kw.setdefault("name", f"举措 {code}")
    return Measure.objects.create(
        plan=plan, code=code, kind=TargetGroup.Kind.MEASURE, action=action, pillar=pillar, **kw
    )


def make_target(group: TargetGroup, code: str, kind: str = Target.Kind.AT_LEAST, value=None, **kw) -> Target:
    if value is None and kind != Target.Kind.MILESTONE:
        value = 100
    kw.setdefault("name", f"目标 {code}")
    kw.setdefault("wording", kw["name"])
    kw.setdefault("unit", "个")
    return Target.objects.create(
        plan=group.plan,
        group=group,
        code=code,
        kind=kind,
        target_value=None if value is None else Decimal(str(value)),
        **kw,
    )


def make_user(username: str, **kw):
    return get_user_model().objects.create_user(
        username=username, password=kw.pop("password", "pw-" + username), **kw
    )


def approved(target: Target, value, as_of: datetime.date, reviewer=None, **kw) -> Report:
    reviewer = reviewer or get_user_model().objects.get_or_create(username="test-reviewer")[0]
    return Report.objects.create(
        target=target,
        value=Decimal(str(value)),
        as_of=as_of,
        state=Report.State.APPROVED,
        reviewer=reviewer,
        reviewed_at=timezone.now(),
        **kw,
    )
