"""Personas for staff tests: who owns a target, who does not, who reviews, who administers.

The world: one plan (2023, so every as-of day in it is in the past), one project with a
target led by 甲单位 (``own_target``), one led by 乙单位 (``other_target``) and a milestone
led by 甲单位. Personas:

- ``anonymous``: None (not signed in)
- ``official_own``: 填报人员, member of 甲单位 (leads ``own_target``)
- ``official_other``: 填报人员, member of 乙单位
- ``reviewer``: 审核人员
- ``admin``: 管理员 group and is_staff (not a superuser: the group's permissions are tested)

The fixtures are registered for every test module by tests/conftest.py: ask for them by
name, and import only the plain helpers (``DAY``, ``PERSONAS``, ``World``, ``as_user``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from goals.accounts.permissions import ADMIN, OFFICIAL, REVIEWER, ensure_roles
from goals.models import Department, Plan, Target
from tests.builders import make_plan, make_project, make_target, make_user

# Kept for test modules (on other branches) that still use ``import *``; prefer naming.
__all__ = [
    "DAY",
    "PERSONAS",
    "World",
    "admin",
    "anonymous",
    "as_user",
    "official_other",
    "official_own",
    "persona",
    "reviewer",
    "staff_user",
    "world",
]

DAY = datetime.date(2023, 6, 30)
PERSONAS = ["anonymous", "official_own", "official_other", "reviewer", "admin"]


@dataclass
class World:
    plan: Plan
    own_department: Department
    other_department: Department
    own_target: Target
    other_target: Target
    milestone: Target


@pytest.fixture
def world(db) -> World:
    ensure_roles()
    plan = make_plan(2023)
    project = make_project(plan, "P1", name="托育服务")
    own, other = Department.objects.create(name="甲单位"), Department.objects.create(name="乙单位")
    return World(
        plan=plan,
        own_department=own,
        other_department=other,
        own_target=make_target(project, "P1.1", value=200, name="新增托位", lead_department=own),
        other_target=make_target(
            project, "P1.2", value=10, name="新增机构", unit="家", lead_department=other
        ),
        milestone=make_target(
            project, "P1.3", kind=Target.Kind.MILESTONE, name="设立服务中心", unit="", lead_department=own
        ),
    )


def staff_user(username: str, group: str | None = None, department: Department | None = None, **kw):
    """A user in one of the role groups (OFFICIAL, REVIEWER, ADMIN), member of `department`."""
    user = make_user(username, **kw)
    if group:
        user.groups.add(Group.objects.get(name=group))
    if department:
        department.members.add(user)
    return user


@pytest.fixture
def anonymous():
    return None


@pytest.fixture
def official_own(world):
    return staff_user("official-own", OFFICIAL, world.own_department, first_name="甲填报")


@pytest.fixture
def official_other(world):
    return staff_user("official-other", OFFICIAL, world.other_department, first_name="乙填报")


@pytest.fixture
def reviewer(world):
    return staff_user("reviewer", REVIEWER, first_name="审核员")


@pytest.fixture
def admin(world):
    return staff_user("admin", ADMIN, is_staff=True, first_name="管理员")


@pytest.fixture(params=PERSONAS)
def persona(request):
    """(name, user or None) for each persona in turn."""
    return request.param, request.getfixturevalue(request.param)


def as_user(user, **kwargs) -> Client:
    """A test client signed in as `user` (anonymous for None)."""
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client
