"""Next year's plan: copy a plan's structure as another year, and carry unfinished targets.

A carried target is the same commitment continued: it links to its predecessor
(Target.predecessor), and the public target page shows the chain across years. Only like
for like is linked: a target of the new plan with the same code (the plan workbook keeps
codes), or a copy made here in the group of the same code. Ceilings (不发生…) are never
carried: held or breached is final for the year.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

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

    return plan_import.import_plan(plan_workbook.export(source, structure_only=True), year=year).plan


@dataclass
class Carried:
    linked: list[Target] = field(default_factory=list)  # existed in the new plan, now linked
    created: list[Target] = field(default_factory=list)  # copied into the new plan
    skipped: list[tuple[Target, str]] = field(default_factory=list)


def unfinished(source: Plan) -> list[Target]:
    """Top-level targets of `source` not done at its year's end (ceilings excluded)."""
    result = evaluation.evaluate_plan(source, datetime.date(source.year, 12, 31))
    return [
        tp.target
        for tp in result.top_level()
        if tp.status not in FINISHED and tp.target.kind != Target.Kind.AT_MOST
    ]


def carry(source: Plan, into: Plan) -> Carried:
    """Link (or copy) each unfinished target of `source` into `into`, in one transaction."""
    if source.year >= into.year:
        raise ValueError("a plan carries into a later year")
    done = Carried()
    groups = {g.code: g for g in TargetGroup.objects.filter(plan=into)}
    existing = {t.code: t for t in Target.objects.filter(plan=into)}
    with transaction.atomic():
        for target in unfinished(source):
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
