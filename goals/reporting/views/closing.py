"""Closing a year from the staff pages: a confirmation page, then a POST (CSRF) that stores
the final evaluation (goals.planning.states.close_plan). Reviewers and admins only."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from goals.accounts import permissions
from goals.accounts.staff import HtmxHttpRequest, staff_login_required
from goals.models import Plan
from goals.planning import states
from goals.tracking.evaluation import evaluate_plan


@never_cache
@staff_login_required
@require_http_methods(["GET", "POST"])
def close_plan(request: HtmxHttpRequest, year: int) -> HttpResponse:
    if not permissions.can_close_plan(request.user):
        raise PermissionDenied(_("您没有为工作计划结项的权限。"))
    plan = Plan.objects.filter(year=year).first()
    if plan is None or plan.is_draft:
        raise Http404(_("没有该年度的已发布计划。"))
    today = timezone.localdate()
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            error = _("请勾选确认后再结项。")
        else:
            try:
                states.close_plan(plan, actor=request.user, as_of=today)
            except states.StateError as refusal:
                error = str(refusal)
            else:
                messages.success(
                    request,
                    _("%(year)s 年计划已结项:最终评估已按 %(day)s 的情况存档,公开页面此后以存档为准。")
                    % {"year": plan.year, "day": today.isoformat()},
                )
                return redirect(reverse("review_queue"))
        plan.refresh_from_db()
    problems = states.close_problems(plan, today)
    counts = None
    if not problems:
        result = evaluate_plan(plan, today)
        counts = sorted(Counter(tp.status.label for tp in result.top_level()).items())
    context = {
        "plan": plan,
        "today": today,
        "problems": problems,
        "error": error,
        "counts": counts,
        "closable_from": states.closable_from(plan) if plan.is_open else None,
        "last_deadline": states.last_deadline(plan),
    }
    return render(request, "staff/close_plan.html", context, status=409 if error else 200)
