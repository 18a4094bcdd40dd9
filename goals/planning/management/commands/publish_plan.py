"""Publish a draft plan: `publish_plan 2025 --by USERNAME` (see goals.planning.states)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from goals.accounts import permissions
from goals.models import Plan
from goals.planning import states
from goals.planning.management.commands.close_plan import actor_named


class Command(BaseCommand):
    help = "发布草稿计划:标题、主题活动、通过日期、来源须为本年度自己的内容;发布后公开网站与公开数据可见。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int, help="计划年度,如 2025")
        parser.add_argument("--by", dest="username", help="执行发布的人(用户名,须有发布权限);记入操作记录")

    def handle(self, *args, year: int, username: str | None, **options) -> None:
        plan = Plan.objects.filter(year=year).first()
        if plan is None:
            raise CommandError(f"没有 {year} 年的工作计划。")
        actor = actor_named(username)
        if actor is not None and not permissions.can_publish_plan(actor):
            raise CommandError(f"未发布:{actor.username} 没有发布工作计划的权限。")
        try:
            states.publish_plan(plan, actor=actor)
        except states.StateError as refusal:
            raise CommandError(f"未发布:{refusal}") from None
        self.stdout.write(f"已发布 {year} 年计划。")
