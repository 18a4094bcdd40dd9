"""Send today's updates to residents who follow items, and purge what is no longer needed
(or enqueue that for the worker)."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser

from goals.participation import updates


class Command(BaseCommand):
    help = "向关注目标的居民发送更新邮件(每人每项每天至多一封;每周汇总在汇总日发送),并删除不再需要的邮箱。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", dest="as_of", help="按这一天计算(YYYY-MM-DD),默认今天")
        parser.add_argument(
            "--dry-run", action="store_true", dest="dry_run", help="只列出将发送的邮件,不发送、不记录、不删除"
        )
        parser.add_argument(
            "--enqueue", action="store_true", help="交给后台任务(db_worker)执行,而不是立即发送(供定时器使用)"
        )

    def handle(self, *args, as_of: str | None, dry_run: bool, enqueue: bool, **options) -> None:
        day = None
        if as_of:
            try:
                day = datetime.date.fromisoformat(as_of)
            except ValueError:
                raise CommandError(f"日期“{as_of}”无法识别,请按 YYYY-MM-DD 格式填写。") from None
        if enqueue:
            if dry_run:
                raise CommandError("--enqueue 不能与 --dry-run 一起使用。")
            result = updates.send_follow_updates_task.enqueue(as_of=day.isoformat() if day else None)
            self.stdout.write(f"已加入后台任务队列:{result.id}")
            return
        summary = updates.run(day, dry_run=dry_run)
        verb = "将发送" if dry_run else "已发送"
        for item in summary.sent:
            codes = " ".join(change.item.code for change in item.changes)
            self.stdout.write(f"{verb} {'weekly' if item.weekly else 'update'} → {item.email}:{codes}")
        self.stdout.write(f"{verb} {len(summary.sent)} 封;今天已发送、本次跳过 {len(summary.already)} 封。")
        if summary.purged:
            self.stdout.write("已清理:" + ",".join(f"{k} {v}" for k, v in summary.purged.items()))
