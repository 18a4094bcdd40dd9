"""Assign duties from a workbook made by export_duties: `import_duties duties.xlsx [--dry-run]`.

All or nothing: any unknown code, department or leader (named with its row and column)
changes nothing. Each changed target is audited (调整分工, by 分工方案命令)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from goals.workbooks import duties
from goals.workbooks.safety import Refused

LABELS = {
    "lead_department": "牵头单位",
    "co_departments": "配合单位",
    "leader": "分管领导",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
}


def text(value) -> str:
    if isinstance(value, list):
        value = "、".join(value)
    return value or "—"


class Command(BaseCommand):
    help = "从 .xlsx 分工方案设置目标的牵头单位、配合单位、分管领导和联系人(全部无误才保存);--dry-run 只检查不保存。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--year", type=int, help="计划年度(默认取工作表名称中的年度)")
        parser.add_argument("--dry-run", action="store_true", help="只检查,不保存")

    def handle(self, *args, path: str, year: int | None, dry_run: bool, **options) -> None:
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"找不到文件:{path}")
        try:
            reading = duties.read(file.read_bytes(), year=year)
        except Refused as refusal:
            raise CommandError(f"未导入:{refusal}") from None
        except duties.ImportFailed as failure:
            raise CommandError("未导入,发现以下问题:\n" + "\n".join(failure.problems)) from None
        for row in reading.changed:
            changes = ";".join(
                f"{LABELS[key]}:{text(row.before[key])} → {text(row.after[key])}"
                for key in row.after
                if row.before[key] != row.after[key]
            )
            self.stdout.write(f"{row.target.code} {changes}")
        if dry_run:
            self.stdout.write(
                f"检查通过(未保存):{reading.plan.year} 年,{len(reading.rows)} 行,{len(reading.changed)} 个目标将调整分工。"
            )
            return
        changed = duties.apply(reading, None, by="分工方案命令")
        self.stdout.write(f"已导入 {reading.plan.year} 年分工方案:{changed} 个目标调整了分工。")
