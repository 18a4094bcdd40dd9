"""Send today's reminder emails at once (or enqueue them for the worker)."""

from __future__ import annotations

from django.utils import timezone

from goals.operations.management.daily import DailyJobCommand
from goals.reminders import services as reminders


class Command(DailyJobCommand):
    help = "发送报送提醒邮件(截止前、逾期、待审核、每周汇总);每人每个事由只发一次。"
    task = reminders.send_reminders_task
    dry_run_help = "只列出将发送的提醒,不发送也不记录"

    def run(self, day, *, dry_run: bool, verb: str) -> None:
        summary = reminders.run(day, dry_run=dry_run)
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
