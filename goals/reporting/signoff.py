"""Who holds a report in the sign-off chain, since when, and when that is too long.

A report waiting for the department head's confirmation is held by the heads of the
departments of its target (lead and co-departments, as their officials report on it); one
waiting for review by the reviewers; a returned one, not yet corrected, by its author. The
steps themselves (submit, confirm, approve, return) are goals.reporting.services.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from goals.accounts import permissions
from goals.models import Report, Target
from goals.participation.text import add_working_days

HEAD, REVIEWER, OFFICIAL = "head", "reviewer", "official"
ROLE_LABELS = {HEAD: _("部门负责人"), REVIEWER: _("审核人员"), OFFICIAL: _("填报人")}


@dataclass
class Holding:
    report: Report
    role: str  # HEAD, REVIEWER or OFFICIAL
    since: datetime.datetime
    days: int  # whole calendar days held as of the day asked about
    holders: list = field(default_factory=list)  # the users who hold it (heads, the author)
    too_long: bool = False

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS[self.role])


def local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


def held_days(since: datetime.datetime, day: datetime.date) -> int:
    """Calendar days from the day the holder got it to `day` (0 on that day itself)."""
    return max((day - local_day(since)).days, 0)


def too_long(since: datetime.datetime, day: datetime.date, working_days: int | None = None) -> bool:
    """Held more than `working_days` (SIGNOFF_REMINDER_DAYS) working days, Monday to Friday,
    by `day`: got on a Monday with 2 days allowed, it is too long from Thursday on."""
    allowed = settings.SIGNOFF_REMINDER_DAYS if working_days is None else working_days
    return add_working_days(local_day(since), allowed) < day


def departments_of(target_ids) -> dict[int, list[int]]:
    """{target id: its lead department, then its co-departments}: two queries."""
    found: dict[int, list[int]] = {}
    rows = Target.objects.filter(pk__in=list(target_ids)).values_list("pk", "lead_department_id")
    for pk, lead in rows:
        found[pk] = [lead] if lead else []
    for target_id, department_id in Target.co_departments.through.objects.filter(
        target_id__in=list(found)
    ).values_list("target_id", "department_id"):
        if department_id not in found[target_id]:
            found[target_id].append(department_id)
    return found


def heads_of(reports: list[Report]) -> dict[int, list]:
    """{report id: the heads who may confirm it}, for reports waiting for them: three queries."""
    waiting = [r for r in reports if r.state == Report.State.CONFIRMING]
    if not waiting:
        return {}
    departments = departments_of({r.target_id for r in waiting})
    heads = permissions.heads_by_department({d for ids in departments.values() for d in ids})
    found = {}
    for report in waiting:
        people = []
        for department_id in departments.get(report.target_id, []):
            people += [u for u in heads.get(department_id, []) if u not in people]
        found[report.pk] = people
    return found


def holdings(reports: list[Report], day: datetime.date) -> list[Holding]:
    """Each report still held by someone (approved ones are done) with who holds it and for
    how long (a few queries, none per report)."""
    heads = heads_of(reports)
    found = []
    for report in reports:
        if report.state == Report.State.APPROVED:
            continue
        since = report.held_since
        if report.state == Report.State.CONFIRMING:
            role, people = HEAD, heads.get(report.pk, [])
        elif report.state == Report.State.SUBMITTED:
            role, people = REVIEWER, []
        else:
            role, people = OFFICIAL, [report.author] if report.author_id else []
        found.append(Holding(report, role, since, held_days(since, day), people, too_long(since, day)))
    return found
