"""What the engine reads of a target's approved reports as of a day, in one query for a
whole plan (or any set of targets): the latest report, the worst figure of a ceiling's
period, and the first report (where a level without a baseline is projected from).

`standing` gives the same from reports already loaded (a target page, the workbook preview
of reports not yet submitted), with the same rules (goals.rules.progress.worst): every
surface reads a target alike, so every surface shows one verdict for it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, When, Window
from django.db.models.aggregates import Max
from django.db.models.functions import FirstValue, RowNumber

from goals.models import Plan, Report, Target
from goals.rules import progress


def latest_approved(plan: Plan, day: datetime.date) -> dict[int, dict]:
    """Each target's latest approved report dated on or before `day`, in one query."""
    return _read(Report.objects.approved().filter(target__plan=plan, as_of__lte=day))


def _standing_rows() -> Q:
    """The reports (of ceilings) that still stand: neither corrected by an approved report
    that revises them nor given again for the same day by a later approved report."""
    approved = Report.objects.approved()
    corrected = approved.filter(revises=OuterRef("pk"))
    again = approved.filter(target_id=OuterRef("target_id"), as_of=OuterRef("as_of")).filter(
        Q(created_at__gt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), id__gt=OuterRef("id"))
    )
    return Q(target__kind=Target.Kind.AT_MOST) & ~Exists(corrected) & ~Exists(again)


def latest_of(targets: QuerySet[Target], day: datetime.date) -> dict[int, dict]:
    """The same for `targets`, a query of some targets (a page evaluating part of a plan):
    {target id: {id, target_id, value, as_of, worst, first_value, first_as_of}}."""
    return _read(Report.objects.approved().filter(target__in=targets.values("pk"), as_of__lte=day))


def latest_of_ids(target_ids: list[int], day: datetime.date) -> dict[int, dict]:
    """The same for the targets with these ids: values, not a subquery (with no statistics
    yet, after a bulk load, PostgreSQL planned nested subqueries as minutes-long loops)."""
    return _read(Report.objects.approved().filter(target_id__in=target_ids, as_of__lte=day))


def _read(rows: QuerySet[Report]) -> dict[int, dict]:
    by_target = [F("target_id")]
    oldest_first = [F("as_of").asc(), F("created_at").asc(), F("id").asc()]
    ranked = (
        rows.annotate(
            rank=Window(
                RowNumber(),
                partition_by=by_target,
                order_by=[F("as_of").desc(), F("created_at").desc(), F("id").desc()],
            ),
            worst=Window(Max(Case(When(_standing_rows(), then=F("value")))), partition_by=by_target),
            first_value=Window(FirstValue("value"), partition_by=by_target, order_by=oldest_first),
            first_as_of=Window(FirstValue("as_of"), partition_by=by_target, order_by=oldest_first),
        )
        .filter(rank=1)
        .values("id", "target_id", "value", "as_of", "worst", "first_value", "first_as_of")
    )
    return {row["target_id"]: row for row in ranked}


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
