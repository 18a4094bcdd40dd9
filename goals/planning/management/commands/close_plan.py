"""Close a plan's year: `close_plan 2024 [--as-of 2025-01-25] --by USERNAME`.

Stores the final evaluation as of that day (default today); refused before the last
deadline and its grace period, and while reports of the year wait for review."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from goals.accounts import permissions
from goals.models import Plan
from goals.planning import states


def actor_named(username: str | None):
    """The user a command acts as (recorded in the audit trail), or None when not given."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"没有用户名为 {username} 的用户。")
    if not user.is_active:
        raise CommandError(f"用户 {username} 已停用。")
    return user


class Command(BaseCommand):
    help = "为一个年度的计划结项:存档最终评估,此后该年度的公开页面以存档为准,不再接受报告。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int, help="计划年度,如 2024")
        parser.add_argument("--as-of", dest="as_of", help="按这一天的情况存档(YYYY-MM-DD),默认今天")
        parser.add_argument("--by", dest="username", help="执行结项的人(用户名,须有结项权限);记入操作记录")

    def handle(self, *args, year: int, as_of: str | None, username: str | None, **options) -> None:
        day = timezone.localdate()
        if as_of:
            try:
                day = datetime.date.fromisoformat(as_of)
            except ValueError:
                raise CommandError(f"日期“{as_of}”无法识别,请按 YYYY-MM-DD 格式填写。") from None
        plan = Plan.objects.filter(year=year).first()
        if plan is None:
            raise CommandError(f"没有 {year} 年的工作计划。")
        actor = actor_named(username)
        if actor is not None and not permissions.can_close_plan(actor):
            raise CommandError(f"未结项:{actor.username} 没有为工作计划结项的权限。")
        try:
            closed = states.close_plan(plan, actor=actor, as_of=day)
        except states.StateError as refusal:
            raise CommandError(f"未结项:{refusal}") from None
        count = closed.final_records.count()
        self.stdout.write(f"已结项 {year} 年计划:按 {day.isoformat()} 的情况存档 {count} 个目标的最终评估。")
