from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from goals.models import Action, Measure, Plan, Target, TargetGroup


def home(request: HttpRequest) -> HttpResponse:
    plan = Plan.objects.order_by("-year").first()
    targets = Prefetch("targets", queryset=Target.objects.order_by("order", "code"))
    groups = (
        TargetGroup.objects.filter(plan=plan, kind=TargetGroup.Kind.PROJECT)
        .prefetch_related(targets)
        .order_by("order")
    )
    actions = (
        Action.objects.filter(plan=plan)
        .prefetch_related(Prefetch("measures", queryset=Measure.objects.prefetch_related(targets)))
        .order_by("order")
    )
    return render(request, "goals/home.html", {"plan": plan, "projects": groups, "actions": actions})
