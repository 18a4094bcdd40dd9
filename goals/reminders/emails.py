"""Reminder emails as they are written: what one email holds (Outgoing), its subject, its
links (absolute, on SITE_URL) and the message in the recipient's language, plain text with an
HTML alternative. Who gets which email, and when, is goals.reminders.services."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from goals.models import ReminderSent

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
    Kind.CONFIRM_WAITING: lambda o: (
        _("【确认提醒】%(n)s 份报告等待部门负责人确认已超过 %(days)s 个工作日")
        % {"n": len(o.items), "days": settings.SIGNOFF_REMINDER_DAYS}
    ),
    Kind.RETURNED_WAITING: lambda o: (
        _("【退回提醒】%(n)s 份被退回的报告已超过 %(days)s 个工作日未修改重报")
        % {"n": len(o.items), "days": settings.SIGNOFF_REMINDER_DAYS}
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
    Kind.CONFIRM_WAITING: "confirm_queue",
    Kind.RETURNED_WAITING: "workspace",
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
