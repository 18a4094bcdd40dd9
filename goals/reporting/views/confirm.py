"""The department head's queue (待我确认): when a plan asks for the sign-off chain, the head
confirms the reports on their departments' targets (they go on to review) or returns them to
the official with a reason. One report at a time, htmx swapping its item; the rules are in
goals.reporting.services, who may touch which report in goals.accounts.permissions."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from goals.accounts import permissions
from goals.accounts.staff import HtmxHttpRequest, StaffYear, staff_login_required, staff_year
from goals.models import Report
from goals.reporting import services, signoff
from goals.reporting.forms import REASON_MAX, reason_problem
from goals.tracking.evaluation import latest_approved

QUEUE_LIMIT = 100


@dataclass
class Item:
    report: Report
    current: dict | None  # the target's latest approved report
    own: bool  # the head wrote it: someone else must confirm it
    holding: signoff.Holding | None = None
    message: str = ""
    level: str = ""
    reason_error: str = ""
    reason: str = ""


RELATED = ("target__plan", "target__lead_department", "author", "head", "reviewer", "revises__reviewer")


def items_for(user, reports: list[Report]) -> list[Item]:
    """Each report with its target's current value (one query per plan) and who holds it."""
    today = timezone.localdate()
    current: dict[int, dict] = {}
    for plan in {report.target.plan_id: report.target.plan for report in reports}.values():
        current.update(latest_approved(plan, today))
    held = {h.report.pk: h for h in signoff.holdings(reports, today)}
    return [
        Item(report, current.get(report.target_id), report.author_id == user.pk, held.get(report.pk))
        for report in reports
    ]


def queue_year(request) -> StaffYear:
    """Every open year's reports by default; one year's with `?year=`."""
    year = staff_year(request)
    if "year" not in request.GET:
        year = StaffYear(None, year.plans, all_years=True)
    return year


@never_cache
@vary_on_headers("HX-Request")
@staff_login_required
@require_GET
def confirm_queue(request: HtmxHttpRequest) -> HttpResponse:
    permissions.require_head(request.user)
    year = queue_year(request)
    waiting = (
        Report.objects.awaiting_head()
        .filter(target__in=permissions.confirmable_targets(request.user))
        .select_related(*RELATED)
        .prefetch_related("evidence")
        .order_by("created_at", "id")
    )
    if year.plan is not None:
        waiting = waiting.filter(target__plan=year.plan)
    reports = list(waiting[:QUEUE_LIMIT])
    context = {
        "staff_year": year,
        "items": items_for(request.user, reports),
        "total": waiting.count() if len(reports) == QUEUE_LIMIT else len(reports),
        "limit": QUEUE_LIMIT,
    }
    template = "staff/confirm_queue.html"
    if request.htmx:
        template += "#confirm-queue"
    return render(request, template, context)


def respond(request, report: Report, message: str, level: str, status: int, **extra) -> HttpResponse:
    """The report's item as it stands now (htmx), or back to the queue with the message."""
    if request.htmx:
        fresh = Report.objects.select_related(*RELATED).prefetch_related("evidence").get(pk=report.pk)
        item = items_for(request.user, [fresh])[0]
        item.message, item.level = message, level
        for key, value in extra.items():
            setattr(item, key, value)
        return render(request, "staff/confirm_queue.html#confirm-item", {"item": item}, status=status)
    (messages.success if level == "success" else messages.error)(request, message)
    return redirect("confirm_queue")


@never_cache
@staff_login_required
@require_POST
def confirm_report(request: HtmxHttpRequest, report_id: int) -> HttpResponse:
    report = permissions.get_report_for_confirm(request.user, report_id)
    try:
        services.confirm_report(report=report, head=request.user)
    except services.WorkflowError as error:
        return respond(request, report, str(error), "error", 409)
    message = _("已确认 %(code)s 的报告,已转审核人员审核(审核通过后才公开)。") % {"code": report.target.code}
    return respond(request, report, message, "success", 200)


@never_cache
@staff_login_required
@require_POST
def return_report(request: HtmxHttpRequest, report_id: int) -> HttpResponse:
    report = permissions.get_report_for_confirm(request.user, report_id)
    reason = request.POST.get("reason", "").strip()
    if error := reason_problem(reason):
        if request.htmx:
            return respond(request, report, "", "", 422, reason_error=error, reason=reason[:REASON_MAX])
        messages.error(request, f"{report.target.code}:{error}")
        return redirect("confirm_queue")
    try:
        services.return_by_head(report=report, head=request.user, reason=reason)
    except services.WorkflowError as workflow_error:
        return respond(request, report, str(workflow_error), "error", 409)
    message = _("已退回 %(code)s 的报告,填报人将看到退回理由。") % {"code": report.target.code}
    return respond(request, report, message, "success", 200)
