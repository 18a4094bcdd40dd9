"""The briefing (督查通报): for staff as .xlsx or PDF as of any day; for the public a
printable monthly page (公示) without internal notes."""

from __future__ import annotations

import datetime
from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from goals.accounts import permissions
from goals.accounts.staff import staff_login_required, staff_year
from goals.briefings import build as briefings
from goals.briefings import docx as briefing_docx
from goals.models import Plan
from goals.planning import publication
from goals.public.caching import public_page
from goals.public.rendering import page_plan, render_page

TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": briefing_docx.DOCX,
}


def month_end(plan, day: datetime.date) -> datetime.date:
    """The public version is monthly: the end of the last whole month up to `day` (`day`
    itself in January, and on and after the year's last day: once the year is over the
    briefing shows the plan's final state, as the pages do on that day)."""
    year_end = datetime.date(plan.year, 12, 31)
    if day >= year_end:
        return day
    end = day.replace(day=1) - datetime.timedelta(days=1)
    return end if end.year == plan.year else day


def download(briefing: briefings.Briefing, kind: str) -> HttpResponse:
    makers = {"pdf": briefings.to_pdf, "xlsx": briefings.to_xlsx, "docx": briefing_docx.to_docx}
    data = makers[kind](briefing)
    response = HttpResponse(data, content_type=TYPES[kind])
    name = briefings.filename(briefing, kind)
    response["Content-Disposition"] = (
        f"attachment; filename=\"briefing.{kind}\"; filename*=UTF-8''{quote(name)}"
    )
    return response


def _plan_of_day(raw: str, user):
    """Staff may brief on any real year: the plan the as-of day is about (as the briefing
    command picks it: goals.planning.publication.plan_for_day), a draft only for those who
    may see drafts."""
    try:
        day = parse_date(raw.strip())
    except ValueError:
        day = None
    if day is None:
        return None
    plans = Plan.objects.all() if permissions.can_see_drafts(user) else Plan.objects.public()
    return publication.plan_for_day(day, plans)


@never_cache
@staff_login_required
@require_GET
def staff_briefing(request: HttpRequest) -> HttpResponse:
    if not (permissions.can_submit(request.user) or permissions.can_review(request.user)):
        raise PermissionDenied(_("您的账号尚未分配填报或审核角色,请联系管理员。"))
    year = staff_year(request)
    plan = _plan_of_day(request.GET.get("as_of", ""), request.user) or year.plan or page_plan()
    day = publication.day_for(request, plan)
    kind = request.GET.get("format", "")
    if kind in TYPES and not day.error:
        return download(briefings.build(plan, day.day), kind)
    briefing = briefings.build(plan, day.day)
    year.plan = plan
    context = {"plan": plan, "briefing": briefing, "day": day, "staff_year": year}
    return render(request, "staff/briefing.html", context, status=400 if day.error else 200)


@public_page
def public_briefing(request: HttpRequest) -> HttpResponse:
    plan = page_plan()
    day = publication.day_for(request, plan)
    if not day.requested and not day.error:
        # The monthly version: the page states that one day, as of which it judges.
        day = publication.Day(month_end(plan, day.day), day.first, day.last)
    briefing = briefings.build(plan, day.day, public=True)
    return render_page(request, "goals/briefing.html", {"plan": plan, "briefing": briefing}, day)
