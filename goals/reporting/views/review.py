"""The review queue: reviewers approve or return what officials reported, one by one
(htmx swaps the item) or many at once. The rules are in goals.reporting.services."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from goals.accounts import permissions
from goals.accounts.staff import HtmxHttpRequest, StaffYear, staff_login_required, staff_year
from goals.models import Report
from goals.planning import states
from goals.reporting import services, signoff
from goals.reporting.forms import REASON_MAX, reason_problem
from goals.rules.text import parse_id
from goals.tracking.evaluation import latest_approved

QUEUE_LIMIT = 100
BULK_LIMIT = 200

# --- review queue ------------------------------------------------------------------------


@dataclass
class QueueItem:
    report: Report
    current: dict | None  # the target's latest approved report: {"value", "as_of", ...}
    own: bool  # the user may not approve it: they wrote it, or confirmed it as head
    message: str = ""
    level: str = ""
    reason_error: str = ""
    reason: str = ""
    holding: signoff.Holding | None = None  # who holds it now, since when
    user_id: int | None = None

    @property
    def confirmed(self) -> bool:
        """The user confirmed it as department head (and did not write it)."""
        return self.own and self.report.author_id != self.user_id


def queue_items(user, reports: list[Report]) -> list[QueueItem]:
    """Each report with its target's current approved value: one query per plan involved."""
    plans = {report.target.plan_id: report.target.plan for report in reports}
    today = timezone.localdate()
    current: dict[int, dict] = {}
    for plan in plans.values():
        current.update(latest_approved(plan, today))
    held = {h.report.pk: h for h in signoff.holdings(reports, today)}
    return [
        QueueItem(
            report,
            current.get(report.target_id),
            user.pk in (report.author_id, report.head_id),
            holding=held.get(report.pk),
            user_id=user.pk,
        )
        for report in reports
    ]


def pending_reports():
    return (
        Report.objects.pending()
        .select_related("target__plan", "target__lead_department", "author", "head", "revises__reviewer")
        .prefetch_related("evidence")
        .order_by("created_at", "id")
    )


def in_flight(year: StaffYear, day) -> list[signoff.Holding]:
    """Reports not yet with the reviewers: waiting for a department head, or returned and not
    yet corrected by their official; who holds each, and since when (longest held first)."""
    corrected = Report.objects.filter(revises=OuterRef("pk"))
    reports = (
        Report.objects.filter(target__plan__in=year.open_plans if year.plan is None else [year.plan])
        .annotate(corrected=Exists(corrected))
        .filter(Q(state=Report.State.CONFIRMING) | Q(state=Report.State.RETURNED, corrected=False))
        .select_related("target", "author", "head", "reviewer")
        .order_by("created_at", "id")[:QUEUE_LIMIT]
    )
    return sorted(signoff.holdings(list(reports), day), key=lambda h: h.since)


@never_cache
@vary_on_headers("HX-Request")
@staff_login_required
@require_GET
def review_queue(request: HtmxHttpRequest) -> HttpResponse:
    permissions.require_reviewer(request.user)
    return render_queue(request)


def queue_year(request) -> StaffYear:
    """Every open year's reports by default; one year's with `?year=`."""
    year = staff_year(request)
    if "year" not in request.GET:
        year = StaffYear(None, year.plans, all_years=True)
    return year


def render_queue(request, summary: list[tuple[str, str]] = ()) -> HttpResponse:
    year = queue_year(request)
    pending = pending_reports()
    if year.plan is not None:
        pending = pending.filter(target__plan=year.plan)
    reports = list(pending[:QUEUE_LIMIT])
    context = {
        "staff_year": year,
        "closing": closing_panel(request.user, year),
        "items": queue_items(request.user, reports),
        "total": pending.count() if len(reports) == QUEUE_LIMIT else len(reports),
        "limit": QUEUE_LIMIT,
        "summary": summary,
        # Outside the #review-queue fragment: the whole page only.
        "in_flight": [] if request.htmx else in_flight(year, timezone.localdate()),
    }
    template = "staff/review_queue.html"
    if request.htmx:
        template += "#review-queue"
    return render(request, template, context)


def closing_panel(user, year: StaffYear) -> list[dict]:
    """Open plans whose reporting is over (last deadline and grace past): the close button."""
    if not permissions.can_close_plan(user):
        return []
    today = timezone.localdate()
    panel = []
    for plan in year.plans:
        if plan.is_open and (year.plan is None or plan == year.plan):
            first = states.closable_from(plan)
            if today >= first:
                panel.append({"plan": plan, "from": first, "waiting": len(states.pending_codes(plan))})
    return panel


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
            "target__plan", "target__lead_department", "author", "reviewer", "head", "revises__reviewer"
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
    if error := reason_problem(reason):
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
