"""The department league table (督查通报), public and for staff, as of any day."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from goals.accounts import permissions
from goals.accounts.staff import staff_login_required, staff_year
from goals.league import standings as league
from goals.models import Department
from goals.planning import publication
from goals.public.caching import public_page
from goals.public.rendering import page_plan, render_page
from goals.tracking import evaluation, schedule


def _context(request: HttpRequest, plan, day, states) -> dict:
    result = evaluation.evaluate_plan(plan, day)
    facts = schedule.reporting_facts(result, day, states)
    questions = league.question_tallies(plan, day)
    rows = league.build(result, facts, Department.objects.order_by("order", "name"), questions)
    sort = request.GET.get("sort", "")
    sort = sort if sort in league.SORTS else league.DEFAULT_SORT
    last = [f.last_period for f in facts.values() if f.last_period is not None]
    return {
        "plan": plan,
        "rows": league.ordered(rows, sort),
        "sort": sort,
        "sorts": league.SORTS,
        "last_period": max(last, key=lambda p: p.end, default=None),
        "rules": evaluation.light_rules(),
        "unassigned": questions.get(None),
    }


@public_page
def public_league(request: HttpRequest) -> HttpResponse:
    plan = page_plan()
    day = publication.day_for(request, plan)
    context = _context(request, plan, day.day, schedule.PUBLIC_STATES)
    return render_page(request, "goals/league.html", context, day)


@never_cache
@staff_login_required
@require_GET
def staff_league(request: HttpRequest) -> HttpResponse:
    """The same table for staff: reports waiting for review count as reported."""
    if not (permissions.can_submit(request.user) or permissions.can_review(request.user)):
        raise PermissionDenied(_("您的账号尚未分配填报或审核角色,请联系管理员。"))
    year = staff_year(request)
    plan = year.plan or page_plan()
    day = publication.day_for(request, plan)
    context = _context(request, plan, day.day, schedule.STAFF_STATES)
    context.update(day=day, staff_year=year)
    return render(request, "staff/league.html", context, status=400 if day.error else 200)
