"""The staff workspace: officials report progress on the targets of their departments.

Every view is never cached, requires sign-in, and fetches what it touches through
goals.accounts.permissions (403 for a role that cannot use the page, 404 for objects out of reach).
One URL answers both ways: the whole page, or (for htmx) the one row it changed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from goals.accounts import permissions
from goals.accounts.staff import (
    HtmxHttpRequest,
    named_plan,
    staff_login_required,
    staff_year,
    user_departments,
)
from goals.models import Report, Target
from goals.planning import publication
from goals.reporting import services
from goals.reporting.forms import StaffReportForm, WorkspaceFilterForm
from goals.rules.formatting import in_target_scale, plain
from goals.rules.progress import LIGHT_ORDER, Status
from goals.tracking import evaluation, schedule
from goals.tracking.evaluation import TargetProgress, evaluate_plan

QUEUE_LIMIT = 100
BULK_LIMIT = 200

# --- workspace ---------------------------------------------------------------------------


@dataclass
class Row:
    """One target in the workspace, with its open reports and its report form."""

    tp: TargetProgress
    reports: list[Report]
    form: StaffReportForm
    action: str
    revises: Report | None = None
    message: str = ""
    level: str = ""  # success / error / warning
    facts: schedule.Facts | None = None

    @property
    def target(self) -> Target:
        return self.tp.target

    @property
    def is_open(self) -> bool:
        return bool(self.revises or self.message or self.form.is_bound and self.form.errors)


def open_reports(target_ids) -> dict[int, list[Report]]:
    """Reports waiting (for the head or for review), and returned ones not yet corrected, per
    target: one query (+evidence)."""
    corrected = Report.objects.filter(revises=OuterRef("pk"))
    reports = (
        Report.objects.filter(target_id__in=target_ids)
        .annotate(corrected=Exists(corrected))
        .filter(Q(state__in=Report.WAITING) | Q(state=Report.State.RETURNED, corrected=False))
        .select_related("author", "reviewer", "head")
        .prefetch_related("evidence")
        .order_by("-created_at", "-id")
    )
    found: dict[int, list[Report]] = {}
    for report in reports:
        found.setdefault(report.target_id, []).append(report)
    return found


def new_form(target: Target, *, revises: Report | None = None) -> StaffReportForm:
    initial = {"revision": target.revision}
    if revises is not None:
        initial.update(value=plain(revises.value), as_of=revises.as_of, note=revises.note)
    return StaffReportForm(target=target, revises=revises, prefix=f"t{target.pk}", initial=initial)


def form_action(target: Target, revises: Report | None) -> str:
    """Where the row's form posts; the plan's year goes along (two years may be open)."""
    if revises is not None:
        return reverse("resubmit_report", args=[revises.pk])
    return reverse("report_target", args=[target.code]) + f"?year={target.plan.year}"


def sort_rows(tps: list[TargetProgress], sort: str) -> list[TargetProgress]:
    if sort == "percent":
        return sorted(tps, key=lambda tp: (tp.percent is not None, tp.percent or 0))
    if sort == "status":
        order = {status: i for i, status in enumerate(Status)}
        return sorted(tps, key=lambda tp: order[tp.status])
    if sort == "as_of":
        return sorted(tps, key=lambda tp: (tp.as_of is not None, tp.as_of or 0))
    if sort == "light":
        order = {light: i for i, light in enumerate(LIGHT_ORDER)}
        return sorted(tps, key=lambda tp: order[tp.light])
    return tps


def sort_by_due(tps: list[TargetProgress], facts: dict[int, schedule.Facts]) -> list[TargetProgress]:
    """Most overdue first, then the nearest deadline; nothing due last."""

    def key(tp: TargetProgress):
        due = facts[tp.target.pk].due
        return (due is None, due.days if due else 0)

    return sorted(tps, key=key)


@never_cache
@vary_on_headers("HX-Request")
@staff_login_required
@require_GET
def workspace(request: HtmxHttpRequest) -> HttpResponse:
    user = request.user
    if not permissions.can_submit(user):
        if permissions.can_review(user):
            return redirect("review_queue")
        if permissions.can_confirm(user):  # a department head (部门负责人) only
            return redirect("confirm_queue")
        if hasattr(user, "leader"):  # a leader in charge (分管领导) without a reporting role
            return redirect("leader_workspace")
        raise PermissionDenied(_("您的账号尚未分配填报或审核角色,请联系管理员。"))
    year = staff_year(request)
    plan = year.plan
    filters = WorkspaceFilterForm(request.GET or None, departments=user_departments(user))
    rows: list[Row] = []
    total = 0
    summary = None
    day = evaluation.today()
    if plan is not None:
        day = publication.evaluation_day(plan)  # the day the public pages show
        ids = set(permissions.reportable_targets(user, plan).values_list("pk", flat=True))
        total = len(ids)
        result = evaluate_plan(plan, day)
        facts = schedule.reporting_facts(result, day, schedule.STAFF_STATES)
        tps = [tp for tp in result.targets.values() if tp.target.pk in ids]
        summary = workspace_summary(tps, facts)
        sort = "code"
        if filters.is_valid():
            data = filters.cleaned_data
            if data["department"]:
                owned = set(Target.objects.for_department(data["department"]).values_list("pk", flat=True))
                tps = [tp for tp in tps if tp.target.pk in owned]
            if data["status"]:
                tps = [tp for tp in tps if tp.status == data["status"]]
            if data["stale"]:
                tps = [tp for tp in tps if tp.stale]
            if data["light"]:
                tps = [tp for tp in tps if tp.light == data["light"]]
            if data["overdue"]:
                tps = [tp for tp in tps if (due := facts[tp.target.pk].due) and due.overdue]
            if text := data["q"].strip().lower():
                tps = [tp for tp in tps if text in f"{tp.target.code} {tp.target.name}".lower()]
            sort = data["sort"] or "code"
        reports = open_reports([tp.target.pk for tp in tps])
        rows = [
            Row(
                tp=tp,
                reports=reports.get(tp.target.pk, []),
                form=new_form(tp.target),
                action=form_action(tp.target, None),
                facts=facts[tp.target.pk],
            )
            for tp in (sort_by_due(tps, facts) if sort == "due" else sort_rows(tps, sort))
        ]
    template = "staff/workspace.html"
    if request.htmx:
        template += "#workspace-table"
    context = {
        "plan": plan,
        "staff_year": year,
        "rows": rows,
        "total": total,
        "filters": filters,
        "summary": summary,
        "day": day,
    }
    return render(request, template, context)


def workspace_summary(tps: list[TargetProgress], facts: dict[int, schedule.Facts]) -> dict:
    """The top of the workspace: the deadline that matters most, and counts by light."""
    mine = [facts[tp.target.pk] for tp in tps]
    dues = [item.due for item in mine if item.due is not None]
    return {
        "tally": schedule.tally(mine),
        "lights": Counter(tp.light for tp in tps),
        "worst": min(dues, key=lambda due: due.days) if dues else None,
    }


def render_row(request, row: Row, *, status: int = 200) -> HttpResponse:
    """The target's row alone (htmx), or the full report page (no JavaScript)."""
    if request.htmx:
        return render(request, "staff/workspace.html#target-row", {"row": row}, status=status)
    return render(request, "staff/report.html", {"row": row}, status=status)


def build_row(target: Target, form: StaffReportForm, revises: Report | None, **message) -> Row:
    """The row with fresh state: the target re-evaluated (7 queries) and its open reports."""
    day = publication.evaluation_day(target.plan)
    result = evaluate_plan(target.plan, day)
    tp = result.targets[target.pk]
    return Row(
        facts=schedule.reporting_facts(result, day, schedule.STAFF_STATES)[target.pk],
        tp=tp,
        reports=open_reports([target.pk]).get(target.pk, []),
        form=form,
        action=form_action(target, revises),
        revises=revises,
        **message,
    )


def handle_report(request, target: Target, revises: Report | None) -> HttpResponse:
    """Show or take the report form for `target`; `revises` when correcting a returned report."""
    if request.method != "POST":
        return render_row(request, build_row(target, new_form(target, revises=revises), revises))
    form = StaffReportForm(
        request.POST, request.FILES, target=target, revises=revises, prefix=f"t{target.pk}"
    )
    if not form.is_valid():
        if form.flags and set(form.errors) == {"confirm"}:
            message, level = _("未提交:数据看起来有异常,请核实并确认。"), "warning"
        else:
            message, level = _("未提交:请按提示修改后再提交。"), "error"
        return render_row(request, build_row(target, form, revises, message=message, level=level), status=422)
    data = form.cleaned_data
    try:
        report = services.submit_report(
            target=target,
            value=data["value"],
            as_of=data["as_of"],
            note=data["note"],
            next_steps=data["next_steps"],
            plausibility_flags=form.flags,
            author=request.user,
            evidence=form.evidence_to_submit(),
            revises=revises,
            expected_revision=data["revision"],
        )
    except services.StaleTarget as error:
        # Keep what the official typed; carry the fresh revision so that a resubmission
        # (after looking at the new state shown above the form) goes through.
        target.refresh_from_db(fields=["revision", "lead_department"])
        fresh = request.POST.copy()
        fresh[form.add_prefix("revision")] = str(target.revision)
        kept = StaffReportForm(fresh, target=target, revises=revises, prefix=f"t{target.pk}")
        message = str(error)
        if request.FILES:
            message += _("所选文件未保存,请重新选择。")
        return render_row(
            request, build_row(target, kept, revises, message=message, level="warning"), status=409
        )
    except services.AlreadySubmitted as error:
        # A repeated submission (double click, retry, the workbook at the same moment) ends
        # where the first one did: the figure waits for review, once.
        if request.htmx:
            row = build_row(target, new_form(target), None, message=str(error), level="warning")
            return render_row(request, row)
        messages.warning(request, str(error))
        return redirect(reverse("workspace") + f"#target-{target.pk}")
    except services.WorkflowError as error:
        return render_row(
            request, build_row(target, form, revises, message=str(error), level="error"), status=409
        )
    if report.state == Report.State.CONFIRMING:
        done = _("已提交 %(code)s 的进度(%(value)s,截至 %(day)s),等待部门负责人确认。")
    else:
        done = _("已提交 %(code)s 的进度(%(value)s,截至 %(day)s),等待审核。")
    done %= {
        "code": target.code,
        "value": in_target_scale(report.value, target),
        "day": report.as_of.isoformat(),
    }
    if request.htmx:
        return render_row(request, build_row(target, new_form(target), None, message=done, level="success"))
    messages.success(request, done)
    return redirect(reverse("workspace") + f"?year={target.plan.year}#target-{target.pk}")


@never_cache
@vary_on_headers("HX-Request")
@staff_login_required
@require_http_methods(["GET", "POST"])
def report_target(request: HtmxHttpRequest, code: str) -> HttpResponse:
    target = permissions.get_target_for_submit(request.user, named_plan(request), code)
    return handle_report(request, target, None)


@never_cache
@vary_on_headers("HX-Request")
@staff_login_required
@require_http_methods(["GET", "POST"])
def resubmit_report(request: HtmxHttpRequest, report_id: int) -> HttpResponse:
    returned = permissions.get_report_for_resubmit(request.user, report_id)
    target = returned.target
    if returned.state != Report.State.RETURNED or returned.revisions.exists():
        message = _("这份报告无需更正(它未被退回,或已经更正过)。")
        if request.htmx:
            return render_row(
                request, build_row(target, new_form(target), None, message=message, level="warning")
            )
        messages.warning(request, message)
        return redirect(reverse("workspace") + f"?year={target.plan.year}#target-{target.pk}")
    return handle_report(request, target, returned)
