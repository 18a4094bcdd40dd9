"""goals.accounts.permissions as functions: the roles, who may report on or read what, and the answers.

The staff URLs × personas are in test_permissions_matrix.py; here each rule is stated once,
on the functions the views call.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.http import Http404

from goals.accounts import permissions
from goals.accounts.permissions import ADMIN, HEAD, OFFICIAL, REVIEWER
from goals.models import Department, Report
from goals.reporting import services
from tests.builders import evidence, make_plan, make_project, make_target, make_user
from tests.personas import DAY, staff_user


def perms(group: Group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


# --- roles ----------------------------------------------------------------------------------


def test_ensure_roles_creates_the_four_roles_from_nothing(db):
    Group.objects.all().delete()  # as on a database whose groups an admin removed
    groups = permissions.ensure_roles()
    assert set(groups) == {OFFICIAL, REVIEWER, HEAD, ADMIN}
    assert {name: group.name for name, group in groups.items()} == {
        n: n for n in (OFFICIAL, REVIEWER, HEAD, ADMIN)
    }
    assert perms(Group.objects.get(name=OFFICIAL)) == {"goals.submit_report", "goals.view_target"}
    assert perms(Group.objects.get(name=HEAD)) == {"goals.confirm_report", "goals.view_target"}
    assert perms(Group.objects.get(name=REVIEWER)) == {
        "goals.review_report",
        "goals.view_report",
        "goals.view_target",
        "goals.close_plan",
    }
    every = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.filter(content_type__app_label__in=permissions.ADMIN_APPS)
    }
    assert perms(Group.objects.get(name=ADMIN)) == every
    assert {"goals.oversee_reports", "auth.change_user", "projects.change_project"} <= every


def test_ensure_roles_takes_a_codename_only_from_its_own_app(db):
    # "view_target" exists only in goals; a same-named permission of another app stays out.
    from django.contrib.contenttypes.models import ContentType

    Group.objects.all().delete()
    alien = Permission.objects.create(
        codename="view_target", name="x", content_type=ContentType.objects.get(app_label="auth", model="user")
    )
    permissions.ensure_roles()
    assert alien not in Group.objects.get(name=OFFICIAL).permissions.all()


def test_ensure_roles_adds_what_is_missing_and_keeps_the_rest(db):
    official = permissions.ensure_roles()[OFFICIAL]
    official.permissions.clear()
    permissions.ensure_roles()
    permissions.ensure_roles()
    assert perms(official) == {"goals.submit_report", "goals.view_target"}


# persona: (may report, may review, oversees every department)
ROLES_OF = {
    "anonymous": (False, False, False),
    "official_own": (True, False, False),
    "official_other": (True, False, False),
    "reviewer": (False, True, False),
    "admin": (True, True, True),
}


def test_each_persona_holds_exactly_its_roles_rights(persona):
    from django.contrib.auth.models import AnonymousUser

    name, user = persona
    user = user or AnonymousUser()
    assert (
        permissions.can_submit(user),
        permissions.can_review(user),
        permissions.is_admin(user),
    ) == ROLES_OF[name]


def test_a_role_that_cannot_use_a_page_is_refused_before_any_lookup(world, official_own, reviewer):
    for fetch in (
        lambda: permissions.get_target_for_submit(reviewer, world.plan, world.own_target.code),
        lambda: permissions.get_report_for_resubmit(reviewer, 999_999),
        lambda: permissions.get_report_for_review(official_own, 999_999),
    ):
        with pytest.raises(PermissionDenied):
            fetch()
    assert not permissions.reportable_targets(reviewer).exists()


def test_an_admin_reports_on_every_target_of_every_department(world, admin, next_year):
    plan, target = next_year
    assert set(permissions.reportable_targets(admin, world.plan)) == {
        world.own_target,
        world.other_target,
        world.milestone,
    }
    assert permissions.get_target_for_submit(admin, plan, "P1.1") == target


def test_oversight_alone_lets_one_report_and_review(db):
    user = make_user("overseer")
    user.user_permissions.add(Permission.objects.get(codename="oversee_reports"))
    assert permissions.is_admin(user)
    assert permissions.can_submit(user) and permissions.can_review(user)


def holding(*codenames: str):
    """A user given exactly these goals permissions, in no role group."""
    user = make_user("holder-" + "-".join(codenames))
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="goals", codename__in=codenames)
    )
    return user


def test_closing_a_year_and_publishing_a_plan_are_separate_rights_that_oversight_holds_both(db):
    # (may close a year, may publish a plan, sees drafts)
    rights = {
        ("close_plan",): (True, False, False),
        ("publish_plan",): (False, True, True),
        ("oversee_reports",): (True, True, True),
        ("submit_report",): (False, False, False),
    }
    for codenames, expected in rights.items():
        user = holding(*codenames)
        assert (
            permissions.can_close_plan(user),
            permissions.can_publish_plan(user),
            permissions.can_see_drafts(user),
        ) == expected, codenames


def test_an_inactive_user_can_do_nothing(world, official_own, reviewer, admin):
    for user in (official_own, reviewer, admin):
        user.is_active = False
        assert not permissions.can_submit(user) and not permissions.can_review(user)
        assert not permissions.is_admin(user)


def test_refusals_say_which_permission_is_missing(world, official_own, reviewer):
    with pytest.raises(PermissionDenied) as refused:
        permissions.require_submitter(reviewer)
    assert str(refused.value) == "您没有填报进度的权限。"
    with pytest.raises(PermissionDenied) as refused:
        permissions.require_reviewer(official_own)
    assert str(refused.value) == "您没有审核报告的权限。"


# --- targets --------------------------------------------------------------------------------


@pytest.fixture
def next_year(world):
    """The 2024 plan, with a P1.1 of its own led by the same department as 2023's P1.1."""
    plan = make_plan(2024)
    target = make_target(make_project(plan, "P1"), "P1.1", value=300, lead_department=world.own_department)
    return plan, target


def test_a_target_is_found_in_the_plan_asked_for(world, official_own, next_year):
    plan, target = next_year
    assert permissions.get_target_for_submit(official_own, plan, "P1.1") == target
    assert permissions.get_target_for_submit(official_own, world.plan, "P1.1") == world.own_target
    assert list(permissions.reportable_targets(official_own, plan)) == [target]
    assert set(permissions.reportable_targets(official_own)) == {world.own_target, world.milestone, target}


def test_the_target_comes_with_what_the_form_reads_in_one_query(
    world, official_own, django_assert_num_queries
):
    child = make_target(
        world.own_target.group, "P1.1.1", parent=world.own_target, lead_department=world.own_department
    )
    target = permissions.get_target_for_submit(official_own, world.plan, child.code)
    with django_assert_num_queries(0):
        assert (target.plan.year, target.group.code, target.lead_department.name, target.parent.code) == (
            2023,
            "P1",
            "甲单位",
            "P1.1",
        )


def test_without_a_plan_or_outside_ones_reach_the_target_is_not_found(world, official_own):
    with pytest.raises(Http404) as missing:
        permissions.get_target_for_submit(official_own, None, "P1.1")
    assert str(missing.value) == "没有可填报的工作计划。"
    with pytest.raises(Http404) as theirs:
        permissions.get_target_for_submit(official_own, world.plan, world.other_target.code)
    assert str(theirs.value) == "没有这个目标,或它不由您所在的单位负责。"


# --- reports and evidence -------------------------------------------------------------------


@pytest.fixture
def colleague(world):
    return staff_user("colleague", OFFICIAL, world.own_department)


def test_an_official_reads_a_colleagues_reports_on_their_departments_targets(
    world, official_own, colleague, official_other
):
    theirs = services.submit_report(target=world.own_target, value=5, as_of=DAY, author=colleague)
    other = services.submit_report(target=world.other_target, value=5, as_of=DAY, author=official_other)
    assert list(permissions.visible_reports(official_own)) == [theirs]
    assert permissions.get_report_for_resubmit(official_own, theirs.pk) == theirs
    with pytest.raises(Http404) as missing:
        permissions.get_report_for_resubmit(official_own, other.pk)
    assert str(missing.value) == "没有这份报告,或您无权查看。"


def test_an_official_still_reads_their_own_report_after_the_target_moved(world, official_own, media):
    mine = services.submit_report(
        target=world.own_target, value=5, as_of=DAY, author=official_own, evidence=evidence("现场.png")
    )
    world.own_target.lead_department = Department.objects.create(name="丙单位")
    world.own_target.save()
    assert list(permissions.visible_reports(official_own)) == [mine]
    item = mine.evidence.get()
    assert permissions.get_evidence_for_user(official_own, item.pk) == item
    # ...but can no longer correct it: that belongs to the department now responsible.
    with pytest.raises(Http404):
        permissions.get_report_for_resubmit(official_own, mine.pk)


def test_nobody_signed_out_reads_a_report(world, official_own):
    from django.contrib.auth.models import AnonymousUser

    services.submit_report(target=world.own_target, value=5, as_of=DAY, author=official_own)
    assert not permissions.visible_reports(AnonymousUser()).exists()


def test_a_report_for_correction_comes_with_what_the_form_reads(
    world, official_own, reviewer, media, django_assert_num_queries
):
    report = services.submit_report(
        target=world.own_target, value=5, as_of=DAY, author=official_own, evidence=evidence("现场.png")
    )
    services.return_report(report=report, reviewer=reviewer, reason="请补充")
    found = permissions.get_report_for_resubmit(official_own, report.pk)
    with django_assert_num_queries(0):
        target = found.target
        assert (target.plan.year, target.group.code, target.lead_department.name) == (2023, "P1", "甲单位")
        assert (found.reviewer.username, found.author.username) == ("reviewer", "official-own")
        assert [e.original_name for e in found.evidence.all()] == ["现场.png"]


def test_a_report_for_review_comes_with_its_target_and_author(
    world, official_own, reviewer, django_assert_num_queries
):
    report = services.submit_report(target=world.own_target, value=5, as_of=DAY, author=official_own)
    found = permissions.get_report_for_review(reviewer, report.pk)
    with django_assert_num_queries(0):
        assert (found.target.code, found.author.username) == ("P1.1", "official-own")
    with pytest.raises(Http404) as missing:
        permissions.get_report_for_review(reviewer, 999_999)
    assert str(missing.value) == "没有这份报告。"


def test_evidence_comes_with_its_report_and_is_not_found_outside_ones_reach(
    world, official_own, official_other, media, django_assert_num_queries
):
    report = services.submit_report(
        target=world.own_target, value=5, as_of=DAY, author=official_own, evidence=evidence("现场.png")
    )
    other = services.submit_report(
        target=world.own_target, value=6, as_of=DAY, author=official_own, evidence=evidence("台账.pdf")
    )
    item = permissions.get_evidence_for_user(official_own, report.evidence.get().pk)
    with django_assert_num_queries(0):
        assert item.report.value == 5
    assert (
        permissions.get_evidence_for_user(official_own, other.evidence.get().pk).original_name == "台账.pdf"
    )
    with pytest.raises(Http404) as missing:
        permissions.get_evidence_for_user(official_other, item.pk)
    assert str(missing.value) == "没有这个文件,或您无权查看。"


def test_reviewers_and_admins_read_every_report(world, official_own, official_other, reviewer, admin):
    services.submit_report(target=world.own_target, value=5, as_of=DAY, author=official_own)
    services.submit_report(target=world.other_target, value=5, as_of=DAY, author=official_other)
    assert permissions.visible_reports(reviewer).count() == 2
    assert permissions.visible_reports(admin).count() == Report.objects.count() == 2
