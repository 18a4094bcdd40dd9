"""Write a plan's assignment of duties to a workbook: `export_duties 2024 duties-2024.xlsx`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from goals.models import Plan
from goals.workbooks import duties


class Command(BaseCommand):
    help = "把某年度计划的分工方案(牵头单位、配合单位、分管领导、联系人)导出为 .xlsx(可再用 import_duties 导入)。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("path")

    def handle(self, *args, year: int, path: str, **options) -> None:
        plan = Plan.objects.filter(year=year).first()
        if plan is None:
            raise CommandError(f"没有 {year} 年的工作计划。")
        data = duties.export(plan)
        Path(path).write_bytes(data)
        self.stdout.write(f"已导出 {year} 年分工方案:{path}({len(data)} 字节)")
