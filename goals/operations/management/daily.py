"""What the daily jobs' commands share: `--as-of DAY`, `--dry-run`, and `--enqueue` (hand the
job to the task worker, as the timer does, instead of running it at once)."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser


class DailyJobCommand(BaseCommand):
    """A command that runs one day's job now, or enqueues it for the worker.

    Subclasses name the task (`task`, a django.tasks task taking `as_of` as ISO text or
    None), say what a dry run leaves undone (`dry_run_help`), and print what the job did
    in `run`.
    """

    task = None
    dry_run_help = "只列出将发送的内容,不发送也不记录"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", dest="as_of", help="按这一天计算(YYYY-MM-DD),默认今天")
        parser.add_argument("--dry-run", action="store_true", dest="dry_run", help=self.dry_run_help)
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
            result = self.task.enqueue(as_of=day.isoformat() if day else None)
            self.stdout.write(f"已加入后台任务队列:{result.id}")
            return
        self.run(day, dry_run=dry_run, verb="将发送" if dry_run else "已发送")

    def run(self, day: datetime.date | None, *, dry_run: bool, verb: str) -> None:
        raise NotImplementedError
