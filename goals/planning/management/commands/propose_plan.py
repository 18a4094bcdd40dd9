"""Propose a plan from its published text: `propose_plan PATH [--year YEAR] [--json OUT] [--xlsx OUT]`.

Reads a .txt/.md or .docx file (a newspaper article, a 人代会 notice, a 区政府办公室 通知),
finds its groups (livelihood projects, actions, headings) and the targets in them, and writes
them as JSON (--json; to the screen when no output is named) and/or as the plan workbook that
import_plan reads (--xlsx). Touches no database: check the proposal, fill in what the text
does not say (departments, due dates), then import the workbook with import_plan.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from goals.planning import proposed
from goals.proposals.documents import Unreadable, read_text
from goals.proposals.parser import as_dict, propose


class Command(BaseCommand):
    help = "从发布的计划原文(.txt 或 .docx)提出计划草案:--json 写出目标清单,--xlsx 写出可由 import_plan 导入的工作簿;不改动数据库。"
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="原文文件(.txt、.md 或 .docx)")
        parser.add_argument("--year", type=int, help="计划年度(默认从原文推断)")
        parser.add_argument("--json", dest="json_out", help="写出 JSON 的文件")
        parser.add_argument("--xlsx", dest="xlsx_out", help="写出计划工作簿(.xlsx)的文件")

    def handle(
        self, *args, path: str, year: int | None, json_out: str | None, xlsx_out: str | None, **options
    ):
        if year is not None and not 2000 <= year <= 2100:
            raise CommandError(f"年度应在 2000 到 2100 之间:{year}")
        try:
            text = read_text(Path(path))
        except Unreadable as problem:
            raise CommandError(str(problem)) from None
        plan = propose(text, year=year)
        if not plan.groups:
            raise CommandError(
                "原文中没有找到计划清单(如「一、…」「(一)…」「1.…」「项目一」或「分别为:…」列出的项目)。"
            )
        data = as_dict(plan)
        outputs = [(json_out, "json"), (xlsx_out, "xlsx")]
        for out, _kind in outputs:
            if out and Path(out).resolve() == Path(path).resolve():
                raise CommandError("输出文件不能覆盖原文文件。")
        if xlsx_out:
            if plan.year is None:
                raise CommandError("无法从原文推断年度:请用 --year 指明。")
            content = proposed.workbook(plan, year=plan.year, source=Path(path).name)
            self._write(Path(xlsx_out), content)
        if json_out:
            self._write(Path(json_out), json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
        if not json_out and not xlsx_out:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
            return
        targets = plan.all_targets()
        doubtful = sum(1 for t in targets if t.doubts)
        self.stdout.write(
            f"{plan.year or '年度未知'} 年:{len(plan.groups)} 个项目或行动,{len(targets)} 个目标"
            f"(其中 {doubtful} 个有疑问),{len(plan.context)} 个数字作为背景。"
        )

    def _write(self, path: Path, content: bytes) -> None:
        try:
            path.write_bytes(content)
        except OSError as error:
            raise CommandError(f"无法写入 {path}:{error.strerror}") from None
