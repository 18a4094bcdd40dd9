"""What the engine reads of a target's approved reports as of a day, in one query for a
whole plan (or any set of targets): the latest report, the worst figure of a ceiling's
period, and the first report (where a level without a baseline is projected from).

`standing` gives the same from reports already loaded (a target page, the workbook preview
of reports not yet submitted), with the same rule for a ceiling's worst figure
(goals.rules.progress.worst): every surface reads a target alike, so every surface shows
one verdict for it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Case, F, Q, QuerySet, Value, When, Window
from django.db.models.aggregates import Max
from django.db.models.functions import FirstValue, RowNumber

from goals.models import Plan, Report, Target
from goals.rules import progress

FIELDS = ("id", "target_id", "value", "as_of", "first_value", "first_as_of")


def latest_approved(plan: Plan, day: datetime.date) -> dict[int, dict]:
    """Each target's latest approved report dated on or before `day`, in one query."""
    rows = Report.objects.approved().filter(target__plan=plan, as_of__lte=day)
    return _read(rows, Target.objects.filter(plan=plan))


def latest_of(targets: QuerySet[Target], day: datetime.date) -> dict[int, dict]:
    """The same for `targets`, a query of some targets (a page evaluating part of a plan):
    {target id: {id, target_id, value, as_of, first_value, first_as_of, worst}}.

    One query: each target's latest report with its first report beside it (window
    functions), and every report of the ceilings among them (few targets, a report a
    month), whose worst standing figure the rules then find (goals.rules.progress.worst,
    as `standing` does). No correlated subquery: the cost follows the reports read."""
    return _read(Report.objects.approved().filter(target__in=targets.values("pk"), as_of__lte=day), targets)


def latest_of_ids(target_ids: list[int], day: datetime.date) -> dict[int, dict]:
    """The same for the targets with these ids: values, not a subquery (with no statistics
    yet, after a bulk load, PostgreSQL planned nested subqueries as minutes-long loops)."""
    rows = Report.objects.approved().filter(target_id__in=target_ids, as_of__lte=day)
    return _read(rows, Target.objects.filter(pk__in=target_ids))


def _read(rows: QuerySet[Report], targets: QuerySet[Target]) -> dict[int, dict]:
    by_target = [F("target_id")]
    oldest_first = [F("as_of").asc(), F("created_at").asc(), F("id").asc()]
    # An uncorrelated subquery (computed once), not a join: the plan stays that of the reports.
    ceiling_ids = targets.filter(kind=Target.Kind.AT_MOST).values("pk")
    is_ceiling = Case(When(target_id__in=ceiling_ids, then=Value(1)), default=Value(0))
    ranked = (
        rows.annotate(
            rank=Window(
                RowNumber(),
                partition_by=by_target,
                order_by=[F("as_of").desc(), F("created_at").desc(), F("id").desc()],
            ),
            ceiling=Window(Max(is_ceiling), partition_by=by_target),
            first_value=Window(FirstValue("value"), partition_by=by_target, order_by=oldest_first),
            first_as_of=Window(FirstValue("as_of"), partition_by=by_target, order_by=oldest_first),
        )
        .filter(Q(rank=1) | Q(ceiling=1))
        .values(*FIELDS, "created_at", "revises_id", "rank", "ceiling")
    )
    found: dict[int, dict] = {}
    ceilings: dict[int, list[progress.Reading]] = {}
    for row in ranked:
        if row["ceiling"] == 1:
            reading = progress.Reading(
                row["id"], row["as_of"], row["value"], row["created_at"], row["revises_id"]
            )
            ceilings.setdefault(row["target_id"], []).append(reading)
        if row["rank"] == 1:
            found[row["target_id"]] = {**{key: row[key] for key in FIELDS}, "worst": None}
    for target_id, readings in ceilings.items():
        found[target_id]["worst"] = progress.worst(readings)
    return found


def standing(target: Target, reports: Iterable[Report]) -> dict | None:
    """`latest_of`'s row for one target from its approved reports (already loaded, dated
    up to the day asked for, each with an id and a creation time; reports of other
    targets are ignored)."""
    own = sorted(
        (r for r in reports if r.target_id == target.pk),
        key=lambda r: (r.as_of, r.created_at, r.id),
    )
    if not own:
        return None
    latest, first = own[-1], own[0]
    worst = None
    if target.kind == Target.Kind.AT_MOST:
        worst = progress.worst(
            progress.Reading(r.id, r.as_of, r.value, r.created_at, r.revises_id) for r in own
        )
    return {
        "id": latest.id,
        "target_id": target.pk,
        "value": latest.value,
        "as_of": latest.as_of,
        "worst": worst,
        "first_value": first.value,
        "first_as_of": first.as_of,
    }
