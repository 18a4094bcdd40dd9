"""Next year's plan: copy a plan's structure as another year, and carry unfinished targets.

A carried target is the same commitment continued: it links to its predecessor
(Target.predecessor), and the public target page shows the chain across years. Only like
for like is linked: a target of the new plan with the same code (the plan workbook keeps
codes), or a copy made here in the group of the same code. Ceilings (不发生…) are never
carried: held or breached is final for the year. Targets that were done are carried only
when asked (`include_done`).

The new year is a **draft** (goals.planning.states): its title stays last year's and its
theme, adoption date and source are blank, so that publishing is refused until they are
the new year's own. A copied target that was not finished proposes what is left to do
(target 1.1 万, 1.05 万 reached: 0.05 万) as `proposed_value`, for an admin to accept or
change before publishing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from goals.models import Plan, Target, TargetGroup
from goals.operations import statistics
from goals.rules.progress import Status
from goals.tracking import evaluation

FINISHED = {Status.DONE, Status.HELD, Status.BREACHED}


def copy_structure(source: Plan, year: int) -> Plan:
    """A new plan of `year` with `source`'s plan, pillars, actions, measures and projects, but
    no targets (carry the unfinished ones, or add new ones), through the plan workbook."""
    from goals.workbooks import plan as plan_workbook
    from goals.workbooks import plan_import  # openpyxl: only when copying

    plan = plan_import.import_plan(plan_workbook.export(source, structure_only=True), year=year).plan
    plan.status = Plan.Status.DRAFT
    plan.theme, plan.source, plan.adopted_on = "", "", None  # the new year's own, before publishing
    plan.save(update_fields=["status", "theme", "source", "adopted_on"])
    return plan


@dataclass
class Carried:
    linked: list[Target] = field(default_factory=list)  # existed in the new plan, now linked
    created: list[Target] = field(default_factory=list)  # copied into the new plan
    skipped: list[tuple[Target, str]] = field(default_factory=list)


REMAINDER_KINDS = {Target.Kind.AT_LEAST, Target.Kind.ABOUT, Target.Kind.RANGE}


def year_end(source: Plan) -> evaluation.PlanProgress:
    """How `source` ended: its stored final record once closed, else as of 31 December."""
    day = source.closed_as_of if source.is_closed else datetime.date(source.year, 12, 31)
    return evaluation.evaluate_plan(source, day)


def remainder(tp: evaluation.TargetProgress) -> Decimal | None:
    """What is left of a cumulative target at its scale (1.1 万 − 1.05 万 reached = 0.05), or
    None when nothing is to propose (not a count, nothing reported, or nothing left)."""
    target = tp.target
    if target.kind not in REMAINDER_KINDS or tp.value is None or target.target_value is None:
        return None
    left = target.target_value - Decimal(tp.value) / target.scale
    return left.quantize(Decimal("0.0001")) if left > 0 else None


def unfinished(source: Plan, *, include_done: bool = False) -> list[evaluation.TargetProgress]:
    """Top-level targets of `source` not done at its year's end (ceilings excluded; done
    ones too unless `include_done`), as evaluated."""
    return [
        tp
        for tp in year_end(source).top_level()
        if (include_done or tp.status not in FINISHED) and tp.target.kind != Target.Kind.AT_MOST
    ]


def carry(source: Plan, into: Plan, *, include_done: bool = False) -> Carried:
    """Link (or copy) each unfinished target of `source` into `into`, in one transaction;
    a copy proposes the remainder as its new target value."""
    if source.year >= into.year:
        raise ValueError("a plan carries into a later year")
    done = Carried()
    groups = {g.code: g for g in TargetGroup.objects.filter(plan=into)}
    existing = {t.code: t for t in Target.objects.filter(plan=into)}
    with transaction.atomic():
        for tp in unfinished(source, include_done=include_done):
            target = tp.target
            found = existing.get(target.code)
            if found is not None:
                if found.predecessor_id not in (None, target.pk):
                    done.skipped.append((target, f"{into.year}:{found.code} 已链接其他上年目标"))
                    continue
                if found.predecessor_id is None:
                    found.predecessor = target
                    found.save(update_fields=["predecessor"])
                    done.linked.append(found)
                continue
            group = groups.get(target.group.code)
            if group is None:
                done.skipped.append(
                    (target, f"{into.year} 年计划中没有编号为 {target.group.code} 的项目或举措")
                )
                continue
            co = list(target.co_departments.all())
            copy = Target.objects.get(pk=target.pk)
            copy.pk = copy.id = None
            copy._state.adding = True
            copy.plan, copy.group, copy.parent, copy.predecessor, copy.revision = into, group, None, target, 0
            copy.proposed_value = remainder(tp)
            if copy.due_date:
                try:
                    copy.due_date = copy.due_date.replace(year=copy.due_date.year + into.year - source.year)
                except ValueError:
                    copy.due_date = copy.due_date.replace(year=into.year, day=28)
            copy.full_clean()
            copy.save()
            copy.co_departments.set(co)
            done.created.append(copy)
        statistics.refresh()
    return done


def history(target: Target) -> list[Target]:
    """The target across years, oldest first: its predecessors, itself, its successors."""
    chain = [target]
    seen = {target.pk}
    current = target
    while current.predecessor_id and current.predecessor_id not in seen:
        current = Target.objects.select_related("plan", "predecessor").get(pk=current.predecessor_id)
        chain.insert(0, current)
        seen.add(current.pk)
    current = target
    while True:
        following = (
            Target.objects.filter(predecessor=current).exclude(pk__in=seen).select_related("plan").first()
        )
        if following is None:
            break
        chain.append(following)
        seen.add(following.pk)
        current = following
    return chain
