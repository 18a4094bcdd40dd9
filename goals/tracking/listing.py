"""An evaluated plan as flat rows: every target with the project, action or pillar it sits in.

Shared by the targets list (filter and search) and the open-data exports, so both say
the same thing about the same target. No queries: everything comes from PlanProgress.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from goals.tracking.evaluation import PlanProgress, Rollup, TargetProgress


@dataclass(frozen=True)
class Owner:
    """What a target belongs to on the public site: a project, an action or a pillar."""

    kind: str  # "project", "action" or "pillar"
    code: str
    name: str
    measure_code: str = ""
    measure_name: str = ""

    @property
    def url_name(self) -> str:
        return self.kind


@dataclass
class Row:
    progress: TargetProgress
    owner: Owner
    depth: int = 0

    @property
    def target(self):
        return self.progress.target


def owners(result: PlanProgress) -> dict[int, Owner]:
    """{target group id: Owner} for every project and measure of the plan."""
    found: dict[int, Owner] = {}
    for project in result.projects:
        found[project.obj.id] = Owner("project", project.code, project.name)

    def add_measures(parent: Rollup, kind: str) -> None:
        for part in parent.parts:
            if part.kind == "measure" and part.obj.id not in found:
                found[part.obj.id] = Owner(kind, parent.code, parent.name, part.code, part.name)

    for action in result.actions:
        add_measures(action, "action")
    for pillar in result.pillars:
        add_measures(pillar, "pillar")
    return found


def choices(result: PlanProgress) -> list[tuple[str, str]]:
    """Projects, actions and the pillars that list measures of their own, in plan order."""
    options = [(r.code, f"{r.code} {r.name}") for r in result.projects]
    options += [(r.code, f"{r.code} {r.name}") for r in result.actions]
    options += [
        (r.code, f"{r.code} {r.name}") for r in result.pillars if any(p.kind == "measure" for p in r.parts)
    ]
    return options


def rows(result: PlanProgress) -> Iterator[Row]:
    """Every target in plan order (projects, then actions, then pillars), sub-targets after their parent."""
    by_group = owners(result)

    def walk(tp: TargetProgress, depth: int) -> Iterator[Row]:
        yield Row(tp, by_group[tp.target.group_id], depth)
        for child in tp.children:
            yield from walk(child, depth + 1)

    for rollup in [*result.projects, *result.actions, *result.pillars]:
        for part in [rollup, *(p for p in rollup.parts if p.kind == "measure")]:
            if part is not rollup and by_group[part.obj.id].code != rollup.code:
                continue  # an action linked to a pillar is listed under the action
            for tp in part.targets:
                yield from walk(tp, 0)
