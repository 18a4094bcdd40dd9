"""Text → proposed plan: `propose(text)` gives the groups, their targets and the context.

Everything here is pure: the text in, plain data out (`as_dict` for JSON). The numbers of
paragraphs outside the plan's lists (a report on last year, a meeting's account) are context,
never targets.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from goals.proposals.clauses import Context, Proposal, read, sentences
from goals.proposals.numbers import quantities
from goals.proposals.structure import Group, find_groups, inline_items
from goals.proposals.text import is_traditional, normalise, paragraphs


@dataclass
class ProposedGroup:
    name: str
    heading: str
    targets: list[Proposal] = field(default_factory=list)


@dataclass
class ProposedPlan:
    year: int | None
    title: str
    groups: list[ProposedGroup]
    context: list[Context]
    traditional: bool = False

    def all_targets(self) -> list[Proposal]:
        """Every proposal, sub-targets included (after their totals)."""
        found: list[Proposal] = []

        def walk(items: list[Proposal]) -> None:
            for item in items:
                found.append(item)
                walk(item.sub_targets)

        for group in self.groups:
            walk(group.targets)
        return found


def guess_year(text: str) -> int | None:
    """The plan's year: the most named 20xx年 in the titles and headings, else in the text."""
    lines = [line for line in text.splitlines() if line.startswith("#") or len(line) < 40]
    for chunk in (lines, text.splitlines()):
        years = Counter(int(y) for line in chunk for y in re.findall(r"(20\d\d)年(?!\d)", line))
        if years:
            return max(years.items(), key=lambda item: (item[1], item[0]))[0]
    return None


def _title(parts: list[str], groups: list[Group]) -> str:
    for paragraph in parts:
        if re.search(r"民生实事|实事项目|工作计划|重点工作", paragraph) and len(paragraph) <= 60:
            return paragraph.lstrip("# ").strip()
    for paragraph in parts:
        if paragraph.startswith("#") or len(paragraph) <= 40:
            return paragraph.lstrip("# ").strip()
    return groups[0].name if groups else ""


def propose(text: str, *, year: int | None = None) -> ProposedPlan:
    """The plan proposed from its published text."""
    traditional = is_traditional(text)
    text = normalise(text)
    parts = inline_items(paragraphs(text))
    groups = find_groups(parts)
    covered = {index for group in groups for index in group.paragraphs}
    context: list[Context] = []
    proposed = []
    for group in groups:
        proposed.append(ProposedGroup(group.name, group.heading, read(group.text, context)))
    for index, paragraph in enumerate(parts):
        if index in covered:
            continue
        for sentence in sentences(paragraph):
            for q in quantities(sentence):
                if q.text[:1].isdigit() or q.unit:
                    context.append(Context(q.text, q.context or "计划清单之外", sentence))
    return ProposedPlan(
        year=year or guess_year(text),
        title=_title(parts, groups),
        groups=[g for g in proposed if g.targets],
        context=context,
        traditional=traditional,
    )


def _number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def proposal_dict(item: Proposal) -> dict:
    return {
        "name": item.name,
        "wording": item.wording,
        "source_clause": item.source_clause,
        "kind": str(item.kind),
        "comparator": item.comparator,
        "target_value": _number(item.target_value),
        "target_upper": _number(item.target_upper),
        "unit": item.unit,
        "scale": item.scale,
        "confidence": item.confidence,
        "doubts": item.doubts,
        "sub_targets": [proposal_dict(sub) for sub in item.sub_targets],
    }


def as_dict(plan: ProposedPlan) -> dict:
    """The proposal as JSON-ready data: {"year", "title", "groups": [...], "context": [...]}."""
    return {
        "year": plan.year,
        "title": plan.title,
        "traditional": plan.traditional,
        "groups": [
            {"name": g.name, "heading": g.heading, "targets": [proposal_dict(t) for t in g.targets]}
            for g in plan.groups
        ],
        "context": [
            {"text": c.text, "reason": c.reason, "source_clause": c.source_clause} for c in plan.context
        ],
    }
