"""Updates to followers, sent by a background job (never inside a request).

Each confirmed follow remembers what its follower was last told (Follow.snapshot: each
target's approved figure, status and light). On a run, every followed item is compared with
how it stands on the day; a follower hears about the items that changed: at once (one email
a day at most) or, having chosen the weekly digest, on DIGEST_WEEKDAY. All of one
address's changes in one language go in one email. Each item sent is logged in FollowSent
under a unique (address, item, day) constraint before the email goes, so a second run the
same day sends nothing; addresses that never confirmed get nothing.

Scheduled like the staff reminders: `send_follow_updates_task` is enqueued daily
(`manage.py send_follow_updates --enqueue`) and run by `manage.py db_worker`;
`manage.py send_follow_updates [--as-of DATE] [--dry-run]` runs the same at once. The run
also purges what is no longer needed (goals.participation.questions.purge, stale pending follows).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from goals.models import Follow, FollowSent, Plan
from goals.participation import mail, questions, states, tokens
from goals.rules.progress import Light, Status
from goals.tracking.evaluation import evaluate_plan

logger = logging.getLogger(__name__)


@dataclass
class Change:
    follow: Follow
    item: states.Item
    now: dict[str, list[str]]
    changed: list[tuple[str, list[str] | None, list[str]]]  # (code, before, after)
    names: dict[str, str] = field(default_factory=dict)


@dataclass
class Outgoing:
    email: str
    language: str
    weekly: bool
    changes: list[Change] = field(default_factory=list)


def _label(kind, value: str) -> str:
    try:
        return str(kind(value).label)
    except ValueError:
        return value


def collect(day: datetime.date) -> list[Outgoing]:
    """Every email due on `day`: the items that changed since their followers were last told."""
    follows = list(Follow.objects.filter(confirmed_at__isnull=False).select_related("plan").order_by("id"))
    weekly_day = day.weekday() == settings.DIGEST_WEEKDAY
    results: dict[int, object] = {}
    items: dict[tuple, states.Item | None] = {}
    found: dict[tuple[str, str, bool], Outgoing] = {}
    for follow in follows:
        weekly = follow.frequency == Follow.Frequency.WEEKLY
        if weekly and not weekly_day:
            continue
        plan: Plan = follow.plan
        if plan.pk not in results:
            results[plan.pk] = evaluate_plan(plan, states.day_for(plan, day))
        key = (plan.pk, follow.kind, follow.code)
        if key not in items:  # many followers of one item: looked up once
            items[key] = states.find(plan, follow.kind, follow.code)
        item = items[key]
        if item is None:
            continue
        covered = states.progresses(results[plan.pk], follow.kind, follow.code)
        now = states.states(results[plan.pk], follow.kind, follow.code)
        names = {tp.target.code: tp.target.name for tp in covered}
        before = follow.snapshot or {}
        changed = [
            (code, before.get(code), value) for code, value in now.items() if before.get(code) != value
        ]
        if not changed:
            continue
        outgoing = found.setdefault(
            (follow.email, follow.language, weekly), Outgoing(follow.email, follow.language, weekly)
        )
        outgoing.changes.append(Change(follow, item, now, changed, names))
    return list(found.values())


def _entry(change: Change) -> mail.Entry:
    lines = []
    for code, before, after in change.changed:
        value = after[0] or _("尚未填报")
        line = _("%(code)s %(name)s:当前值 %(value)s,%(status)s,%(light)s") % {
            "code": code,
            "name": change.names.get(code, ""),
            "value": value,
            "status": _label(Status, after[1]),
            "light": _label(Light, after[2]),
        }
        if before and before[0] != after[0]:
            line += _("(此前 %(value)s)") % {"value": before[0] or _("尚未填报")}
        lines.append(line)
    return mail.Entry(
        title=change.item.label,
        lines=lines,
        link=mail.site_origin() + change.item.path,
        link_label=_("查看详情"),
        extra_link=mail.absolute("follow_unsubscribe", tokens.make("unsubscribe", change.follow.pk)),
        extra_label=_("不再关注此项"),
    )


def letter(outgoing: Outgoing) -> mail.Letter:
    with translation.override(outgoing.language):
        n = len(outgoing.changes)
        if outgoing.weekly:
            subject = _("【每周关注】%(n)s 项有更新") % {"n": n}
        elif n == 1:
            subject = _("【关注更新】%(item)s") % {"item": outgoing.changes[0].item.label}
        else:
            subject = _("【关注更新】%(n)s 项有更新") % {"n": n}
        one = outgoing.changes[0].follow if n == 1 else None
        unsubscribe = (
            mail.absolute("follow_unsubscribe", tokens.make("unsubscribe", one.pk))
            if one
            else mail.absolute("follow_unsubscribe_all", tokens.make("manage", outgoing.email))
        )
        return mail.Letter(
            to=outgoing.email,
            language=outgoing.language,
            subject=subject,
            paragraphs=[_("您关注的以下内容有更新(经审核通过的数据、状态或亮灯):")],
            entries=[_entry(change) for change in outgoing.changes],
            unsubscribe=unsubscribe,
        )


@dataclass
class Summary:
    sent: list[Outgoing] = field(default_factory=list)
    already: list[Outgoing] = field(default_factory=list)
    purged: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "sent": [[o.email.split("@")[-1], len(o.changes)] for o in self.sent],
            "already_sent": len(self.already),
            "purged": self.purged,
        }


def send(outgoing: list[Outgoing], day: datetime.date, *, dry_run: bool = False) -> Summary:
    """Log then send each email; the log and the new snapshots roll back if sending fails."""
    summary = Summary()
    for item in outgoing:
        # Items this address already heard of today wait for tomorrow; the others still go.
        told = set(
            FollowSent.objects.filter(
                email=item.email, item__in=[c.follow.item for c in item.changes], day=day
            ).values_list("item", flat=True)
        )
        if told:
            item.changes = [c for c in item.changes if c.follow.item not in told]
        if not item.changes:
            summary.already.append(item)
            continue
        items = [c.follow.item for c in item.changes]
        if dry_run:
            summary.sent.append(item)
            continue
        email = mail.build(letter(item))
        try:
            with transaction.atomic():
                FollowSent.objects.bulk_create([FollowSent(email=item.email, item=i, day=day) for i in items])
                for change in item.changes:
                    Follow.objects.filter(pk=change.follow.pk).update(snapshot=change.now)
                email.send()
        except IntegrityError:  # another run got there first
            summary.already.append(item)
            continue
        summary.sent.append(item)
    return summary


def purge(day: datetime.date) -> dict[str, int]:
    stale = timezone.make_aware(datetime.datetime.combine(day, datetime.time.max)) - datetime.timedelta(
        days=7
    )
    pending, _rows = Follow.objects.filter(confirmed_at__isnull=True, created_at__lt=stale).delete()
    keep = day - datetime.timedelta(days=max(settings.QUESTION_EMAIL_KEEP_DAYS, 8))
    old_log, _rows = FollowSent.objects.filter(day__lt=keep).delete()
    return {"unconfirmed_follows_deleted": pending, "sent_log_deleted": old_log, **questions.purge(day)}


def run(day: datetime.date | None = None, *, dry_run: bool = False) -> Summary:
    day = day or timezone.localdate()
    summary = send(collect(day), day, dry_run=dry_run)
    if not dry_run:
        summary.purged = purge(day)
    return summary


@task()
def send_follow_updates_task(as_of: str | None = None) -> dict:
    """The daily job, run by the worker (`manage.py db_worker`)."""
    day = datetime.date.fromisoformat(as_of) if as_of else None
    summary = run(day)
    logger.info("follow updates: %s sent, %s already sent", len(summary.sent), len(summary.already))
    return summary.as_dict()
