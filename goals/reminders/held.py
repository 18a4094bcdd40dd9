"""Reminders to whoever holds a report too long: a department head holding reports to confirm
for more than SIGNOFF_REMINDER_DAYS working days is reminded by email (`head_reminders`, one
per head per day), and the department's channels (WeCom, DingTalk, a webhook) get the same
news (`head_channel_messages`, one message per channel per day); an official holding a
returned report not corrected for as long is reminded by email too (`official_reminders`,
one per official per day). Reviewers holding reports are reminded by
goals.reminders.services (`_review_reminders`), from the day the head confirmed them. Who
holds what is goals.reporting.signoff.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string

from goals.models import Plan, Report
from goals.reminders.emails import SUBJECTS, Kind, Outgoing, link
from goals.reporting import signoff


def held_by_heads(plans: list[Plan], day: datetime.date) -> list[Report]:
    """Reports waiting for a department head's confirmation too long on `day`, oldest first."""
    waiting = (
        Report.objects.awaiting_head()
        .filter(target__plan__in=plans)
        .select_related("target", "author")
        .order_by("created_at", "id")
    )
    return [report for report in waiting if signoff.too_long(report.created_at, day)]


def head_reminders(plans: list[Plan], day: datetime.date, users) -> list[Outgoing]:
    """One email per head (active, with an email: `users`) listing the reports they hold."""
    late = held_by_heads(plans, day)
    if not late:
        return []
    reachable = {user.pk: user for user in users}
    heads = signoff.heads_of(late)
    found: dict[int, Outgoing] = {}
    for report in late:
        for head in heads.get(report.pk, []):
            if head.pk not in reachable or head.pk == report.author_id:  # nobody confirms their own
                continue
            outgoing = found.setdefault(
                head.pk,
                Outgoing(reachable[head.pk], Kind.CONFIRM_WAITING, day.isoformat(), [], {"plan": plans[-1]}),
            )
            outgoing.items.append(report)
    return list(found.values())


def held_by_officials(plans: list[Plan], day: datetime.date) -> list[Report]:
    """Returned reports their officials have not corrected (no report of the target since)
    for too long on `day`, oldest first. Counted from the return."""
    later = Report.objects.filter(target_id=OuterRef("target_id"), created_at__gt=OuterRef("created_at"))
    returned = (
        Report.objects.filter(target__plan__in=plans, state=Report.State.RETURNED, author__isnull=False)
        .exclude(Exists(later))
        .select_related("target", "author", "head", "reviewer")
        .order_by("created_at", "id")
    )
    return [report for report in returned if signoff.too_long(report.held_since, day)]


def official_reminders(plans: list[Plan], day: datetime.date, users) -> list[Outgoing]:
    """One email per official (active, with an email: `users`) listing their returned reports
    still waiting for a correction."""
    reachable = {user.pk: user for user in users}
    found: dict[int, Outgoing] = {}
    for report in held_by_officials(plans, day):
        if report.author_id not in reachable:
            continue
        outgoing = found.setdefault(
            report.author_id,
            Outgoing(
                reachable[report.author_id], Kind.RETURNED_WAITING, day.isoformat(), [], {"plan": plans[-1]}
            ),
        )
        outgoing.items.append(report)
    return list(found.values())


def head_channel_messages(plan: Plan, day: datetime.date, channels) -> list[tuple]:
    """(channel, kind, occasion, title, text) for each enabled channel of a department whose
    targets have reports held too long by its heads."""
    late = held_by_heads([plan], day)
    if not late:
        return []
    departments = signoff.departments_of({report.target_id for report in late})
    by_department: dict[int, list[Report]] = {}
    for report in late:
        for department_id in departments.get(report.target_id, []):
            by_department.setdefault(department_id, []).append(report)
    found = []
    for channel in channels:
        reports = by_department.get(channel.department_id)
        if not reports:
            continue
        occasion = Outgoing(None, Kind.CONFIRM_WAITING, day.isoformat(), reports, {"plan": plan})
        title = SUBJECTS[Kind.CONFIRM_WAITING](occasion)
        context = {
            "title": title,
            "department": channel.department.name,
            "items": [(report, signoff.held_days(report.created_at, day)) for report in reports],
            "days": settings.SIGNOFF_REMINDER_DAYS,
            "link": link("confirm_queue"),
        }
        text = render_to_string("channels/confirm.md", context)
        found.append((channel, Kind.CONFIRM_WAITING, occasion.occasion, title, text))
    return found
