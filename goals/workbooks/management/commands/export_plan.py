"""Write a whole plan to a workbook: `export_plan 2024 plan-2024.xlsx`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from goals.models import Plan
from goals.workbooks import plan as plan_workbook


class Command(BaseCommand):
    help = "把某年度的工作计划导出为 .xlsx 工作簿(可再用 import_plan 导入)。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("path")

    def handle(self, *args, year: int, path: str, **options) -> None:
        plan = Plan.objects.filter(year=year).first()
        if plan is None:
            raise CommandError(f"没有 {year} 年的工作计划。")
        data = plan_workbook.export(plan)
        Path(path).write_bytes(data)
        self.stdout.write(f"已导出 {year} 年计划:{path}({len(data)} 字节)")
