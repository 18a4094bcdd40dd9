"""Builders for test data, shared by every test module (plain functions, no fixtures).

Plans and targets (not the real seed: plans of other years)
    ``make_plan``, ``make_project``, ``make_action``, ``make_pillar``, ``make_measure``,
    ``make_target``, ``make_user``; ``approved(target, value, as_of)`` writes an approved
    report straight to the database (no workflow, no audit).
Reports through the real workflow
    ``publish(target, value, as_of, author=, reviewer=, approve=True, **kw)``: submit with
    goals.reporting.services and approve, as the staff pages do (the ``publish`` fixture in
    conftest.py wraps it with default users and seed codes).
Evidence files
    ``PNG``, ``PDF``: the smallest bytes the upload checks accept as an image or a PDF;
    ``upload(name, content=None)`` one SimpleUploadedFile (content guessed from the name);
    ``evidence(*names)`` the ``[(file, content_type), ...]`` that submit_report takes.
Days (the ``today`` and ``plan_day`` fixtures in conftest.py pin the clock to them)
    ``IN_PLAN_YEAR`` (1 July 2024: half the seed's year gone, 50 % expected) and
    ``AFTER_PLAN_YEAR`` (1 March 2025: the year is over).
Requests
    ``HTMX``: the headers of an htmx request (``client.get(url, headers=HTMX)``);
    ``report_form_data(target, value, as_of=..., revision=None, **extra)``: the POST of a
    target's report form (fields prefixed ``t<pk>-``, the target's revision by default).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from goals.models import Action, Measure, Pillar, Plan, Report, Target, TargetGroup
from goals.reporting import services
from projects.models import Project

IN_PLAN_YEAR = datetime.date(2024, 7, 1)
AFTER_PLAN_YEAR = datetime.date(2025, 3, 1)


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


def publish(
    target: Target, value, as_of: datetime.date, *, author, reviewer, approve: bool = True, **kw
) -> Report:
    """Submit through goals.reporting.services (audit, evidence, revision) and, unless approve=False, approve."""
    report = services.submit_report(
        target=target, value=Decimal(str(value)), as_of=as_of, author=author, **kw
    )
    return services.approve_report(report=report, reviewer=reviewer) if approve else report


# ------------------------------------------------------------------------ evidence files
# Sample files live in tests/samples.py (real images, since uploads are re-encoded by Pillow).
from tests.samples import PDF, PNG, evidence, upload  # noqa: E402, F401

# ------------------------------------------------------------------------------ requests

HTMX = {"HX-Request": "true"}


def report_form_data(target: Target, value="120", as_of="2023-06-30", revision=None, **extra) -> dict:
    """What the report form of `target` posts (value, as-of date, the revision shown, extras)."""
    fields = {
        "value": value,
        "as_of": as_of.isoformat() if isinstance(as_of, datetime.date) else as_of,
        "revision": target.revision if revision is None else revision,
        **extra,
    }
    return {f"t{target.pk}-{key}": item for key, item in fields.items()}
