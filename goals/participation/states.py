"""What a followed item is, and how it stands: the targets it covers, each as its approved
figure, status and light (the same evaluation every public page reads)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language

from goals.models import Action, Department, Follow, Plan, Target, TargetGroup
from goals.rules.formatting import in_target_scale
from goals.tracking import evaluation
from goals.tracking.evaluation import PlanProgress, TargetProgress

Kind = Follow.Kind
URL_NAMES = {
    Kind.TARGET: "target",
    Kind.PROJECT: "project",
    Kind.ACTION: "action",
    Kind.DEPARTMENT: "department",
}


@dataclass(frozen=True)
class Item:
    kind: str
    code: str
    name: str
    plan: Plan

    @property
    def label(self) -> str:
        return self.name if self.kind == Kind.DEPARTMENT else f"{self.code} {self.name}"

    @property
    def path(self) -> str:
        return item_path(self.kind, self.code, self.plan.year)


def item_path(kind: str, code: str, year: int) -> str:
    """The item's public page under its year (/2024/targets/P4.1/, /en/2024/…), in the active language."""
    args = [int(code)] if kind == Kind.DEPARTMENT else [code]
    path = reverse(URL_NAMES[kind], args=args)
    prefix = "/en" if get_language() == "en" and path.startswith("/en/") else ""
    return f"{prefix}/{year}{path[len(prefix) :]}"


def find(plan: Plan, kind: str, code: str) -> Item | None:
    """The item of `plan` that a kind and code name, or None."""
    name = None
    if kind == Kind.TARGET:
        name = Target.objects.filter(plan=plan, code=code).values_list("name", flat=True).first()
    elif kind == Kind.PROJECT:
        found = TargetGroup.objects.filter(plan=plan, code=code, kind=TargetGroup.Kind.PROJECT)
        name = found.values_list("name", flat=True).first()
    elif kind == Kind.ACTION:
        name = Action.objects.filter(plan=plan, code=code).values_list("name", flat=True).first()
    elif kind == Kind.DEPARTMENT and code.isascii() and code.isdigit() and len(code) <= 18:
        name = Department.objects.filter(pk=int(code)).values_list("name", flat=True).first()
    return None if name is None else Item(kind, code, name, plan)


def progresses(result: PlanProgress, kind: str, code: str) -> list[TargetProgress]:
    """The evaluated targets an item covers (sub-targets included)."""
    if kind == Kind.TARGET:
        return [
            tp
            for tp in result.targets.values()
            if tp.target.code == code or (tp.target.parent_id and _parent_code(result, tp) == code)
        ]
    if kind == Kind.DEPARTMENT:
        return [tp for tp in result.targets.values() if str(tp.target.lead_department_id) == code]
    rollups = result.projects if kind == Kind.PROJECT else result.actions
    rollup = next((r for r in rollups if r.code == code), None)
    if rollup is None:
        return []
    tops = [*rollup.targets, *(tp for part in rollup.parts for tp in part.targets)]
    return [item for tp in tops for item in (tp, *tp.children)]


def _parent_code(result: PlanProgress, tp: TargetProgress) -> str | None:
    parent = result.targets.get(tp.target.parent_id)
    return parent.target.code if parent else None


def states(result: PlanProgress, kind: str, code: str) -> dict[str, list[str]]:
    """{target code: [figure, status, light]}: what a follower is told about and compared with."""
    return {
        tp.target.code: [in_target_scale(tp.value, tp.target), str(tp.status), str(tp.light)]
        for tp in progresses(result, kind, code)
    }


def evaluate_item(plan: Plan, kind: str, code: str, day: datetime.date) -> PlanProgress:
    """Only what the item covers (a cheap evaluation, for a confirmation in a request)."""
    if kind == Kind.PROJECT:
        return evaluation.evaluate_plan(plan, day, scope=evaluation.project_scope(code))
    if kind == Kind.ACTION:
        return evaluation.evaluate_plan(plan, day, scope=evaluation.action_scope(code))
    if kind == Kind.DEPARTMENT:
        return evaluation.evaluate_plan(plan, day, targets=Q(lead_department_id=int(code)))
    return evaluation.evaluate_plan(plan, day, targets=Q(code=code) | Q(parent__code=code))


def day_for(plan: Plan, day: datetime.date) -> datetime.date:
    """A plan is evaluated from its first day on (as the public pages do)."""
    return max(day, datetime.date(plan.year, 1, 1))
