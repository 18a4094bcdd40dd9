"""Propose a plan from its published text: `propose_plan PATH [--year YEAR] [--json OUT] [--xlsx OUT] [--create]`.

Reads a .txt/.md or .docx file (a newspaper article, a 人代会 notice, a 区政府办公室 通知),
finds its groups (livelihood projects, actions, headings) and the targets in them, and writes
them as JSON (--json; to the screen when no output is named) and/or as the plan workbook that
import_plan reads (--xlsx). Without --create it touches no database: check the proposal, fill
in what the text does not say (departments, due dates), then import the workbook with
import_plan. --create makes the year's **draft** plan at once, as the admin's 从文本新建计划
does (goals.planning.from_text: all or nothing, the whole text kept, audited).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from goals.planning import from_text, proposed
from goals.proposals.documents import Unreadable, read_text
from goals.proposals.parser import as_dict, propose
from goals.workbooks.plan_import import ImportFailed


class Command(BaseCommand):
    help = "从发布的计划原文(.txt 或 .docx)提出计划草案:--json 写出目标清单,--xlsx 写出可由 import_plan 导入的工作簿;不改动数据库。"
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="原文文件(.txt、.md 或 .docx)")
        parser.add_argument("--year", type=int, help="计划年度(默认从原文推断)")
        parser.add_argument("--json", dest="json_out", help="写出 JSON 的文件")
        parser.add_argument("--xlsx", dest="xlsx_out", help="写出计划工作簿(.xlsx)的文件")
        parser.add_argument(
            "--create",
            action="store_true",
            help="直接建立该年度的计划草稿(发布前不公开);该年度已有计划时拒绝,出错时不写入任何内容",
        )

    def handle(
        self,
        *args,
        path: str,
        year: int | None,
        json_out: str | None,
        xlsx_out: str | None,
        create: bool = False,
        **options,
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
        if (xlsx_out or create) and plan.year is None:
            raise CommandError("无法从原文推断年度:请用 --year 指明。")
        files = []
        if xlsx_out:
            files.append((Path(xlsx_out), proposed.workbook(plan, year=plan.year, source=Path(path).name)))
        if json_out:
            files.append((Path(json_out), json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")))
        # With --create, a file that cannot be written undoes the plan too: all or nothing.
        with transaction.atomic() if create else contextlib.nullcontext():
            if create:
                self._create(plan, text, Path(path).name)
            for out, content in files:
                self._write(out, content)
        if not json_out and not xlsx_out and not create:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
            return
        targets = plan.all_targets()
        doubtful = sum(1 for t in targets if t.doubts)
        self.stdout.write(
            f"{plan.year or '年度未知'} 年:{len(plan.groups)} 个项目或行动,{len(targets)} 个目标"
            f"(其中 {doubtful} 个有疑问),{len(plan.context)} 个数字作为背景。"
        )

    def _create(self, plan, text: str, source: str) -> None:
        title = plan.title or f"{plan.year}年工作计划"
        try:
            outcome = from_text.create_draft(
                plan,
                year=plan.year,
                title=title[:200],
                text=text,
                source=source,
                actor=None,
                by="propose_plan",
            )
        except ImportFailed as failure:
            raise CommandError("未建立计划:" + "\n".join(failure.problems)) from None
        made = outcome.plan
        counts = "、".join(f"{name} {n} 个" for name, n in outcome.counts.items() if n)
        self.stdout.write(
            f"已建立 {made.year} 年计划草稿「{made.title}」:{counts}。"
            "草稿发布前不公开:请在后台补充牵头单位等后再发布。"
        )

    def _write(self, path: Path, content: bytes) -> None:
        try:
            path.write_bytes(content)
        except OSError as error:
            raise CommandError(f"无法写入 {path}:{error.strerror}") from None
