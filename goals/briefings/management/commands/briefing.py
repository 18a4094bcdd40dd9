"""Write the briefing (督查通报) as of a day to a file: `briefing --as-of 2024-06-30 --format pdf out.pdf`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_date

from goals.briefings import build as briefings
from goals.briefings import docx as briefing_docx
from goals.models import Plan
from goals.planning import publication


class Command(BaseCommand):
    help = "生成督查通报(PDF、Excel 或 Word 公文格式):briefing --as-of 2024-06-30 --format pdf 通报.pdf"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="输出文件")
        parser.add_argument("--as-of", required=True, help="截至日期 YYYY-MM-DD")
        parser.add_argument("--format", choices=["pdf", "xlsx", "docx"], default="pdf")
        parser.add_argument(
            "--year", type=int, help="计划年度(默认按截至日期:当年的计划,1 月为上一年度的年终通报)"
        )
        parser.add_argument("--public", action="store_true", help="公示版:只计审核通过的数据,不含内部说明")
        parser.add_argument("--number", help="发文字号(仅 docx),默认如 经开督〔2024〕6号(月份为序号)")

    def handle(self, *args, path: str, as_of: str, format: str, year: int | None, public: bool, **options):
        try:
            day = parse_date(as_of)
        except ValueError:
            day = None
        if day is None:
            raise CommandError(f"日期“{as_of}”无法识别,请按 YYYY-MM-DD 填写。")
        plan = Plan.objects.filter(year=year).first() if year else publication.plan_for_day(day)
        if plan is None:
            raise CommandError(f"没有 {year or day.year} 年(或之前)的工作计划。")
        # The day the pages would show for it: one verdict per target and day everywhere.
        briefing = briefings.build(plan, publication.evaluation_day(plan, day), public=public)
        if format == "docx":
            data = briefing_docx.to_docx(briefing, number=options.get("number"))
        else:
            data = briefings.to_pdf(briefing) if format == "pdf" else briefings.to_xlsx(briefing)
        Path(path).write_bytes(data)
        self.stdout.write(f"已生成 {briefing.title}:{path}({len(data)} 字节)")
