"""The staff workspace: officials report progress, reviewers approve or return it.

Every view is never cached, requires sign-in, and fetches what it touches through
goals.permissions (403 for a role that cannot use the page, 404 for objects out of reach).
One URL answers both ways: the whole page, or (for htmx) the one row it changed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from goals import evaluation, permissions, publication, schedule, services
from goals.evaluation import TargetProgress, evaluate_plan, latest_approved
from goals.evidence import serve as serve_evidence
from goals.formatting import in_target_scale, plain
from goals.forms_staff import StaffReportForm, WorkspaceFilterForm
from goals.models import Department, Plan, Report, Target
from goals.progress import LIGHT_ORDER, Status
from goals.security import has_control_chars, parse_id

QUEUE_LIMIT = 100
BULK_LIMIT = 200
REASON_MAX = 2000


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def staff_login_required(view):
    """login_required, except that an htmx request from a signed-out user gets a bare 401.

    Redirecting it to the sign-in page would swap that page into the row and lose what the
    official typed; staff.js instead says "sign in again in another tab", and the form stays.
    403 and 404 are rendered in here (in Chinese, saying why), so that the decorators
    outside (never_cache) apply to them too.
    """
    protected = login_required(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.htmx and not request.user.is_authenticated:
            return HttpResponse(
                _("登录已过期,请重新登录。"), status=401, content_type="text/plain; charset=utf-8"
            )
        try:
            return protected(request, *args, **kwargs)
        except PermissionDenied as refusal:
            return refused(request, 403, str(refusal) or _("您没有权限进行此操作。"))
        except Http404 as missing:
            return refused(request, 404, str(missing) or _("没有找到该页面。"))

    return wrapper


def refused(request, status: int, message: str) -> HttpResponse:
    return render(request, "staff/refused.html", {"status": status, "message": message}, status=status)


def staff_plan() -> Plan | None:
    """The plan staff report on: the one the public pages show."""
    return publication.public_plan()


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
    """Submitted reports, and returned ones not yet corrected, per target: one query (+evidence)."""
    corrected = Report.objects.filter(revises=OuterRef("pk"))
    reports = (
        Report.objects.filter(target_id__in=target_ids)
        .annotate(corrected=Exists(corrected))
        .filter(Q(state=Report.State.SUBMITTED) | Q(state=Report.State.RETURNED, corrected=False))
        .select_related("author", "reviewer")
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
    if revises is not None:
        return reverse("resubmit_report", args=[revises.pk])
    return reverse("report_target", args=[target.code])


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


def user_departments(user):
    if permissions.is_admin(user):
        return Department.objects.all()
    return Department.objects.filter(members=user)


@never_cache
@vary_on_headers("HX-Request")
@staff_login_required
@require_GET
def workspace(request: HtmxHttpRequest) -> HttpResponse:
    user = request.user
    if not permissions.can_submit(user):
        if permissions.can_review(user):
            return redirect("review_queue")
        raise PermissionDenied(_("您的账号尚未分配填报或审核角色,请联系管理员。"))
    plan = staff_plan()
    filters = WorkspaceFilterForm(request.GET or None, departments=user_departments(user))
    rows: list[Row] = []
    total = 0
    summary = None
    day = evaluation.today()
    if plan is not None:
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
    context = {"plan": plan, "rows": rows, "total": total, "filters": filters, "summary": summary, "day": day}
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
    day = evaluation.today()
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
    except services.WorkflowError as error:
        return render_row(
            request, build_row(target, form, revises, message=str(error), level="error"), status=409
        )
    done = _("已提交 %(code)s 的进度(%(value)s,截至 %(day)s),等待审核。") % {
        "code": target.code,
        "value": in_target_scale(report.value, target),
        "day": report.as_of.isoformat(),
    }
    if request.htmx:
        return render_row(request, build_row(target, new_form(target), None, message=done, level="success"))
    messages.success(request, done)
    return redirect(reverse("workspace") + f"#target-{target.pk}")


@never_cache
@vary_on_headers("HX-Request")
@staff_login_required
@require_http_methods(["GET", "POST"])
def report_target(request: HtmxHttpRequest, code: str) -> HttpResponse:
    target = permissions.get_target_for_submit(request.user, staff_plan(), code)
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
        return redirect(reverse("workspace") + f"#target-{target.pk}")
    return handle_report(request, target, returned)


# --- review queue ------------------------------------------------------------------------


@dataclass
class QueueItem:
    report: Report
    current: dict | None  # the target's latest approved report: {"value", "as_of", ...}
    own: bool
    message: str = ""
    level: str = ""
    reason_error: str = ""
    reason: str = ""


def queue_items(user, reports: list[Report]) -> list[QueueItem]:
    """Each report with its target's current approved value: one query per plan involved."""
    plans = {report.target.plan_id: report.target.plan for report in reports}
    today = timezone.localdate()
    current: dict[int, dict] = {}
    for plan in plans.values():
        current.update(latest_approved(plan, today))
    return [
        QueueItem(report, current.get(report.target_id), report.author_id == user.pk) for report in reports
    ]


def pending_reports():
    return (
        Report.objects.pending()
        .select_related("target__plan", "target__lead_department", "author", "revises__reviewer")
        .prefetch_related("evidence")
        .order_by("created_at", "id")
    )


@never_cache
@vary_on_headers("HX-Request")
@staff_login_required
@require_GET
def review_queue(request: HtmxHttpRequest) -> HttpResponse:
    permissions.require_reviewer(request.user)
    return render_queue(request)


def render_queue(request, summary: list[tuple[str, str]] = ()) -> HttpResponse:
    pending = pending_reports()
    reports = list(pending[:QUEUE_LIMIT])
    context = {
        "items": queue_items(request.user, reports),
        "total": pending.count() if len(reports) == QUEUE_LIMIT else len(reports),
        "limit": QUEUE_LIMIT,
        "summary": summary,
    }
    template = "staff/review_queue.html"
    if request.htmx:
        template += "#review-queue"
    return render(request, template, context)


def render_item(request, item: QueueItem, *, status: int = 200) -> HttpResponse:
    """The report's row, and the queue's count (with the bulk form) swapped out of band."""
    response = render(request, "staff/review_queue.html#queue-item", {"item": item}, status=status)
    count = {"total": pending_reports().count(), "limit": QUEUE_LIMIT, "oob": True}
    response.content += render_to_string("staff/review_queue.html#queue-count", count, request).encode()
    return response


def fresh_item(request, report: Report, **message) -> QueueItem:
    """The report as it stands now (approved, returned, or still pending), for its row."""
    report = (
        Report.objects.select_related(
            "target__plan", "target__lead_department", "author", "reviewer", "revises__reviewer"
        )
        .prefetch_related("evidence")
        .get(pk=report.pk)
    )
    item = queue_items(request.user, [report])[0]
    for key, value in message.items():
        setattr(item, key, value)
    return item


def review_response(request, report: Report, message: str, level: str, status: int) -> HttpResponse:
    if request.htmx:
        return render_item(request, fresh_item(request, report, message=message, level=level), status=status)
    (messages.success if level == "success" else messages.error)(request, message)
    return redirect("review_queue")


@never_cache
@staff_login_required
@require_POST
def approve_report(request: HtmxHttpRequest, report_id: int) -> HttpResponse:
    report = permissions.get_report_for_review(request.user, report_id)
    try:
        services.approve_report(report=report, reviewer=request.user)
    except services.WorkflowError as error:
        return review_response(request, report, str(error), "error", 409)
    message = _("已通过 %(code)s 的报告,数据已公开。") % {"code": report.target.code}
    return review_response(request, report, message, "success", 200)


@never_cache
@staff_login_required
@require_POST
def return_report(request: HtmxHttpRequest, report_id: int) -> HttpResponse:
    report = permissions.get_report_for_review(request.user, report_id)
    reason = request.POST.get("reason", "").strip()
    error = ""
    if not reason:
        error = _("退回时请写明理由,以便填报人更正。")
    elif len(reason) > REASON_MAX:
        error = _("退回理由最多 %(n)s 字。") % {"n": REASON_MAX}
    elif has_control_chars(reason):
        error = _("内容中含有不可见的控制字符,请删除后重新提交(从其他文档粘贴时常会带入)。")
    if error:
        if request.htmx:
            item = fresh_item(request, report, reason_error=error, reason=reason[:REASON_MAX])
            return render_item(request, item, status=422)
        messages.error(request, f"{report.target.code}:{error}")
        return redirect("review_queue")
    try:
        services.return_report(report=report, reviewer=request.user, reason=reason)
    except services.WorkflowError as workflow_error:
        return review_response(request, report, str(workflow_error), "error", 409)
    message = _("已退回 %(code)s 的报告,填报人将看到退回理由。") % {"code": report.target.code}
    return review_response(request, report, message, "success", 200)


@never_cache
@staff_login_required
@require_POST
def bulk_approve(request: HtmxHttpRequest) -> HttpResponse:
    permissions.require_reviewer(request.user)
    ids = []
    for raw in request.POST.getlist("report")[:BULK_LIMIT]:
        if (pk := parse_id(raw)) is not None:
            ids.append(pk)
    summary: list[tuple[str, str]] = []
    if not ids:
        summary.append(("error", _("请先勾选要通过的报告。")))
    else:
        found = {r.pk: r for r in Report.objects.filter(pk__in=ids).select_related("target")}
        approved, skipped = 0, []
        for pk in dict.fromkeys(ids):
            report = found.get(pk)
            if report is None:
                skipped.append(_("#%(id)s:没有这份报告") % {"id": pk})
                continue
            try:
                services.approve_report(report=report, reviewer=request.user)
            except services.WorkflowError as error:
                skipped.append(f"{report.target.code} #{pk}:{error}")
            else:
                approved += 1
        if approved:
            summary.append(
                (
                    "success",
                    ngettext("已通过 %(n)s 份报告,数据已公开。", "已通过 %(n)s 份报告,数据已公开。", approved)
                    % {"n": approved},
                )
            )
        if skipped:
            summary.append(
                (
                    "warning",
                    ngettext("跳过 %(n)s 份:", "跳过 %(n)s 份:", len(skipped)) % {"n": len(skipped)}
                    + pgettext("list separator", ";").join(skipped),
                )
            )
    if request.htmx:
        return render_queue(request, summary)
    for level, text in summary:
        getattr(messages, level)(request, text)
    return redirect("review_queue")


# --- evidence ----------------------------------------------------------------------------


@never_cache
@staff_login_required
@require_GET
def evidence_file(request, evidence_id: int) -> FileResponse:
    item = permissions.get_evidence_for_user(request.user, evidence_id)
    return serve_evidence(item, cache_control="private, no-store")
