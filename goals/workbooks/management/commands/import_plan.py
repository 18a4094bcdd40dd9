"""Create a plan from a workbook made by export_plan: `import_plan plan.xlsx --year 2025 [--dry-run]`.

All or nothing: a file that is not a valid workbook of this format, or any row that does
not pass the admin's rules, creates nothing, and every problem is listed."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from goals.planning import publication
from goals.workbooks import plan_import
from goals.workbooks.safety import Refused


class Command(BaseCommand):
    help = "从 .xlsx 工作簿导入工作计划(全部成功才保存);--dry-run 只检查不保存。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--year", type=int, help="导入为该年度(默认为工作簿中的年度)")
        parser.add_argument("--dry-run", action="store_true", help="只检查,不保存")

    def handle(self, *args, path: str, year: int | None, dry_run: bool, **options) -> None:
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"找不到文件:{path}")
        try:
            outcome = plan_import.import_plan(file.read_bytes(), year=year, dry_run=dry_run)
        except Refused as refusal:
            raise CommandError(f"未导入:{refusal}") from None
        except plan_import.ImportFailed as failure:
            raise CommandError("未导入,发现以下问题:\n" + "\n".join(failure.problems)) from None
        counts = ",".join(f"{name} {n}" for name, n in outcome.counts.items())
        if dry_run:
            self.stdout.write(f"检查通过(未保存):{outcome.plan.year} 年计划,{counts}。")
        else:
            publication.bump()
            self.stdout.write(f"已导入 {outcome.plan.year} 年计划:{counts}。")
