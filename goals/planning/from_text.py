"""A draft plan made from its published text (the admin's 从文本新建计划 and
`propose_plan PATH --year YEAR --create`), one way for both.

The proposal (goals.proposals) goes through the plan workbook that import_plan reads
(goals.planning.proposed → goals.workbooks.plan_import): the same codes (P1, P1.1, A1.1.1…),
the same checks as the admin, all or nothing. The plan is then a **draft** — nothing of it is
public until it is published (goals.planning.states) — keeps the whole text it came from
(Plan.source_text), and the change is audited: who, when, how many targets, and what the
admin rejected, edited or added against the proposal.

Between the admin's preview and its confirmation the proposal travels as plain rows
(`rows_of`): JSON-ready dicts, one per target, sub-targets naming their total's `ref`.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from goals.models import AuditEntry, Plan
from goals.planning import proposed as proposed_workbook
from goals.planning import publication
from goals.proposals.clauses import Proposal
from goals.proposals.parser import ProposedGroup, ProposedPlan
from goals.workbooks.plan_import import ImportFailed, Outcome, import_plan

# What an admin edits of a proposal in the preview's table (besides its group and wording).
EDITABLE = ("name", "wording", "kind", "comparator", "target_value", "target_upper", "unit", "scale")
LISTED = 30  # names listed per kind of change in the audit entry; the rest are counted


def decimal_text(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def groups_of(plan: ProposedPlan) -> list[dict]:
    return [{"name": group.name, "heading": group.heading} for group in plan.groups]


def rows_of(plan: ProposedPlan) -> list[dict]:
    """Every proposal as a JSON-ready row, in the text's order (a total before its parts)."""
    rows: list[dict] = []

    def walk(items: list[Proposal], group: int, parent: int | None) -> None:
        for item in items:
            ref = len(rows)
            rows.append(
                {
                    "ref": ref,
                    "group": group,
                    "parent": parent,
                    "name": item.name or item.wording,
                    "wording": item.wording,
                    "source_clause": item.source_clause,
                    "kind": str(item.kind),
                    "comparator": item.comparator,
                    "target_value": decimal_text(item.target_value),
                    "target_upper": decimal_text(item.target_upper),
                    "unit": item.unit,
                    "scale": item.scale,
                    "confidence": item.confidence,
                    "doubts": list(item.doubts),
                }
            )
            walk(item.sub_targets, group, ref)

    for index, group in enumerate(plan.groups):
        walk(group.targets, index, None)
    return rows


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def plan_of(groups: list[dict], rows: list[dict], *, year: int, title: str) -> ProposedPlan:
    """The proposed plan from (edited) rows: a row whose total was dropped stands on its own;
    a group left without targets is left out."""
    made = [ProposedGroup(g["name"], g["heading"]) for g in groups]
    items: dict[int, tuple[Proposal, int]] = {}
    for row in rows:
        wording = (row.get("wording") or "").strip() or row["name"]
        item = Proposal(
            name=row["name"],
            wording=wording,
            source_clause=row.get("source_clause") or "",
            kind=row["kind"],
            comparator=row.get("comparator") or "",
            target_value=_decimal(row.get("target_value")),
            target_upper=_decimal(row.get("target_upper")),
            unit=row.get("unit") or "",
            scale=int(row.get("scale") or 1),
        )
        parent = items.get(row["parent"]) if row.get("parent") is not None else None
        if parent is not None and parent[1] == row["group"]:
            parent[0].sub_targets.append(item)
        else:
            made[row["group"]].targets.append(item)
        if row.get("ref") is not None:
            items[row["ref"]] = (item, row["group"])
    return ProposedPlan(year=year, title=title, groups=[g for g in made if g.targets], context=[])


def changes_against(original: list[dict], kept: list[dict], rejected: list[int]) -> dict:
    """What the admin rejected, edited and added against the proposal, for the audit entry."""
    by_ref = {row["ref"]: row for row in original}

    def listed(names: list[str]) -> list[str]:
        extra = len(names) - LISTED
        return names[:LISTED] + ([_("等 %(n)s 项") % {"n": len(names)}] if extra > 0 else [])

    edited, added = [], []
    for row in kept:
        before = by_ref.get(row.get("ref")) if row.get("ref") is not None else None
        if before is None:
            added.append(row["name"])
            continue
        fields = [
            key
            for key in (*EDITABLE, "group")
            if str(row.get(key) if row.get(key) is not None else "")
            != str(before.get(key) if before.get(key) is not None else "")
        ]
        if fields:
            edited.append(before["name"])
    changes: dict = {}
    if rejected:
        changes["rejected"] = listed([by_ref[ref]["name"] for ref in rejected if ref in by_ref])
    if edited:
        changes["edited"] = listed(edited)
    if added:
        changes["extra"] = listed(added)
    return changes


def create_draft(
    plan: ProposedPlan,
    *,
    year: int,
    title: str,
    text: str,
    source: str,
    actor,
    by: str,
    notes: dict | None = None,
) -> Outcome:
    """Create the draft plan of `year` from the proposal, all or nothing.

    Raises ImportFailed (the problems, in words) when the year has a plan already, when no
    target is left, or when the workbook import refuses a row; nothing is saved then.
    """
    if not plan.all_targets():
        raise ImportFailed([_("没有可建立的目标:请至少保留或补充一个目标。")])
    plan.title = title
    try:
        with transaction.atomic():
            if Plan.objects.filter(year=year).exists():
                raise ImportFailed([_("%(year)s 年的计划已存在,不能重复建立。") % {"year": year}])
            outcome = import_plan(proposed_workbook.workbook(plan, year=year, source=source), year=year)
            made = outcome.plan
            made.status = Plan.Status.DRAFT
            made.source_text = text
            made.save(update_fields=["status", "source_text"])
            AuditEntry.objects.create(
                actor=actor,
                action=AuditEntry.Action.EDIT,
                changes={
                    "plan": year,
                    "by": by,
                    "created": f"{year} {made.title}",
                    "targets": outcome.counts.get("目标", 0),
                    **(notes or {}),
                },
            )
            transaction.on_commit(publication.bump)
    except IntegrityError:  # another request made the year's plan meanwhile
        raise ImportFailed([_("%(year)s 年的计划已存在,不能重复建立。") % {"year": year}]) from None
    return outcome
