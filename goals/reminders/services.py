"""Reminder emails, sent by a background job (never inside a request).

Who gets what, on a day (`collect`), and sending it once (`send`):

- **before a deadline** (REMINDER_DAYS_BEFORE days ahead, and on the day): the officials of
  each department (lead or co-department) with targets whose report for the period is due
  and not in yet;
- **after a deadline**: the same officials, for targets whose report is still missing; after
  the year's last deadline, once more for a last period never reported (until the plan is
  closed; the occasion is that deadline, so it goes once);
- **reviewers**, when reports have waited for review more than REVIEW_REMINDER_AFTER_DAYS
  (counted from the department head's confirmation when the plan asks for one);
- **department heads** (the sign-off chain), when reports have waited for their confirmation
  more than SIGNOFF_REMINDER_DAYS working days (goals.reminders.held), by email and on their
  department's channels; and **officials** holding a returned report they have not
  corrected for as long (by email);
- a **weekly digest** to admins on DIGEST_WEEKDAY: targets by light, and per department;
- **residents' questions** (数据问询) past their answer deadline: daily, to the officials of
  the department that must answer them, or to the reviewers (督查室) for a question on a target
  with no lead department (goals.participation); the digest counts them per department.

Every open plan (published, not closed) is covered: in January the old year's December is
still due while the new year has begun.

One email per person per occasion (a deadline, a day, a week): the occasion is recorded in
ReminderSent under a unique constraint before the email goes, so running the job twice sends
nothing new. Targets already done owe nothing and are never mentioned. A user may opt out in
the staff pages (ReminderPreference), unless the plan makes deadline reminders mandatory.
Emails are in Chinese, or English for those who chose it; plain text and HTML; links are
absolute, on SITE_URL (see `site_origin` for the fallback).

Besides email, each department's **channels** (WeCom / DingTalk group robots, a generic
webhook: goals.channels) get the department's deadline reminders and the weekly digest in
Markdown (`channel_messages`, `send_to_channels`): one message per channel per occasion,
queued and retried by the worker (goals.channels.deliveries).

Scheduled through django.tasks: `send_reminders_task` is enqueued daily (systemd timer →
`manage.py send_reminders --enqueue`) and run by `manage.py db_worker`; `manage.py
send_reminders [--as-of DATE] [--dry-run]` runs the same logic at once.
"""

from __future__ import annotations

import datetime
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from goals.accounts import permissions
from goals.league import standings as league
from goals.models import Department, Plan, Question, ReminderPreference, ReminderSent, Report, Target
from goals.planning import publication
from goals.reminders import held
from goals.reminders.emails import (  # noqa: F401  (site_origin and link are read from here too)
    DEADLINE_KINDS,
    SUBJECTS,
    DueItem,
    Kind,
    Outgoing,
    link,
    message,
    site_origin,
)
from goals.reminders.robots import ChannelMessage, channel_messages, send_to_channels  # noqa: F401 (read from here too)
from goals.rules import cadence
from goals.tracking import schedule
from goals.tracking.evaluation import evaluate_plan

logger = logging.getLogger(__name__)


def _preferences(users) -> dict[int, ReminderPreference]:
    found = {p.user_id: p for p in ReminderPreference.objects.filter(user__in=[u.pk for u in users])}
    return {u.pk: found.get(u.pk) or ReminderPreference(user=u) for u in users}


def _recipients() -> list:
    return list(get_user_model().objects.filter(is_active=True).exclude(email="").order_by("username"))


def _department_officials(plan: Plan, users) -> dict[int, list]:
    """{department id: officials in it who may submit} (users: active, with an email)."""
    officials = {u.pk: u for u in users if permissions.can_submit(u)}
    members: dict[int, list] = {}
    rows = Department.members.through.objects.filter(user_id__in=officials).values_list(
        "department_id", "user_id"
    )
    for department_id, user_id in rows:
        members.setdefault(department_id, []).append(officials[user_id])
    return members


def owed(item: schedule.Facts, day: datetime.date) -> cadence.Due | None:
    """What a target owes on `day`: its next deadline; once the last deadline has passed,
    the last period if it was never reported (cadence.next_due says nothing then)."""
    if item.due is not None:
        return item.due
    if (
        item.closed
        and item.last_timeliness == cadence.Timeliness.MISSING
        and item.tp.status not in schedule.FINISHED
    ):
        period = item.last_period
        return cadence.Due(period, (period.deadline - day).days)
    return None


def _deadline_reminders(plan: Plan, day: datetime.date, result, facts, users) -> list[Outgoing]:
    members = _department_officials(plan, users)
    co = {}
    for target_id, department_id in Target.co_departments.through.objects.filter(
        target__plan=plan
    ).values_list("target_id", "department_id"):
        co.setdefault(target_id, []).append(department_id)
    names = dict(Department.objects.values_list("id", "name"))
    found: dict[tuple, Outgoing] = {}
    for item in facts.values():
        due, target = owed(item, day), item.tp.target
        if due is None:
            continue
        if due.overdue:
            kind = Kind.AFTER_DEADLINE
        elif due.days <= settings.REMINDER_DAYS_BEFORE:
            kind = Kind.BEFORE_DEADLINE
        else:
            continue
        departments = [d for d in [target.lead_department_id, *co.get(target.pk, [])] if d]
        for department_id in dict.fromkeys(departments):
            for user in members.get(department_id, []):
                key = (user.pk, kind, due.period.deadline)
                outgoing = found.setdefault(
                    key, Outgoing(user, kind, due.period.deadline.isoformat(), extra={"plan": plan})
                )
                if target.code not in outgoing.codes:
                    outgoing.items.append(
                        DueItem(
                            target.code,
                            target.name,
                            names.get(department_id, ""),
                            str(due.period),
                            due.period.deadline,
                            due.days,
                        )
                    )
    return list(found.values())


def _review_reminders(plans: list[Plan], day: datetime.date, users) -> list[Outgoing]:
    # Waited more than N days: submitted before the day N days ago.
    limit = day - datetime.timedelta(days=settings.REVIEW_REMINDER_AFTER_DAYS + 1)
    cutoff = timezone.make_aware(datetime.datetime.combine(limit, datetime.time.max))
    # With the sign-off chain they wait for review from the head's confirmation.
    waiting = list(
        Report.objects.pending()
        .filter(target__plan__in=plans)
        .filter(Q(head_at__isnull=True, created_at__lte=cutoff) | Q(head_at__lte=cutoff))
        .select_related("target")
        .order_by("created_at", "id")
    )
    if not waiting:
        return []
    reviewers = [u for u in users if permissions.can_review(u)]
    found = []
    for user in reviewers:
        mine = [r for r in waiting if user.pk not in (r.author_id, r.head_id)]
        if mine:
            found.append(Outgoing(user, Kind.REVIEW_WAITING, day.isoformat(), mine, {"plan": plans[-1]}))
    return found


def _digest(plan: Plan, day: datetime.date, result, facts, users) -> list[Outgoing]:
    if day.weekday() != settings.DIGEST_WEEKDAY:
        return []
    admins = [u for u in users if permissions.is_admin(u)]
    if not admins:
        return []
    year, week, _weekday = day.isocalendar()
    lights = Counter(tp.light for tp in result.top_level())
    questions = league.question_tallies(plan, result.day)
    rows = league.build(result, facts, Department.objects.order_by("order", "name"), questions)
    extra = {"lights": lights, "rows": rows, "plan": plan, "unassigned": questions.get(None)}
    return [Outgoing(user, Kind.WEEKLY_DIGEST, f"{year}-W{week:02d}", [], extra) for user in admins]


def open_plans() -> list[Plan]:
    """The plans reminders run for: published and not closed, oldest first (real years, or
    the pinned synthetic one)."""
    return [p for p in public_plans() if p.is_open]


def public_plans() -> list[Plan]:
    """Published and closed plans, oldest first (real years, or the pinned synthetic one)."""
    pinned = publication.public_year() or 0
    return [
        p
        for p in Plan.objects.public().order_by("year")
        if p.year < publication.SYNTHETIC_YEARS_FROM or p.year == pinned
    ]


def _merged(found: list[Outgoing]) -> list[Outgoing]:
    """One email per person and occasion, even when two open plans share a deadline."""
    merged: dict[tuple, Outgoing] = {}
    for outgoing in found:
        key = (outgoing.user.pk, outgoing.kind, outgoing.occasion)
        if key in merged:
            merged[key].items += [i for i in outgoing.items if i not in merged[key].items]
        else:
            merged[key] = outgoing
    return list(merged.values())


def _question_reminders(plan: Plan, day: datetime.date, users) -> list[Outgoing]:
    overdue = list(
        Question.objects.overdue(day)
        .filter(target__plan=plan)
        .select_related("target", "department")
        .order_by("due_on", "id")
    )
    if not overdue:
        return []
    members = _department_officials(plan, users)
    reviewers = [u for u in users if permissions.can_review(u)]  # 督查室: the unassigned ones
    found: dict[int, Outgoing] = {}
    for question in overdue:
        for user in members.get(question.department_id, []) if question.department_id else reviewers:
            outgoing = found.setdefault(user.pk, Outgoing(user, Kind.QUESTIONS_OVERDUE, day.isoformat()))
            outgoing.items.append(question)
    return list(found.values())


def collect(day: datetime.date, plan: Plan | None = None) -> list[Outgoing]:
    """Every reminder due on `day` (for `plan`, or every open plan), before the opt-outs and
    what was already sent."""
    plans = [plan] if plan is not None else open_plans()
    # A closed year still takes residents' questions, so its overdue ones are reminded of too.
    asked = [plan] if plan is not None else public_plans()
    if not plans and not asked:
        return []
    users = _recipients()
    found = []
    for each in plans:
        result = evaluate_plan(each, day)
        facts = schedule.reporting_facts(result, day, schedule.STAFF_STATES)
        found += _deadline_reminders(each, day, result, facts, users)
        if each == plans[-1]:  # the weekly digest is about the newest open plan
            found += _digest(each, day, result, facts, users)
    for each in asked:
        found += _question_reminders(each, day, users)
    if plans:
        found += _review_reminders(plans, day, users)
        found += held.head_reminders(plans, day, users)
        found += held.official_reminders(plans, day, users)
    found = _merged(found)
    prefs = _preferences([o.user for o in found])
    kept = []
    for outgoing in found:
        pref = prefs[outgoing.user.pk]
        plan_of = outgoing.extra.get("plan") or (plans or asked)[-1]
        mandatory = plan_of.deadline_reminders_mandatory and outgoing.kind in DEADLINE_KINDS
        if pref.opt_out and not mandatory:
            continue
        outgoing.extra["language"] = pref.language
        outgoing.extra["plan"] = plan_of
        outgoing.extra["day"] = day
        kept.append(outgoing)
    return kept


@dataclass
class Summary:
    sent: list[Outgoing] = field(default_factory=list)
    already: list[Outgoing] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "sent": [[o.user.get_username(), o.kind, o.occasion] for o in self.sent],
            "already_sent": len(self.already),
        }


def send(outgoing: list[Outgoing], *, dry_run: bool = False) -> Summary:
    """Send each reminder not sent before, recording it first (a failed send rolls the record
    back, so the next run tries again). With `dry_run`, send and record nothing."""
    summary = Summary()
    for item in outgoing:
        if ReminderSent.objects.filter(user=item.user, kind=item.kind, occasion=item.occasion).exists():
            summary.already.append(item)
            continue
        if dry_run:
            summary.sent.append(item)
            continue
        email = message(item)
        with transaction.atomic():
            _record, created = ReminderSent.objects.get_or_create(
                user=item.user,
                kind=item.kind,
                occasion=item.occasion,
                defaults={"email": item.user.email, "subject": email.subject[:200], "targets": item.codes},
            )
            if not created:  # another run got there first
                summary.already.append(item)
                continue
            email.send()
        summary.sent.append(item)
    return summary


def run(day: datetime.date | None = None, *, dry_run: bool = False) -> Summary:
    day = day or timezone.localdate()
    return send(collect(day), dry_run=dry_run)


@task()
def send_reminders_task(as_of: str | None = None) -> dict:
    """The daily job, run by the worker (`manage.py db_worker`): emails, then the channels."""
    day = datetime.date.fromisoformat(as_of) if as_of else None
    summary = run(day)
    queued = send_to_channels(day or timezone.localdate())
    logger.info(
        "reminders: %s sent, %s already, %s to channels", len(summary.sent), len(summary.already), queued
    )
    return {**summary.as_dict(), "channel_messages": queued}
