"""Send today's updates to residents who follow items, and purge what is no longer needed
(or enqueue that for the worker)."""

from __future__ import annotations

from goals.operations.management.daily import DailyJobCommand
from goals.participation import updates


class Command(DailyJobCommand):
    help = "向关注目标的居民发送更新邮件(每人每项每天至多一封;每周汇总在汇总日发送),并删除不再需要的邮箱。"
    task = updates.send_follow_updates_task
    dry_run_help = "只列出将发送的邮件,不发送、不记录、不删除"

    def run(self, day, *, dry_run: bool, verb: str) -> None:
        summary = updates.run(day, dry_run=dry_run)
        for item in summary.sent:
            codes = " ".join(change.item.code for change in item.changes)
            self.stdout.write(f"{verb} {'weekly' if item.weekly else 'update'} → {item.email}:{codes}")
        self.stdout.write(f"{verb} {len(summary.sent)} 封;今天已发送、本次跳过 {len(summary.already)} 封。")
        if summary.purged:
            self.stdout.write("已清理:" + ",".join(f"{k} {v}" for k, v in summary.purged.items()))
