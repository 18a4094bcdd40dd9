"""The sign-off chain as functions (issue 22, point 2): official submits → department head
confirms (or returns) → reviewer approves, when the plan asks for it; each transition, each
refusal, nobody signing off their own work at any step, who may confirm what, and who holds
a report for how long. The pages are in test_staff_confirm.py, reminders in
test_signoff_reminders.py, simultaneous steps in test_signoff_races.py.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from goals.accounts import permissions
from goals.accounts.permissions import ADMIN, HEAD, OFFICIAL, REVIEWER
from goals.models import AuditEntry, Report, Target
from goals.planning import states
from goals.reporting import services, signoff
from goals.tracking.evaluation import latest_approved
from tests.builders import make_user
from tests.personas import DAY, staff_user

SUBMITTED, CONFIRMING, APPROVED, RETURNED = (
    Report.State.SUBMITTED,
    Report.State.CONFIRMING,
    Report.State.APPROVED,
    Report.State.RETURNED,
)


@pytest.fixture
def chain(world):
    """The world's plan with the sign-off chain on."""
    world.plan.requires_head_confirmation = True
    world.plan.save(update_fields=["requires_head_confirmation"])
    return world


@pytest.fixture
def head_own(world):
    return staff_user("head-own", HEAD, world.own_department, first_name="甲负责人")


@pytest.fixture
def head_other(world):
    return staff_user("head-other", HEAD, world.other_department, first_name="乙负责人")


def submit(world, author, value=120, target=None, **kw) -> Report:
    return services.submit_report(
        target=target or world.own_target, value=value, as_of=DAY, author=author, **kw
    )


def entries(report: Report, action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(report=report, action=action))


# --- submitting ---------------------------------------------------------------------------


def test_without_the_chain_a_report_goes_straight_to_review(world, official_own):
    report = submit(world, official_own)
    assert report.state == SUBMITTED and Report.objects.get().state == SUBMITTED
    (entry,) = entries(report, AuditEntry.Action.SUBMIT)
    assert "state" not in entry.changes


def test_with_the_chain_a_report_waits_for_the_department_head(chain, official_own):
    report = submit(chain, official_own)
    assert Report.objects.get(pk=report.pk).state == CONFIRMING
    assert (report.head, report.head_at, report.reviewer) == (None, None, None)
    (entry,) = entries(report, AuditEntry.Action.SUBMIT)
    assert entry.changes["state"] == "confirming"
    assert list(Report.objects.awaiting_head()) == [report] and not Report.objects.pending().exists()
    assert list(Report.objects.in_flight()) == [report]


def test_the_same_figure_waiting_for_the_head_is_not_submitted_twice(chain, official_own):
    first = submit(chain, official_own)
    with pytest.raises(services.AlreadySubmitted) as refused:
        submit(chain, official_own)
    assert refused.value.report == first and Report.objects.count() == 1
    assert str(refused.value) == "这一数据(截至 2023-06-30)已经提交,正在等待审核,无需重复提交。"


def test_a_waiting_figure_is_found_before_anything_is_written(chain, official_own):
    """Under the target's lock the second submission finds the first (waiting for the head)
    and writes nothing: no INSERT tried (the unique constraint is only the last guard)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    submit(chain, official_own)
    with CaptureQueriesContext(connection) as queries, pytest.raises(services.AlreadySubmitted):
        submit(chain, official_own)
    assert not [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("INSERT")]


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("draft", "2023 年计划尚未发布,还不能填报。"),
        ("closed", "2023 年计划已结项,不再接受报告;如需更正结项数据,请联系管理员。"),
    ],
)
def test_reports_are_taken_on_published_plans_only(world, official_own, status, message):
    world.plan.status = status
    world.plan.closed_at, world.plan.closed_as_of = timezone.now(), DAY
    world.plan.save()
    with pytest.raises(services.WorkflowError) as refused:
        submit(world, official_own)
    assert str(refused.value) == message and not Report.objects.exists()


def test_the_database_keeps_one_waiting_copy_of_a_figure_across_both_steps(chain, official_own):
    submit(chain, official_own)
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(target=chain.own_target, value=120, as_of=DAY, state=SUBMITTED)


def test_turning_the_chain_on_leaves_reports_already_waiting_for_review_there(world, official_own, reviewer):
    before = submit(world, official_own)
    world.plan.requires_head_confirmation = True
    world.plan.save()
    after = submit(world, official_own, value=130)
    assert (before.state, after.state) == (SUBMITTED, CONFIRMING)
    assert services.approve_report(report=before, reviewer=reviewer).state == APPROVED


def test_turning_the_chain_off_leaves_reports_with_the_head(chain, official_own, head_own, reviewer):
    report = submit(chain, official_own)
    chain.plan.requires_head_confirmation = False
    chain.plan.save()
    with pytest.raises(services.WorkflowError, match="尚待部门负责人确认"):
        services.approve_report(report=report, reviewer=reviewer)
    assert services.confirm_report(report=report, head=head_own).state == SUBMITTED


# --- the head's step ----------------------------------------------------------------------


def test_a_head_confirms_and_the_report_goes_on_to_review_unpublished(
    chain, official_own, head_own, django_capture_on_commit_callbacks
):
    report = submit(chain, official_own)
    revision = Target.objects.get(pk=chain.own_target.pk).revision
    with django_capture_on_commit_callbacks() as callbacks:
        confirmed = services.confirm_report(report=report, head=head_own)
    assert callbacks == []  # no publication stamp moves: nothing public changed
    stored = Report.objects.get(pk=report.pk)
    assert (stored.state, stored.head, stored.reviewer, stored.reviewed_at) == (
        SUBMITTED,
        head_own,
        None,
        None,
    )
    assert stored.head_at is not None and confirmed.head_at == stored.head_at
    assert Target.objects.get(pk=chain.own_target.pk).revision == revision
    assert latest_approved(chain.plan, DAY) == {}
    (entry,) = entries(report, AuditEntry.Action.CONFIRM)
    assert (entry.actor, entry.target_id, entry.changes) == (
        head_own,
        chain.own_target.pk,
        {"state": ["confirming", "submitted"]},
    )


def test_nobody_confirms_their_own_report(chain, head_own):
    head_own.groups.add(permissions.ensure_roles()[OFFICIAL])
    report = submit(chain, head_own)
    with pytest.raises(services.WorkflowError, match="^不能确认自己提交的报告,请由本单位其他负责人确认。$"):
        services.confirm_report(report=report, head=head_own)
    assert Report.objects.get(pk=report.pk).state == CONFIRMING
    assert not entries(report, AuditEntry.Action.CONFIRM)


def test_a_scripted_self_confirmation_is_allowed_only_when_asked_and_recorded(chain, head_own):
    report = submit(chain, head_own)
    services.confirm_report(report=report, head=head_own, self_approval=True)
    (entry,) = entries(report, AuditEntry.Action.CONFIRM)
    assert entry.changes == {"state": ["confirming", "submitted"], "self_approved": True}


def test_a_report_without_an_author_may_be_confirmed_by_anyone_with_the_role(chain, head_own):
    report = submit(chain, None)
    services.confirm_report(report=report, head=head_own)
    assert "self_approved" not in entries(report, AuditEntry.Action.CONFIRM)[0].changes


@pytest.mark.parametrize("step", ["confirm", "return"])
def test_the_head_acts_only_on_reports_waiting_for_them(world, chain, official_own, head_own, reviewer, step):
    act = {
        "confirm": lambda r: services.confirm_report(report=r, head=head_own),
        "return": lambda r: services.return_by_head(report=r, head=head_own, reason="请核实"),
    }[step]
    report = submit(chain, official_own)
    services.confirm_report(report=report, head=make_user("another-head"))
    with pytest.raises(services.WorkflowError, match="当前状态:待审核"):
        act(report)
    services.approve_report(report=report, reviewer=reviewer)
    with pytest.raises(services.WorkflowError, match="已被处理"):
        act(report)
    assert Report.objects.get(pk=report.pk).head.username == "another-head"


def test_a_head_returns_with_a_reason_and_the_official_sees_who(chain, official_own, head_own):
    report = submit(chain, official_own)
    returned = services.return_by_head(report=report, head=head_own, reason="  佐证材料不全  ")
    stored = Report.objects.get(pk=report.pk)
    assert (stored.state, stored.head, stored.reviewer, stored.return_reason) == (
        RETURNED,
        head_own,
        None,
        "佐证材料不全",
    )
    assert stored.head_at is not None and returned.head_at == stored.head_at and stored.reviewed_at is None
    assert stored.returned_by_head and stored.returned_by == head_own
    (entry,) = entries(report, AuditEntry.Action.RETURN)
    assert (entry.actor, entry.target_id, entry.changes) == (
        head_own,
        chain.own_target.pk,
        {"state": ["confirming", "returned"], "reason": "佐证材料不全"},
    )


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_return_by_the_head_needs_a_reason(chain, official_own, head_own, reason):
    report = submit(chain, official_own)
    with pytest.raises(services.WorkflowError, match="^退回时请写明理由。$"):
        services.return_by_head(report=report, head=head_own, reason=reason)
    assert Report.objects.get(pk=report.pk).state == CONFIRMING
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.RETURN).exists()


def test_the_official_corrects_a_returned_report_and_it_goes_to_the_head_again(chain, official_own, head_own):
    first = submit(chain, official_own)
    services.return_by_head(report=first, head=head_own, reason="数值有误")
    again = submit(chain, official_own, revises=first)  # the same figure, now as a correction
    assert (again.state, again.revises) == (CONFIRMING, first)
    assert Report.objects.get(pk=first.pk).state == RETURNED  # appended, never overwritten


# --- the reviewer's step --------------------------------------------------------------------


def test_a_reviewer_cannot_act_before_the_head(chain, official_own, reviewer):
    report = submit(chain, official_own)
    with pytest.raises(services.WorkflowError, match="^该报告尚待部门负责人确认,确认后才能审核。$"):
        services.approve_report(report=report, reviewer=reviewer)
    with pytest.raises(services.WorkflowError, match="尚待部门负责人确认"):
        services.return_report(report=report, reviewer=reviewer, reason="x")
    assert Report.objects.get(pk=report.pk).state == CONFIRMING


def test_a_reviewer_approves_what_the_head_confirmed_and_it_is_public(
    chain, official_own, head_own, reviewer, django_capture_on_commit_callbacks
):
    report = submit(chain, official_own)
    services.confirm_report(report=report, head=head_own)
    with django_capture_on_commit_callbacks() as callbacks:
        services.approve_report(report=report, reviewer=reviewer)
    assert len(callbacks) == 1  # the publication stamp moves
    stored = Report.objects.get(pk=report.pk)
    assert (stored.state, stored.head, stored.reviewer) == (APPROVED, head_own, reviewer)
    assert latest_approved(chain.plan, DAY)[chain.own_target.pk]["value"] == 120
    (entry,) = entries(report, AuditEntry.Action.APPROVE)
    assert entry.changes == {"state": ["submitted", "approved"], "value": "120"}


def test_the_head_who_confirmed_may_not_also_approve(chain, official_own, head_own):
    head_own.groups.add(permissions.ensure_roles()[REVIEWER])
    report = submit(chain, official_own)
    services.confirm_report(report=report, head=head_own)
    with pytest.raises(
        services.WorkflowError, match="^您已作为部门负责人确认过这份报告,须由其他审核人员审核通过。$"
    ):
        services.approve_report(report=report, reviewer=head_own)
    assert Report.objects.get(pk=report.pk).state == SUBMITTED
    assert not entries(report, AuditEntry.Action.APPROVE)
    # Returning is still theirs to do: it publishes nothing.
    services.return_report(report=report, reviewer=head_own, reason="再核实")
    stored = Report.objects.get(pk=report.pk)
    assert stored.state == RETURNED and not stored.returned_by_head and stored.returned_by == head_own


def test_a_scripted_approval_by_the_confirming_head_is_recorded(chain, official_own, head_own):
    report = submit(chain, official_own)
    services.confirm_report(report=report, head=head_own)
    services.approve_report(report=report, reviewer=head_own, self_approval=True)
    assert entries(report, AuditEntry.Action.APPROVE)[0].changes["self_approved"] is True


def test_the_author_may_not_approve_even_after_a_head_confirmed(chain, official_own, head_own):
    report = submit(chain, official_own)
    services.confirm_report(report=report, head=head_own)
    with pytest.raises(services.WorkflowError, match="不能审核通过自己提交的报告"):
        services.approve_report(report=report, reviewer=official_own)


def test_a_reviewer_return_after_confirmation_names_the_reviewer(chain, official_own, head_own, reviewer):
    report = submit(chain, official_own)
    services.confirm_report(report=report, head=head_own)
    services.return_report(report=report, reviewer=reviewer, reason="口径不符")
    stored = Report.objects.get(pk=report.pk)
    assert (stored.returned_by_head, stored.returned_by, stored.head) == (False, reviewer, head_own)


def test_a_plan_cannot_close_while_a_head_holds_a_report(chain, official_own):
    submit(chain, official_own)
    assert states.pending_codes(chain.plan) == ["P1.1"]


def test_a_returned_report_must_say_who_returned_it(chain, official_own):
    report = submit(chain, official_own)
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.filter(pk=report.pk).update(state=RETURNED, return_reason="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.filter(pk=report.pk).update(head=official_own)  # a head without a time


# --- who may confirm what ---------------------------------------------------------------------


def test_who_may_confirm(world, official_own, head_own, reviewer, admin):
    assert [permissions.can_confirm(u) for u in (official_own, head_own, reviewer, admin)] == [
        False,
        True,
        False,
        True,
    ]
    head_own.is_active = False
    assert not permissions.can_confirm(head_own)
    with pytest.raises(
        PermissionDenied, match="^" + re.escape("您没有确认本单位报告的权限(部门负责人)。") + "$"
    ):
        permissions.require_head(official_own)
    permissions.require_head(admin)


def test_overseeing_every_department_is_enough_for_every_step(world):
    """A user holding only goals.oversee_reports (as an admin role made by hand might)."""
    overseer = make_user("overseer")
    overseer.user_permissions.add(permissions.Permission.objects.get(codename="oversee_reports"))
    assert permissions.can_confirm(overseer) and permissions.can_close_plan(overseer)
    assert permissions.can_publish_plan(overseer)
    closer = make_user("closer")
    closer.user_permissions.add(permissions.Permission.objects.get(codename="close_plan"))
    assert permissions.can_close_plan(closer) and not permissions.can_publish_plan(closer)
    publisher = make_user("publisher")
    publisher.user_permissions.add(permissions.Permission.objects.get(codename="publish_plan"))
    assert permissions.can_publish_plan(publisher) and not permissions.can_confirm(publisher)


def test_a_head_confirms_the_targets_their_department_leads_or_co_leads(world, head_own, official_own, admin):
    world.other_target.co_departments.add(world.own_department)
    mine = set(permissions.confirmable_targets(head_own))
    assert mine == {world.own_target, world.milestone, world.other_target}
    world.other_target.co_departments.clear()
    assert world.other_target not in set(permissions.confirmable_targets(head_own))
    assert not permissions.confirmable_targets(official_own).exists()
    assert permissions.confirmable_targets(admin).count() == Target.objects.count()


def test_a_head_reaches_their_departments_reports_only(chain, official_own, official_other, head_own):
    own = submit(chain, official_own)
    other = submit(chain, official_other, target=chain.other_target, value=4)
    assert permissions.get_report_for_confirm(head_own, own.pk) == own
    with pytest.raises(Http404, match="^没有这份报告,或它不属于您所在单位负责的目标。$"):
        permissions.get_report_for_confirm(head_own, other.pk)
    with pytest.raises(Http404):
        permissions.get_report_for_confirm(head_own, 999_999)
    with pytest.raises(PermissionDenied):
        permissions.get_report_for_confirm(official_own, own.pk)
    assert set(permissions.visible_reports(head_own)) == {own}


def test_a_report_for_the_head_comes_with_its_target_and_author(
    chain, official_own, head_own, django_assert_num_queries
):
    own = submit(chain, official_own)
    head_own = type(head_own).objects.get(pk=head_own.pk)  # permissions not cached yet
    permissions.can_confirm(head_own)  # the permission lookups, cached on the user
    with django_assert_num_queries(1):
        found = permissions.get_report_for_confirm(head_own, own.pk)
        assert (found.target.code, found.author.username) == ("P1.1", "official-own")


def test_the_heads_of_each_department_in_one_query(world, head_own, admin, django_assert_num_queries):
    world.own_department.members.add(admin)  # an admin in a department is nobody's head
    off_duty = staff_user("head-away", HEAD, world.own_department, is_active=False)
    direct = staff_user("head-direct", None, world.other_department)
    direct.user_permissions.add(permissions.Permission.objects.get(codename="confirm_report"))
    staff_user("official-2", OFFICIAL, world.own_department)
    elsewhere = permissions.Department.objects.create(name="丙单位")
    staff_user("head-elsewhere", HEAD, elsewhere)  # a department not asked about
    with django_assert_num_queries(1):
        found = permissions.heads_by_department([world.own_department.pk, world.other_department.pk])
    assert found == {world.own_department.pk: [head_own], world.other_department.pk: [direct]}
    assert off_duty not in found[world.own_department.pk]


def test_the_head_role_is_a_group_with_the_confirm_permission(db):
    groups = permissions.ensure_roles()
    assert {p.codename for p in groups[HEAD].permissions.all()} == {"confirm_report", "view_target"}
    assert groups[ADMIN].permissions.filter(codename="confirm_report").exists()


# --- who holds a report, since when ---------------------------------------------------------


MONDAY = datetime.datetime(2024, 7, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("day", "late"),
    [
        (datetime.date(2024, 7, 1), False),
        (datetime.date(2024, 7, 3), False),  # two working days: Tuesday, Wednesday
        (datetime.date(2024, 7, 4), True),
    ],
)
def test_held_too_long_counts_working_days(day, late, settings):
    settings.SIGNOFF_REMINDER_DAYS = 2
    assert signoff.too_long(MONDAY, day) is late
    assert signoff.too_long(MONDAY, day, working_days=3) is False


def test_a_weekend_does_not_count():
    friday = datetime.datetime(2024, 7, 5, 9, 0, tzinfo=datetime.UTC)
    assert not signoff.too_long(friday, datetime.date(2024, 7, 9), working_days=2)  # Mon, Tue
    assert signoff.too_long(friday, datetime.date(2024, 7, 10), working_days=2)
    assert signoff.held_days(friday, datetime.date(2024, 7, 10)) == 5
    assert signoff.held_days(friday, datetime.date(2024, 7, 4)) == 0  # never negative


def test_who_holds_each_report(
    chain, official_own, official_other, head_own, head_other, reviewer, time_machine
):
    time_machine.move_to(MONDAY)
    chain.other_target.co_departments.add(chain.own_department)
    waiting = submit(chain, official_other, target=chain.other_target, value=4)
    confirmed = submit(chain, official_own)
    returned = submit(chain, official_own, value=5, target=chain.milestone)
    time_machine.move_to(MONDAY + datetime.timedelta(days=1))
    services.confirm_report(report=confirmed, head=head_own)
    services.return_by_head(report=returned, head=head_own, reason="x")
    reports = list(Report.objects.order_by("pk"))
    held = {h.report.pk: h for h in signoff.holdings(reports, datetime.date(2024, 7, 4))}
    assert (held[waiting.pk].role, held[waiting.pk].holders) == ("head", [head_other, head_own])
    assert (held[waiting.pk].days, held[waiting.pk].too_long) == (3, True)
    assert str(held[waiting.pk].role_label) == "部门负责人"
    assert (held[confirmed.pk].role, held[confirmed.pk].holders, held[confirmed.pk].days) == (
        "reviewer",
        [],
        2,
    )
    assert held[confirmed.pk].since == Report.objects.get(pk=confirmed.pk).head_at
    assert (held[returned.pk].role, held[returned.pk].holders, held[returned.pk].days) == (
        "official",
        [official_own],
        2,
    )
    assert held[confirmed.pk].too_long is False


def test_held_since_follows_the_report(chain, official_own, head_own, reviewer):
    report = submit(chain, official_own)
    assert report.held_since == report.created_at
    services.confirm_report(report=report, head=head_own)
    report.refresh_from_db()
    assert report.held_since == report.head_at
    services.approve_report(report=report, reviewer=reviewer)
    report.refresh_from_db()
    assert report.held_since == report.reviewed_at
    assert signoff.holdings([report], timezone.localdate()) == []  # done: nobody holds it


def test_a_report_waiting_for_a_head_nobody_holds_says_so(chain, official_other):
    report = submit(chain, official_other, target=chain.other_target, value=4)
    (held,) = signoff.holdings([report], timezone.localdate())
    assert (held.role, held.holders) == ("head", [])


# --- scripted loads -------------------------------------------------------------------------


def test_a_scripted_load_waits_for_the_head_and_cannot_be_approved_past_them(chain, official_own, reviewer):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command(
        "report", "P1.1", "120", "--as-of", "2023-06-30", "--by", "official-own", "--plan", "2023", stdout=out
    )
    assert "待部门确认" in out.getvalue() and Report.objects.get().state == CONFIRMING
    args = [
        "P1.1",
        "130",
        "--as-of",
        "2023-06-30",
        "--author",
        "official-own",
        "--by",
        "reviewer",
        "--approve",
    ]
    with pytest.raises(CommandError, match="未记录:该报告尚待部门负责人确认"):
        call_command("report", *args, "--plan", "2023", stdout=StringIO())
    assert Report.objects.count() == 1  # the refused load left nothing behind
