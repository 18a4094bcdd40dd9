"""Who may do what in the staff workspace, and fetching objects while checking it.

Roles are groups holding permissions (created by migration 0003 and by `ensure_roles`):

- 填报人员 (official): ``goals.submit_report``; reports on the targets whose lead or
  co-department has them as a member (Department.members).
- 部门负责人 (department head): ``goals.confirm_report``; when a plan asks for it (the
  sign-off chain, Plan.requires_head_confirmation), confirms or returns the reports on the
  targets of the departments they are a member of (led or co-led, as their officials report
  on them), never their own, before review.
- 审核人员 (reviewer): ``goals.review_report``; approves or returns submitted reports of
  every department, but never their own nor one they confirmed as head.
- 管理员 (admin): every permission, including ``goals.oversee_reports``: every target and
  report of every department. Superusers hold every permission implicitly.

Closing a year (``goals.close_plan``) belongs to reviewers and admins; publishing a plan
(``goals.publish_plan``) and correcting a closed year's record belong to admins.

Answers: a page a role cannot use at all is 403 (PermissionDenied); an object outside the
user's reach is 404, exactly as if it did not exist, so guessed ids reveal nothing.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from goals.models import Department, Evidence, Plan, Report, Target

OFFICIAL, REVIEWER, ADMIN = "填报人员", "审核人员", "管理员"
HEAD = "部门负责人"
SUBMIT, REVIEW, OVERSEE = "goals.submit_report", "goals.review_report", "goals.oversee_reports"
CONFIRM = "goals.confirm_report"
CLOSE_PLAN, PUBLISH_PLAN = "goals.close_plan", "goals.publish_plan"
ROLES = {
    OFFICIAL: [("goals", "submit_report"), ("goals", "view_target")],
    REVIEWER: [
        ("goals", "review_report"),
        ("goals", "view_report"),
        ("goals", "view_target"),
        ("goals", "close_plan"),
    ],
    HEAD: [("goals", "confirm_report"), ("goals", "view_target")],
}
ADMIN_APPS = ["goals", "projects", "auth", "axes"]


def ensure_roles() -> dict[str, Group]:
    """Create the role groups (or add missing permissions to them); idempotent."""
    groups = {}
    for name, perms in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        query = Q()
        for app_label, codename in perms:
            query |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.add(*Permission.objects.filter(query))
        groups[name] = group
    admin, _created = Group.objects.get_or_create(name=ADMIN)
    admin.permissions.add(*Permission.objects.filter(content_type__app_label__in=ADMIN_APPS))
    groups[ADMIN] = admin
    return groups


# --- what a user is ------------------------------------------------------------------------


def is_admin(user) -> bool:
    return user.is_active and user.has_perm(OVERSEE)


def can_submit(user) -> bool:
    return user.is_active and (user.has_perm(SUBMIT) or user.has_perm(OVERSEE))


def can_review(user) -> bool:
    return user.is_active and (user.has_perm(REVIEW) or user.has_perm(OVERSEE))


def can_confirm(user) -> bool:
    """A department head (of the departments they are a member of), or an admin (of all)."""
    return user.is_active and (user.has_perm(CONFIRM) or user.has_perm(OVERSEE))


def can_close_plan(user) -> bool:
    return user.is_active and (user.has_perm(CLOSE_PLAN) or user.has_perm(OVERSEE))


def can_publish_plan(user) -> bool:
    return user.is_active and (user.has_perm(PUBLISH_PLAN) or user.has_perm(OVERSEE))


def can_see_drafts(user) -> bool:
    """Draft plans are for the staff preparing them: admins and those who may publish."""
    return user.is_authenticated and can_publish_plan(user)


def require_submitter(user) -> None:
    if not can_submit(user):
        raise PermissionDenied(_("您没有填报进度的权限。"))


def require_reviewer(user) -> None:
    if not can_review(user):
        raise PermissionDenied(_("您没有审核报告的权限。"))


def require_head(user) -> None:
    if not can_confirm(user):
        raise PermissionDenied(_("您没有确认本单位报告的权限(部门负责人)。"))


# --- what a user may see and touch ---------------------------------------------------------


def reportable_targets(user, plan: Plan | None = None):
    """The targets `user` may report on (all of them for admins), optionally in one plan."""
    if not can_submit(user):
        return Target.objects.none()
    targets = Target.objects.all() if is_admin(user) else Target.objects.reportable_by(user)
    return targets if plan is None else targets.filter(plan=plan)


def confirmable_targets(user):
    """The targets whose reports `user` confirms as department head (all of them for admins):
    those of the departments they are a member of, led or co-led."""
    if not can_confirm(user):
        return Target.objects.none()
    return Target.objects.all() if is_admin(user) else Target.objects.reportable_by(user)


def visible_reports(user):
    """Reports whose details `user` may read on staff pages (evidence included).

    Reviewers and admins: every report. Officials: their own reports, and every report on
    the targets they may report on (colleagues' pending and returned ones included).
    Department heads: every report on their departments' targets.
    """
    if can_review(user) or is_admin(user):
        return Report.objects.all()
    if not user.is_authenticated:
        return Report.objects.none()
    return Report.objects.filter(
        Q(author=user) | Q(target__in=reportable_targets(user)) | Q(target__in=confirmable_targets(user))
    )


def get_target_for_submit(user, plan: Plan | None, code: str) -> Target:
    """The target `code` of `plan` if `user` may report on it: 403 without the role, else 404."""
    require_submitter(user)
    if plan is None:
        raise Http404(_("没有可填报的工作计划。"))
    target = (
        reportable_targets(user, plan)
        .select_related("plan", "group", "lead_department", "parent")
        .filter(code=code)
        .first()
    )
    if target is None:
        raise Http404(_("没有这个目标,或它不由您所在的单位负责。"))
    return target


def get_report_for_resubmit(user, report_id: int) -> Report:
    """A report `user` may correct: one on a target they may report on (403 / 404 as above)."""
    require_submitter(user)
    report = (
        Report.objects.filter(pk=report_id, target__in=reportable_targets(user))
        .select_related("target__plan", "target__group", "target__lead_department", "reviewer", "author")
        .prefetch_related("evidence")
        .first()
    )
    if report is None:
        raise Http404(_("没有这份报告,或您无权查看。"))
    return report


def get_report_for_review(user, report_id: int) -> Report:
    require_reviewer(user)
    report = Report.objects.select_related("target", "author").filter(pk=report_id).first()
    if report is None:
        raise Http404(_("没有这份报告。"))
    return report


def get_report_for_confirm(user, report_id: int) -> Report:
    """A report on one of the head's targets: 403 without the role, 404 for any other report."""
    require_head(user)
    report = (
        Report.objects.filter(pk=report_id, target__in=confirmable_targets(user))
        .select_related("target", "author")
        .first()
    )
    if report is None:
        raise Http404(_("没有这份报告,或它不属于您所在单位负责的目标。"))
    return report


def heads_by_department(department_ids) -> dict[int, list]:
    """{department id: its active members who hold the head role}, in one query. Admins (who
    may confirm any report) are nobody's head: they step in, they are not waited for."""
    users = (
        get_user_model()
        .objects.filter(
            Q(groups__permissions__codename="confirm_report") | Q(user_permissions__codename="confirm_report")
        )
        .exclude(groups__permissions__codename="oversee_reports")
    )
    rows = (
        Department.members.through.objects.filter(
            department_id__in=list(department_ids), user__is_active=True
        )
        .filter(user__in=users)
        .select_related("user")
        .order_by("user__username")
    )
    found: dict[int, list] = {}
    for row in rows:
        if row.user not in found.setdefault(row.department_id, []):
            found[row.department_id].append(row.user)
    return found


def get_evidence_for_user(user, evidence_id: int) -> Evidence:
    evidence = (
        Evidence.objects.filter(pk=evidence_id, report__in=visible_reports(user))
        .select_related("report")
        .first()
    )
    if evidence is None:
        raise Http404(_("没有这个文件,或您无权查看。"))
    return evidence
