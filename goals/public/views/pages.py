"""The public progress site: approved figures only, nothing per user, cacheable.

Every page shows the public plan (goals.planning.publication.public_plan) as it stood on a day:
today by default, or `?as_of=YYYY-MM-DD`. A date that cannot be read or lies outside the
plan gives the page at the default day with a notice, and status 400.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from goals.models import Department, Evidence, Question, Report, ReportedFigure, Target
from goals.planning import carryover, publication
from goals.public import charts
from goals.public.caching import public_page, wants_fragment
from goals.public.forms import TargetFilterForm
from goals.public.rendering import HtmxHttpRequest, page_plan, render_page
from goals.rules import cadence
from goals.rules.progress import rounded, weighted_average
from goals.tracking import evaluation, listing, readings, scopes
from goals.tracking.evaluation import TargetProgress, evaluate_plan, evaluate_target, rules_from_settings

LATEST_REPORTS = 8
PAGE_SIZE = 50


def _years(target: Target, current: TargetProgress, day: publication.Day) -> list[dict]:
    """The target across years (carried targets): each year judged as its own page judges
    it for the same requested day (goals.planning.publication.evaluation_day: a year over
    reads its final status, a year not begun is seen on its first day).

    Only real plans: a synthetic year never shows. A few queries, only for linked targets."""
    rows = []
    rules = rules_from_settings()
    for item in carryover.history(target):
        if item.plan.year >= publication.SYNTHETIC_YEARS_FROM:
            continue
        at, progress = day.day, current
        if item.pk != target.pk:
            at = publication.evaluation_day(item.plan, day.day if day.requested else None)
            reports = list(Report.objects.approved().filter(target=item, as_of__lte=at))
            progress = evaluate_target(item, readings.standing(item, reports), at, rules)
            if item.plan.is_closed:  # a closed year: its stored verdict
                evaluation.apply_final_records(item.plan, at, {item.pk: progress})
        rows.append(
            {
                "target": item,
                "value": progress.value,
                "as_of": progress.as_of,
                "status": progress.status,
                "light": progress.light,
                "day": at,
                # The same day on the other year's page (it shows its default day otherwise).
                "query": f"?as_of={at.isoformat()}" if day.requested else "",
                "current": item.pk == target.pk,
            }
        )
    return rows


@public_page
def home(request: HtmxHttpRequest) -> HttpResponse:
    plan = publication.public_plan()
    if plan is None:
        return render(request, "goals/no_plan.html", status=404)
    day = publication.day_for(request, plan)
    result = evaluate_plan(plan, day.day)
    latest = list(
        Report.objects.approved()
        .filter(target__plan=plan, as_of__lte=day.day)
        .select_related("target")
        .order_by("-reviewed_at", "-id")[:LATEST_REPORTS]
    )
    figures = list(ReportedFigure.objects.filter(plan=plan).order_by("order", "code"))
    pairs = [(f, result.targets[f.continued_by_id]) for f in figures if f.continued_by_id in result.targets]
    context = {
        "plan": plan,
        "result": result,
        "overall": result.overall,
        "latest": latest,
        "pairs": pairs,
        "figures": figures,
        "latest_report_day": result.latest_report_day(),
        "with_percent": sum(1 for tp in result.top_level() if tp.percent is not None),
    }
    return render_page(request, "goals/home.html", context, day)


SCOPES = {
    "project": scopes.project_scope,
    "action": scopes.action_scope,
    "pillar": scopes.pillar_scope,
}


def _group_page(request: HtmxHttpRequest, kind: str, code: str) -> HttpResponse:
    plan = page_plan()
    day = publication.day_for(request, plan)
    # Only the groups this page shows: its cost follows the page, not the plan.
    result = evaluate_plan(plan, day.day, scope=SCOPES[kind](code))
    rollups = {"project": result.projects, "action": result.actions, "pillar": result.pillars}[kind]
    rollup = next((r for r in rollups if r.code == code), None)
    if rollup is None:
        raise Http404(_("没有这个编号。"))
    context = {"plan": plan, "result": result, "rollup": rollup, "kind": kind}
    return render_page(request, f"goals/{kind}.html", context, day)


@public_page
def project(request: HtmxHttpRequest, code: str) -> HttpResponse:
    return _group_page(request, "project", code)


@public_page
def action(request: HtmxHttpRequest, code: str) -> HttpResponse:
    return _group_page(request, "action", code)


@public_page
def pillar(request: HtmxHttpRequest, code: str) -> HttpResponse:
    return _group_page(request, "pillar", code)


@public_page
def targets(request: HtmxHttpRequest) -> HttpResponse:
    if not request.htmx and any(
        request.GET.get(name) == "" for name in [*TargetFilterForm.base_fields, "page"]
    ):
        # The plain form (without JavaScript) sends every field: drop the empty ones.
        used = [(name, value) for name, value in request.GET.items() if value != ""]
        return redirect(f"{request.path}?{urlencode(used)}" if used else request.path)
    plan = page_plan()
    day = publication.day_for(request, plan)
    result = evaluate_plan(plan, day.day)
    departments = list(Department.objects.order_by("order", "name"))
    form = TargetFilterForm(request.GET, groups=listing.choices(result), departments=departments)
    rows = form.filter(listing.rows(result))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    keep = [(name, request.GET[name]) for name in form.fields if request.GET.get(name)]
    context = {
        "plan": plan,
        "form": form,
        "page": page,
        "total": len(rows),
        "keep_params": keep,
        "oob": wants_fragment(request),
    }
    response = render_page(request, "goals/targets.html", context, day, fragment="results")
    if form.errors and response.status_code == 200:
        response.status_code = 400
    return response


def _history(target: Target, day) -> list[Report]:
    """Approved reports of a target and its sub-targets dated on or before `day` (newest
    first): each one's reading is goals.tracking.readings.standing of them."""
    return list(
        Report.objects.approved()
        .filter(as_of__lte=day)
        .filter(target__in=[target.id, *target.child_ids])
        .order_by("-as_of", "-created_at", "-id")
    )


@public_page
def target(request: HtmxHttpRequest, code: str) -> HttpResponse:
    plan = page_plan()
    day = publication.day_for(request, plan)
    target = get_object_or_404(
        Target.objects.select_related(
            "group__measure__action",
            "group__measure__pillar",
            "lead_department",
            "leader",
            "parent",
            "predecessor__plan",
        ).annotate(has_successor=Exists(Target.objects.filter(predecessor=OuterRef("pk")))),
        plan=plan,
        code=code,
    )
    target.plan = plan
    children = list(target.children.select_related("lead_department").order_by("order", "code"))
    target.child_ids = [c.id for c in children]
    co_departments = list(target.co_departments.order_by("order", "name"))
    reports = _history(target, day.day)
    evidence: dict[int, list[Evidence]] = {}
    shown = Evidence.objects.filter(
        report__target=target, report__state=Report.State.APPROVED, report__as_of__lte=day.day
    )
    for item in shown.order_by("id"):
        evidence.setdefault(item.report_id, []).append(item)
    own = [r for r in reports if r.target_id == target.id]
    for report in own:
        report.files = evidence.get(report.id, [])
    rules = evaluation.rules_from_settings()
    progress = evaluate_target(target, readings.standing(target, reports), day.day, rules)
    for child in children:
        child.plan = plan
        child.group = target.group
        progress.children.append(evaluate_target(child, readings.standing(child, reports), day.day, rules))
    if plan.is_closed:  # a closed year: the stored verdicts
        evaluation.apply_final_records(
            plan, day.day, {tp.target.id: tp for tp in [progress, *progress.children]}
        )
    winners: dict = {}
    for report in sorted(own, key=lambda r: (r.as_of, r.created_at, r.id)):
        winners[report.as_of] = report.value
    chart = charts.build(target, list(winners.items()), day.day)
    submissions = [(r.as_of, timezone.localtime(r.created_at).date()) for r in own]
    schedule = cadence.history(list(progress.periods), submissions, day.day)
    figures = list(
        ReportedFigure.objects.filter(Q(continued_by=target) | Q(related_to=target)).order_by("year", "order")
    )
    earlier = [f for f in figures if f.continued_by_id == target.pk]
    related = [f for f in figures if f.continued_by_id != target.pk]
    context = {
        "plan": plan,
        "target": target,
        "tp": progress,
        "owner": _owner_of(target),
        "co_departments": co_departments,
        "reports": own,
        "current_id": progress.report_id,
        "chart": chart,
        "earlier": earlier,
        "related": related,
        "years": _years(target, progress, day) if target.predecessor_id or target.has_successor else [],
        "schedule": list(reversed(schedule)),
        "questions": _questions(target, day.day),
        "answer_days": settings.QUESTION_ANSWER_DAYS,
    }
    return render_page(request, "goals/target.html", context, day)


def _questions(target: Target, day) -> list[Question]:
    """Residents' questions (goals.participation) confirmed by `day`, answered if they were by then."""
    found = list(
        Question.objects.public()
        .filter(target=target, confirmed_at__date__lte=day)
        .select_related("department")
        .order_by("confirmed_at", "id")
    )
    for question in found:
        question.shown_answered = question.answered_on is not None and question.answered_on <= day
        # The text shown is the answer as it is now: a correction is said, whatever the day.
        question.shown_revised = question.answer_revised_at is not None
    return found


def _owner_of(target: Target) -> listing.Owner:
    group = target.group
    measure = getattr(group, "measure", None) if group.kind == group.Kind.MEASURE else None
    if measure is None:
        return listing.Owner("project", group.code, group.name)
    parent = measure.action or measure.pillar
    kind = "action" if measure.action_id else "pillar"
    return listing.Owner(kind, parent.code, parent.name, group.code, group.name)


def _led_by_department(result) -> dict[int, list[TargetProgress]]:
    led: dict[int, list[TargetProgress]] = {}
    for tp in result.targets.values():
        if tp.target.lead_department_id:
            led.setdefault(tp.target.lead_department_id, []).append(tp)
    return led


def _tally(items: list[TargetProgress]) -> dict:
    counts = Counter(tp.status for tp in items)
    lights = Counter(tp.light for tp in items)
    return {"counts": counts, "lights": lights, "stale": sum(tp.stale for tp in items), "total": len(items)}


@public_page
def departments(request: HtmxHttpRequest) -> HttpResponse:
    plan = page_plan()
    day = publication.day_for(request, plan)
    result = evaluate_plan(plan, day.day)
    led = _led_by_department(result)
    units = list(Department.objects.order_by("order", "name"))
    table = [(unit, _tally(led.get(unit.id, []))) for unit in units]
    unassigned = [tp for tp in result.targets.values() if not tp.target.lead_department_id]
    context = {"plan": plan, "table": table, "unassigned": len(unassigned)}
    return render_page(request, "goals/departments.html", context, day)


@public_page
def department(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    plan = page_plan()
    day = publication.day_for(request, plan)
    unit = get_object_or_404(Department, pk=pk)
    co_rows = Target.co_departments.through.objects.filter(department=unit, target__plan=plan)
    co_ids = set(co_rows.values_list("target_id", flat=True))
    # Only the targets this unit leads or co-leads, and the groups they sit in.
    mine = Q(lead_department=unit) | Q(pk__in=co_rows.values("target_id"))
    groups = Q(pk__in=Target.objects.filter(mine, plan=plan).values("group_id"))
    result = evaluate_plan(plan, day.day, scope=groups, targets=mine)
    owners = listing.owners(result)
    led = [
        listing.Row(tp, owners[tp.target.group_id])
        for tp in result.targets.values()
        if tp.target.lead_department_id == unit.id
    ]
    co = [
        listing.Row(tp, owners[tp.target.group_id])
        for tp in result.targets.values()
        if tp.target.id in co_ids
    ]
    context = {
        "plan": plan,
        "unit": unit,
        "led": led,
        "co": co,
        "tally": _tally([r.progress for r in led]),
        "percent": _mean_percent([r.progress for r in led]),
    }
    return render_page(request, "goals/department.html", context, day)


def _mean_percent(items: list[TargetProgress]) -> Decimal | None:
    return rounded(
        weighted_average((tp.target.weight, tp.percent) for tp in items if not tp.target.parent_id)
    )
