"""Evaluate a plan as of a day: every target's status and every rollup.

Loads everything in a fixed number of queries (targets, latest approved reports,
groups, actions, action–pillar links, pillars), whatever the plan's size, then applies
the pure rules of goals.rules.progress.

A page that shows part of the plan evaluates only that part (`scope`): a project page
reads its project's targets and reports, not the plan's, so its cost follows what it
shows, not the size of the plan. The rollups it shows (the project, the action and its
measures, the pillar and its actions) are made of exactly the targets in scope, so they
are the same as in the whole plan's evaluation.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from goals.models import Action, FinalRecord, Pillar, Plan, Target, TargetGroup
from goals.rules import cadence, progress
from goals.rules.progress import Light, Status
from goals.tracking.readings import latest_approved, latest_of, latest_of_ids  # noqa: F401  (read from here too)
from goals.tracking.scopes import action_scope, pillar_scope, project_scope  # noqa: F401  (read from here too)


def spec_for(target: Target) -> progress.Spec:
    return progress.Spec(
        kind=target.kind,
        value=target.in_base_units(target.target_value),
        upper=target.in_base_units(target.target_upper),
        baseline=target.in_base_units(target.baseline_value),
        tolerance_percent=target.tolerance_percent,
        start=target.period_start,
        due=target.due,
        limit=progress.HUNDRED if target.unit == "%" else None,
    )


@dataclass
class TargetProgress:
    target: Target
    value: Decimal | None
    as_of: datetime.date | None
    report_id: int | None
    percent: Decimal | None
    expected: Decimal
    status: Status
    stale: bool
    exceeded: bool
    light: Light = Light.GREY
    projected: Decimal | None = None  # base units, at the due date at the current pace
    worst: Decimal | None = None  # a ceiling's highest standing figure of the period
    required: Decimal | None = None  # base units per month still needed
    periods: tuple[cadence.Period, ...] = ()
    children: list[TargetProgress] = field(default_factory=list)
    final: FinalRecord | None = None  # a closed year's stored verdict, when it is what is shown

    @property
    def covered_period(self) -> cadence.Period | None:
        """The reporting period the current figure counts for (the last period covered)."""
        if self.as_of is None:
            return None
        index = cadence.period_for(list(self.periods), self.as_of)
        return None if index is None else self.periods[index]

    @property
    def first_deadline(self) -> datetime.date | None:
        return self.periods[0].deadline if self.periods else None

    @property
    def has_forecast(self) -> bool:
        return self.target.kind in progress.FORECAST_KINDS

    @property
    def percent_display(self) -> Decimal | None:
        return progress.rounded(self.percent)

    @property
    def is_ceiling(self) -> bool:
        return self.target.kind == Target.Kind.AT_MOST

    @property
    def rollup_percent(self) -> Decimal | None:
        """What this target adds to averages: nothing reported counts as nothing done
        (so a few early reports cannot pass for the whole plan); ceilings add nothing."""
        if self.percent is not None or self.is_ceiling:
            return self.percent
        return progress.ZERO


@dataclass
class Rollup:
    """A project, measure, action, pillar or the whole plan, and how it stands."""

    kind: str
    code: str
    name: str
    weight: Decimal
    obj: object = None
    targets: list[TargetProgress] = field(default_factory=list)
    parts: list[Rollup] = field(default_factory=list)
    percent: Decimal | None = None
    counts: Counter = field(default_factory=Counter)
    lights: Counter = field(default_factory=Counter)
    stale: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def percent_display(self) -> Decimal | None:
        return progress.rounded(self.percent)

    @property
    def is_empty(self) -> bool:
        return not self.targets and not self.parts

    @property
    def summary(self) -> dict[str, int]:
        """Its targets in boxes that add up to `total` (goals.rules.progress.summary)."""
        return progress.summary(self.counts)

    def _finish(self) -> Rollup:
        items = [(tp.target.weight, tp.rollup_percent) for tp in self.targets]
        items += [(part.weight, part.percent) for part in self.parts]
        self.percent = progress.weighted_average(items)
        for tp in self.targets:
            self.counts[tp.status] += 1
            self.lights[tp.light] += 1
            self.stale += tp.stale
        for part in self.parts:
            self.counts.update(part.counts)
            self.lights.update(part.lights)
            self.stale += part.stale
        return self


@dataclass
class PlanProgress:
    plan: Plan
    day: datetime.date
    targets: dict[int, TargetProgress]
    groups: dict[int, Rollup]
    projects: list[Rollup]
    actions: list[Rollup]
    pillars: list[Rollup]
    overall: Rollup

    def top_level(self) -> list[TargetProgress]:
        return [tp for tp in self.targets.values() if tp.target.parent_id is None]

    def latest_report_day(self) -> datetime.date | None:
        days = [tp.as_of for tp in self.targets.values() if tp.as_of]
        return max(days, default=None)


def today() -> datetime.date:
    return timezone.localdate()


def light_rules() -> progress.LightRules:
    return progress.LightRules(
        yellow_points=Decimal(settings.LIGHT_YELLOW_POINTS),
        red_points=Decimal(settings.LIGHT_RED_POINTS),
        grace_days=settings.LIGHT_GRACE_DAYS,
    )


@dataclass(frozen=True)
class Rules:
    """The settings the rules read, read once per evaluation rather than once per target."""

    lights: progress.LightRules
    pace_tolerance: Decimal
    stale_after_days: int


def rules_from_settings() -> Rules:
    return Rules(
        lights=light_rules(),
        pace_tolerance=Decimal(settings.PACE_TOLERANCE_POINTS),
        stale_after_days=settings.STALE_AFTER_DAYS,
    )


@lru_cache(maxsize=256)
def schedule_for(cycle: str, due_day: int, start: datetime.date, due: datetime.date) -> tuple:
    return tuple(cadence.periods(cycle, due_day, start, due))


def evaluate_target(target: Target, report: dict | None, day: datetime.date, rules: Rules) -> TargetProgress:
    """One target on `day` from its reading (goals.tracking.readings: the latest approved
    report, a ceiling's worst figure, the first report), or None when nothing is reported."""
    spec = spec_for(target)
    report = report or {}
    value = report.get("value")
    as_of = report.get("as_of")
    worst = report.get("worst")
    first = (
        progress.First(report["first_as_of"], report["first_value"]) if report.get("first_as_of") else None
    )
    periods = schedule_for(target.cycle, target.due_day, spec.start, spec.due)
    ceiling = target.kind == Target.Kind.AT_MOST
    # A ceiling is held only while confirmed period by period; other targets report
    # progress, and their figures stand until the next one.
    confirmed = not ceiling or cadence.confirmed(list(periods), as_of, day)
    done = progress.is_done(spec, value) and not ceiling
    percent = progress.percent_complete(spec, value)
    expected = progress.expected_percent(spec.start, spec.due, day)
    status = progress.status(spec, value, day, rules.pace_tolerance, worst=worst, confirmed=confirmed)
    return TargetProgress(
        target=target,
        value=value,
        as_of=as_of,
        report_id=report.get("id"),
        percent=percent,
        expected=expected,
        status=status,
        stale=progress.is_stale(spec, as_of, day, rules.stale_after_days, done, confirmed=confirmed),
        exceeded=progress.is_exceeded(spec, value),
        light=progress.light(
            status,
            percent,
            expected,
            day=day,
            first_deadline=periods[0].deadline if periods else None,
            rules=rules.lights,
            reported=value is not None,
        ),
        projected=progress.projected_value(spec, value, as_of, first),
        required=progress.required_per_month(spec, value, day),
        worst=worst,
        periods=periods,
    )


def apply_final_records(plan: Plan, day: datetime.date, evaluated: dict[int, TargetProgress]) -> None:
    """A closed plan, seen on or after the day it was closed as of, shows its stored final
    evaluation (goals.planning.states.close_plan): value, percent, status and light come from
    the record, not from today's rules, so they no longer drift. One query. Earlier days
    (?as_of= inside the year) are evaluated as they stood."""
    if plan.closed_as_of is None or day < plan.closed_as_of:
        return
    records = FinalRecord.objects.filter(plan=plan)
    if len(evaluated) <= 100:  # one page's few targets
        records = records.filter(target_id__in=list(evaluated))
    for record in records:
        tp = evaluated.get(record.target_id)
        if tp is None:
            continue
        tp.final = record
        tp.value, tp.as_of, tp.report_id = record.value, record.as_of, record.report_id
        tp.percent, tp.expected = record.percent, record.expected
        tp.status, tp.light = Status(record.status), Light(record.light)
        tp.stale, tp.exceeded = record.stale, record.exceeded
        tp.projected = tp.required = None  # the year is over: nothing left to forecast


def evaluate_plan(
    plan: Plan, day: datetime.date | None = None, *, scope: Q | None = None, targets: Q | None = None
) -> PlanProgress:
    """The plan as it stood on `day`.

    `scope` (a filter on TargetGroup) evaluates only those groups' targets: the other
    groups are left out, and actions and pillars are rolled up from the groups in scope.
    `targets` (a filter on Target) evaluates only those targets, the groups being kept
    (a department page: its targets, listed with the project or action they belong to).
    Neither changes the number of queries.
    """
    day = day or today()
    group_rows = (
        TargetGroup.objects.filter(plan=plan)
        if scope is None
        else TargetGroup.objects.filter(scope, plan=plan)
    )
    # A pillar reached through several joins lists a group more than once: keep the first.
    groups = list(
        {g.id: g for g in group_rows.select_related("measure").order_by("order", "code", "id")}.values()
    )
    if scope is None:
        target_rows = Target.objects.filter(plan=plan)
    else:
        # The groups' ids as a list, not a subquery: with no statistics yet (after a bulk
        # load) PostgreSQL planned "group_id IN (SELECT …)" inside the reports' query as a
        # nested loop over every report and ran it for half an hour on a large plan.
        target_rows = Target.objects.filter(group_id__in=[g.id for g in groups])
    if targets is not None:
        target_rows = target_rows.filter(targets)
    loaded = list(target_rows.select_related("lead_department").order_by("order", "code"))
    if scope is None and targets is None:
        reports = latest_approved(plan, day)
    else:
        reports = latest_of_ids([t.pk for t in loaded], day)
    actions = list(Action.objects.filter(plan=plan).order_by("order", "code"))
    links = list(
        Action.pillars.through.objects.filter(action__plan=plan).values_list("action_id", "pillar_id")
    )
    pillars = list(Pillar.objects.filter(plan=plan).order_by("order", "code"))

    group_by_id = {g.id: g for g in groups}
    evaluated: dict[int, TargetProgress] = {}
    rules = rules_from_settings()
    for target in loaded:
        # The related-object cache, filled directly: the descriptor's checks cost more
        # than the rules on a plan of ten thousand targets, for objects of known type.
        cached = target._state.fields_cache
        cached["plan"] = plan
        cached["group"] = group_by_id[target.group_id]
        evaluated[target.id] = evaluate_target(target, reports.get(target.id), day, rules)
    if plan.status == Plan.Status.CLOSED:
        apply_final_records(plan, day, evaluated)

    group_rollups = {
        g.id: Rollup(kind=g.kind, code=g.code, name=g.name, weight=g.weight, obj=g) for g in groups
    }
    for tp in evaluated.values():
        if tp.target.parent_id is None:
            group_rollups[tp.target.group_id].targets.append(tp)
        elif tp.target.parent_id in evaluated:
            evaluated[tp.target.parent_id].children.append(tp)
    for rollup in group_rollups.values():
        rollup._finish()

    action_rollups = {
        a.id: Rollup(kind="action", code=a.code, name=a.name, weight=a.weight, obj=a) for a in actions
    }
    pillar_rollups = {
        p.id: Rollup(kind="pillar", code=p.code, name=p.name, weight=Decimal(1), obj=p) for p in pillars
    }
    loose_measures: list[Rollup] = []
    for g in groups:
        if g.kind != TargetGroup.Kind.MEASURE:
            continue
        measure = g.measure
        if measure.action_id:
            action_rollups[measure.action_id].parts.append(group_rollups[g.id])
        else:
            pillar_rollups[measure.pillar_id].parts.append(group_rollups[g.id])
            loose_measures.append(group_rollups[g.id])
    for rollup in action_rollups.values():
        rollup._finish()
    linked: dict[int, list[Rollup]] = {}
    for action_id, pillar_id in links:
        linked.setdefault(pillar_id, []).append(action_rollups[action_id])
    for pillar_id, rollup in pillar_rollups.items():
        rollup.parts[:0] = sorted(linked.get(pillar_id, []), key=lambda r: (r.obj.order, r.code))
    for rollup in pillar_rollups.values():
        rollup._finish()

    projects = [group_rollups[g.id] for g in groups if g.kind == TargetGroup.Kind.PROJECT]
    overall = Rollup(
        kind="plan",
        code=str(plan.year),
        name=plan.title,
        weight=Decimal(1),
        obj=plan,
        parts=[*projects, *action_rollups.values(), *loose_measures],
    )._finish()
    return PlanProgress(
        plan=plan,
        day=day,
        targets=evaluated,
        groups=group_rollups,
        projects=projects,
        actions=list(action_rollups.values()),
        pillars=list(pillar_rollups.values()),
        overall=overall,
    )
