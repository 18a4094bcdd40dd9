"""Reminder emails, sent by a background job (never inside a request).

Who gets what, on a day (`collect`), and sending it once (`send`):

- **before a deadline** (REMINDER_DAYS_BEFORE days ahead, and on the day): the officials of
  each department (lead or co-department) with targets whose report for the period is due
  and not in yet;
- **after a deadline**: the same officials, for targets whose report is still missing;
- **reviewers**, when reports have waited for review more than REVIEW_REMINDER_AFTER_DAYS;
- a **weekly digest** to admins on DIGEST_WEEKDAY: targets by light, and per department;
- **residents' questions** (数据问询) past their answer deadline: daily, to the officials of
  the department that must answer them (goals.participation).

One email per person per occasion (a deadline, a day, a week): the occasion is recorded in
ReminderSent under a unique constraint before the email goes, so running the job twice sends
nothing new. Targets already done owe nothing and are never mentioned. A user may opt out in
the staff pages (ReminderPreference), unless the plan makes deadline reminders mandatory.
Emails are in Chinese, or English for those who chose it; plain text and HTML; links are
absolute, on SITE_URL (see `site_origin` for the fallback).

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
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from goals.accounts import permissions
from goals.league import standings as league
from goals.models import Department, Plan, Question, ReminderPreference, ReminderSent, Report, Target
from goals.planning import publication
from goals.tracking import schedule
from goals.tracking.evaluation import evaluate_plan

logger = logging.getLogger(__name__)
Kind = ReminderSent.Kind
DEADLINE_KINDS = {Kind.BEFORE_DEADLINE, Kind.AFTER_DEADLINE}


def site_origin() -> str:
    """SITE_URL; without it (a job has no request), the first of ALLOWED_HOSTS over https,
    or http://127.0.0.1:8000 on a development machine (DEBUG)."""
    if settings.SITE_URL:
        return settings.SITE_URL
    hosts = [h.lstrip(".") for h in settings.ALLOWED_HOSTS if h not in ("*", "")]
    if settings.DEBUG or not hosts:
        return "http://127.0.0.1:8000"
    return f"https://{hosts[0]}"


def link(name: str) -> str:
    """An absolute link to a named URL in the active language."""
    return site_origin() + reverse(name)


@dataclass
class Outgoing:
    user: object
    kind: str
    occasion: str
    items: list = field(default_factory=list)  # what the email lists
    extra: dict = field(default_factory=dict)

    @property
    def codes(self) -> list[str]:
        return [getattr(item, "code", str(item)) for item in self.items]


@dataclass
class DueItem:
    code: str
    name: str
    department: str
    period: str
    deadline: datetime.date
    days: int


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
        due, target = item.due, item.tp.target
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
                outgoing = found.setdefault(key, Outgoing(user, kind, due.period.deadline.isoformat()))
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


def _review_reminders(plan: Plan, day: datetime.date, users) -> list[Outgoing]:
    # Waited more than N days: submitted before the day N days ago.
    limit = day - datetime.timedelta(days=settings.REVIEW_REMINDER_AFTER_DAYS + 1)
    cutoff = timezone.make_aware(datetime.datetime.combine(limit, datetime.time.max))
    waiting = list(
        Report.objects.pending()
        .filter(target__plan=plan, created_at__lte=cutoff)
        .select_related("target")
        .order_by("created_at", "id")
    )
    if not waiting:
        return []
    reviewers = [u for u in users if permissions.can_review(u)]
    found = []
    for user in reviewers:
        mine = [r for r in waiting if r.author_id != user.pk]
        if mine:
            found.append(Outgoing(user, Kind.REVIEW_WAITING, day.isoformat(), mine))
    return found


def _digest(plan: Plan, day: datetime.date, result, facts, users) -> list[Outgoing]:
    if day.weekday() != settings.DIGEST_WEEKDAY:
        return []
    admins = [u for u in users if permissions.is_admin(u)]
    if not admins:
        return []
    year, week, _weekday = day.isocalendar()
    lights = Counter(tp.light for tp in result.top_level())
    rows = league.build(result, facts, Department.objects.order_by("order", "name"))
    extra = {"lights": lights, "rows": rows}
    return [Outgoing(user, Kind.WEEKLY_DIGEST, f"{year}-W{week:02d}", [], extra) for user in admins]


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
    found: dict[int, Outgoing] = {}
    for question in overdue:
        for user in members.get(question.department_id, []):
            outgoing = found.setdefault(user.pk, Outgoing(user, Kind.QUESTIONS_OVERDUE, day.isoformat()))
            outgoing.items.append(question)
    return list(found.values())


def collect(day: datetime.date, plan: Plan | None = None) -> list[Outgoing]:
    """Every reminder due on `day`, before the opt-outs and what was already sent."""
    plan = plan or publication.public_plan()
    if plan is None:
        return []
    users = _recipients()
    result = evaluate_plan(plan, day)
    facts = schedule.reporting_facts(result, day, schedule.STAFF_STATES)
    found = _deadline_reminders(plan, day, result, facts, users)
    found += _review_reminders(plan, day, users)
    found += _digest(plan, day, result, facts, users)
    found += _question_reminders(plan, day, users)
    prefs = _preferences([o.user for o in found])
    kept = []
    for outgoing in found:
        pref = prefs[outgoing.user.pk]
        mandatory = plan.deadline_reminders_mandatory and outgoing.kind in DEADLINE_KINDS
        if pref.opt_out and not mandatory:
            continue
        outgoing.extra["language"] = pref.language
        outgoing.extra["plan"] = plan
        outgoing.extra["day"] = day
        kept.append(outgoing)
    return kept


SUBJECTS = {
    Kind.BEFORE_DEADLINE: lambda o: (
        _("【报送提醒】%(n)s 项目标须于 %(deadline)s 前报送进度")
        % {"n": len(o.items), "deadline": o.occasion}
    ),
    Kind.AFTER_DEADLINE: lambda o: (
        _("【逾期提醒】%(n)s 项目标 %(deadline)s 截止的进度尚未报送")
        % {"n": len(o.items), "deadline": o.occasion}
    ),
    Kind.REVIEW_WAITING: lambda o: (
        _("【审核提醒】%(n)s 份报告等待审核已超过 %(days)s 天")
        % {"n": len(o.items), "days": settings.REVIEW_REMINDER_AFTER_DAYS}
    ),
    Kind.WEEKLY_DIGEST: lambda o: (
        _("【每周汇总】%(year)s 年工作目标亮灯情况(%(week)s)")
        % {"year": o.extra["plan"].year, "week": o.occasion}
    ),
    Kind.QUESTIONS_OVERDUE: lambda o: _("【问询提醒】%(n)s 条居民数据问询已过答复期限") % {"n": len(o.items)},
}
LINKS = {
    Kind.BEFORE_DEADLINE: "workspace",
    Kind.AFTER_DEADLINE: "workspace",
    Kind.REVIEW_WAITING: "review_queue",
    Kind.WEEKLY_DIGEST: "staff_league",
    Kind.QUESTIONS_OVERDUE: "staff_questions",
}


def message(outgoing: Outgoing) -> EmailMultiAlternatives:
    """The email, in the recipient's language: plain text with an HTML alternative."""
    with translation.override(outgoing.extra.get("language") or settings.LANGUAGE_CODE):
        context = {
            "o": outgoing,
            "user": outgoing.user,
            "name": outgoing.user.get_full_name() or outgoing.user.get_username(),
            "items": outgoing.items,
            "link": link(LINKS[outgoing.kind]),
            "preferences_link": link("reminder_preferences"),
            "mandatory": outgoing.kind in DEADLINE_KINDS
            and outgoing.extra["plan"].deadline_reminders_mandatory,
            **outgoing.extra,
        }
        subject = SUBJECTS[outgoing.kind](outgoing)
        text = render_to_string(f"emails/reminder_{outgoing.kind}.txt", context)
        html = render_to_string("emails/reminder.html", {**context, "subject": subject})
    email = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [outgoing.user.email])
    email.attach_alternative(html, "text/html")
    return email


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
    """The daily job, run by the worker (`manage.py db_worker`)."""
    day = datetime.date.fromisoformat(as_of) if as_of else None
    summary = run(day)
    logger.info("reminders: %s sent, %s already sent", len(summary.sent), len(summary.already))
    return summary.as_dict()
