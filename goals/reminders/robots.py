"""The reminders' messages for department channels (WeCom / DingTalk group robots, a generic
webhook: goals.channels): each department's deadline reminders, the weekly digest and the
reports its head holds too long, in Markdown, queued once per channel per occasion and sent,
with retries, by the worker (goals.channels.deliveries)."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from goals.channels import deliveries
from goals.league import standings as league
from goals.models import Channel, Department, Plan, Target
from goals.planning import publication
from goals.reminders import held
from goals.reminders.emails import SUBJECTS, DueItem, Kind, Outgoing, link
from goals.tracking import schedule
from goals.tracking.evaluation import evaluate_plan


@dataclass
class ChannelMessage:
    channel: Channel
    kind: str
    occasion: str
    title: str
    text: str


def _due_by_department(plan: Plan, facts) -> dict[tuple, list[DueItem]]:
    """{(department id, kind, deadline): the targets it owes a report for}, lead and co-units."""
    co: dict[int, list] = {}
    rows = Target.co_departments.through.objects.filter(target__plan=plan)
    for target_id, department_id in rows.values_list("target_id", "department_id"):
        co.setdefault(target_id, []).append(department_id)
    due: dict[tuple, list[DueItem]] = {}
    for item in facts.values():
        if item.due is None or not (item.due.overdue or item.due.days <= settings.REMINDER_DAYS_BEFORE):
            continue
        kind = Kind.AFTER_DEADLINE if item.due.overdue else Kind.BEFORE_DEADLINE
        t, period = item.tp.target, item.due.period
        for department_id in dict.fromkeys(d for d in [t.lead_department_id, *co.get(t.pk, [])] if d):
            entry = DueItem(t.code, t.name, "", str(period), period.deadline, item.due.days)
            due.setdefault((department_id, kind, period.deadline), []).append(entry)
    return due


def channel_messages(day: datetime.date, plan: Plan | None = None) -> list[ChannelMessage]:
    """Each enabled channel's messages on `day`: its department's deadline reminders, the digest."""
    plan = plan or publication.public_plan()
    channels = list(Channel.objects.filter(enabled=True).select_related("department"))
    if plan is None or not channels:
        return []
    result = evaluate_plan(plan, day)
    facts = schedule.reporting_facts(result, day, schedule.STAFF_STATES)
    found = []
    with translation.override(settings.LANGUAGE_CODE):
        due = _due_by_department(plan, facts)
        for (department_id, kind, deadline), items in sorted(due.items(), key=lambda kv: kv[0][2:0:-1]):
            occasion = Outgoing(None, kind, deadline.isoformat(), items)
            title = SUBJECTS[kind](occasion)
            context = {"title": title, "kind": kind, "deadline": deadline, "link": link("workspace")}
            context["items"] = sorted(items, key=lambda i: i.code)
            for channel in (c for c in channels if c.department_id == department_id):
                extra = {"department": channel.department.name, "robot": channel.kind}
                text = render_to_string("channels/deadline.md", {**context, **extra})
                found.append(ChannelMessage(channel, kind, occasion.occasion, title, text))
        if day.weekday() == settings.DIGEST_WEEKDAY:
            year, week, _weekday = day.isocalendar()
            lights = Counter(tp.light for tp in result.top_level())
            rows = {r.department.pk: r for r in league.build(result, facts, Department.objects.all())}
            digest = Outgoing(None, Kind.WEEKLY_DIGEST, f"{year}-W{week:02d}", [], {"plan": plan})
            title = SUBJECTS[Kind.WEEKLY_DIGEST](digest)
            for channel in channels:
                context = {"title": title, "plan": plan, "day": day, "lights": lights, "link": link("league")}
                context |= {"row": rows.get(channel.department_id), "department": channel.department.name}
                text = render_to_string("channels/digest.md", context)
                found.append(ChannelMessage(channel, Kind.WEEKLY_DIGEST, digest.occasion, title, text))
        found += [ChannelMessage(*message) for message in held.head_channel_messages(plan, day, channels)]
    return found


def send_to_channels(day: datetime.date, plan: Plan | None = None, *, dry_run: bool = False) -> int:
    """Queue each channel message not queued before (the worker sends them); how many were new."""
    queued = 0
    for m in channel_messages(day, plan):
        if dry_run:
            queued += 1
            continue
        done = deliveries.queue(m.channel, kind=m.kind, occasion=m.occasion, title=m.title, text=m.text)
        queued += done is not None
    return queued
