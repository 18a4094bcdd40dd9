"""Carry a year's unfinished targets into the next plan: `carry_targets 2024 2025 [--copy-structure]`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from goals.models import Plan
from goals.planning import carryover, publication


class Command(BaseCommand):
    help = (
        "把上一年度未完成的目标结转到下一年度计划(链接到上年目标);--copy-structure 先按上年结构建立新计划。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=int, help="上一年度,如 2024")
        parser.add_argument("into", type=int, help="新年度,如 2025")
        parser.add_argument(
            "--include-done",
            action="store_true",
            dest="include_done",
            help="已完成的目标也结转(默认只结转未完成的)",
        )
        parser.add_argument(
            "--copy-structure",
            action="store_true",
            help="新年度计划不存在时,复制上年的经开、行动、举措与民生实事项目",
        )

    def handle(
        self, *args, source: int, into: int, copy_structure: bool, include_done: bool, **options
    ) -> None:
        if into <= source:
            raise CommandError("新年度须晚于上一年度。")
        old = Plan.objects.filter(year=source).first()
        if old is None:
            raise CommandError(f"没有 {source} 年的工作计划。")
        new = Plan.objects.filter(year=into).first()
        if new is None:
            if not copy_structure:
                raise CommandError(f"没有 {into} 年的工作计划:先用 import_plan 导入,或加 --copy-structure。")
            new = carryover.copy_structure(old, into)
            self.stdout.write(
                f"已按 {source} 年结构建立 {into} 年计划(草稿):发布前请填写本年度的标题、主题活动、通过日期和来源。"
            )
        done = carryover.carry(old, new, include_done=include_done)
        publication.bump()
        self.stdout.write(
            f"结转完成:新建 {len(done.created)} 个目标,链接 {len(done.linked)} 个已有目标,跳过 {len(done.skipped)} 个。"
        )
        proposed = [t for t in done.created if t.proposed_value is not None]
        if proposed:
            self.stdout.write(f"其中 {len(proposed)} 个按上年剩余部分建议了目标值,请在后台确认(采用或改定):")
            for target in proposed:
                self.stdout.write(
                    f"  {target.code}:原目标 {target.target_value.normalize():f},建议 {target.proposed_value.normalize():f}"
                )
        for target, reason in done.skipped:
            self.stdout.write(f"  跳过 {target.code}:{reason}")
