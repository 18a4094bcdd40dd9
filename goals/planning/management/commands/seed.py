"""Load the 2024 plan and 2023 results from fixtures/, once.

Reloading a fixture over a live database would put back the seeded values of every
field it holds (an admin's edits, targets' departments), so a plan that is already
there is left alone unless --force is given.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from goals.models import Plan, ReportedFigure, Target
from goals.operations import statistics

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SEED_FILES = ["plan-2024.json", "results-2023.json"]


def seed_year() -> int:
    data = json.loads((FIXTURES / SEED_FILES[0]).read_text(encoding="utf-8"))
    return next(item["fields"]["year"] for item in data if item["model"] == "goals.plan")


class Command(BaseCommand):
    help = "载入 2024 年工作计划与 2023 年成绩(已载入则跳过)。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="即使已载入也重新载入(会覆盖管理员对这些记录的修改)"
        )

    def handle(self, *args, force: bool, **options) -> None:
        year = seed_year()
        if Plan.objects.filter(year=year).exists() and not force:
            self.stdout.write(f"{year} 年计划已载入,跳过(用 --force 重新载入)。")
            return
        call_command("loaddata", *(FIXTURES / name for name in SEED_FILES), verbosity=0)
        statistics.refresh()
        plan = Plan.objects.get(year=year)
        self.stdout.write(
            f"已载入 {year} 年计划:{Target.objects.filter(plan=plan).count()} 个目标,"
            f"{ReportedFigure.objects.filter(plan=plan).count()} 项往年成绩。"
        )
