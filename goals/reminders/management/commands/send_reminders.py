"""Send today's reminder emails at once (or enqueue them for the worker)."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from goals.reminders import services as reminders


class Command(BaseCommand):
    help = "发送报送提醒邮件(截止前、逾期、待审核、每周汇总);每人每个事由只发一次。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", dest="as_of", help="按这一天计算(YYYY-MM-DD),默认今天")
        parser.add_argument(
            "--dry-run", action="store_true", dest="dry_run", help="只列出将发送的提醒,不发送也不记录"
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
            result = reminders.send_reminders_task.enqueue(as_of=day.isoformat() if day else None)
            self.stdout.write(f"已加入后台任务队列:{result.id}")
            return
        summary = reminders.run(day, dry_run=dry_run)
        verb = "将发送" if dry_run else "已发送"
        for item in summary.sent:
            self.stdout.write(
                f"{verb} {item.kind} {item.occasion} → {item.user.get_username()} <{item.user.email}>"
                + (f":{' '.join(item.codes)}" if item.codes else "")
            )
        self.stdout.write(f"{verb} {len(summary.sent)} 封;此前已发送、本次跳过 {len(summary.already)} 封。")
        queued = reminders.send_to_channels(day or timezone.localdate(), dry_run=dry_run)
        if queued:
            # Queued here, sent by the worker (db_worker), with retries.
            self.stdout.write(f"{'将发往' if dry_run else '已排队发往'}群机器人等通知渠道 {queued} 条消息。")
