"""The workspace of a leader in charge (分管领导): the targets they are responsible for, with
each target's light, progress, lead and co-units and contact person (staff only)."""

from __future__ import annotations

from collections import Counter

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from goals.accounts.staff import HtmxHttpRequest, staff_login_required, staff_plan
from goals.models import Leader, Target
from goals.tracking import evaluation
from goals.tracking.evaluation import evaluate_plan


@never_cache
@staff_login_required
@require_GET
def leader_workspace(request: HtmxHttpRequest) -> HttpResponse:
    leader = Leader.objects.filter(user=request.user).first()
    if leader is None:
        raise PermissionDenied(_("您的账号没有关联分管领导,请联系管理员。"))
    plan = staff_plan()
    rows, lights = [], Counter()
    day = evaluation.today()
    if plan is not None:
        targets = (
            Target.objects.for_plan(plan)
            .led_by(request.user)
            .select_related("lead_department")
            .prefetch_related("co_departments")
            .order_by("code")
        )
        result = evaluate_plan(plan, day)
        for target in targets:
            tp = result.targets.get(target.pk)
            if tp is None:
                continue
            rows.append({"target": target, "tp": tp, "co": list(target.co_departments.all())})
            if target.parent_id is None:
                lights[tp.light] += 1
    context = {"leader": leader, "plan": plan, "rows": rows, "lights": lights, "day": day}
    return render(request, "staff/leader.html", context)
