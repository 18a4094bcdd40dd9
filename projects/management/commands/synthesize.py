"""Generate a synthetic plan with targets of every kind and reports, for benchmarks and tests.

Synthetic plans live in years 9000 and up and carry 【合成数据】 in their title, so they can
never be mistaken for, or mixed with, the real seed. The run command never loads them.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from goals.models import Action, Measure, Pillar, Plan, Report, Scale, Target, TargetGroup
from goals.operations import statistics
from projects.models import Project

SYNTHETIC_YEARS_FROM = 9000
KINDS = [k.value for k in Target.Kind]


def make_target(plan: Plan, group: TargetGroup, code: str, order: int, rng: random.Random) -> Target:
    kind = KINDS[order % len(KINDS)]
    target = Target(
        plan=plan,
        group=group,
        code=code,
        name=f"合成指标 {code}",
        wording=f"合成指标 {code}",
        kind=kind,
        unit="个",
        order=order,
        source_clause="合成数据,非原文",
        scale=Scale.ONE,
    )
    if kind == Target.Kind.RANGE:
        target.target_value = Decimal(rng.randint(2, 50))
        target.target_upper = target.target_value + rng.randint(1, 5)
    elif kind == Target.Kind.AT_MOST:
        target.target_value = Decimal(0)
        target.unit = "起"
    elif kind == Target.Kind.LEVEL:
        target.target_value = Decimal(rng.randint(50, 95))
        target.baseline_value = target.target_value - rng.randint(5, 30)
        target.unit = "%"
    elif kind != Target.Kind.MILESTONE:
        target.target_value = Decimal(rng.randint(10, 5000))
    return target


def report_value(target: Target, share: float, rng: random.Random) -> Decimal:
    if target.kind == Target.Kind.MILESTONE:
        return Decimal(min(100, int(share * 110)))
    if target.kind == Target.Kind.AT_MOST:
        return Decimal(1 if rng.random() < 0.05 else 0)
    goal = target.target_value
    return (goal * Decimal(str(round(share * rng.uniform(0.7, 1.3), 3)))).quantize(Decimal("0.01"))


class Command(BaseCommand):
    help = "生成合成计划、目标与报告(年份 ≥ 9000,仅用于测试与性能基准)。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, default=SYNTHETIC_YEARS_FROM)
        parser.add_argument("--projects", type=int, default=10)
        parser.add_argument("--actions", type=int, default=7)
        parser.add_argument("--measures-per-action", type=int, default=3)
        parser.add_argument("--targets-per-group", type=int, default=4)
        parser.add_argument("--reports-per-target", type=int, default=2)
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument("--replace", action="store_true", help="先删除该年份已有的合成计划")

    def handle(self, *args, **opts) -> None:
        plan = generate(
            **{
                k: opts[k]
                for k in (
                    "year",
                    "projects",
                    "actions",
                    "measures_per_action",
                    "targets_per_group",
                    "reports_per_target",
                    "seed",
                    "replace",
                )
            }
        )
        self.stdout.write(
            f"合成计划 {plan.year}:{Target.objects.filter(plan=plan).count()} 个目标,"
            f"{Report.objects.filter(target__plan=plan).count()} 条报告"
        )


def generate(
    *,
    year: int = SYNTHETIC_YEARS_FROM,
    projects: int = 10,
    actions: int = 7,
    measures_per_action: int = 3,
    targets_per_group: int = 4,
    reports_per_target: int = 2,
    seed: int = 2024,
    replace: bool = False,
) -> Plan:
    if year < SYNTHETIC_YEARS_FROM:
        raise CommandError(f"合成计划的年份须不小于 {SYNTHETIC_YEARS_FROM},以免与真实计划混淆。")
    rng = random.Random(seed)
    with transaction.atomic():
        existing = Plan.objects.filter(year=year).first()
        if existing:
            if not replace:
                raise CommandError(f"{year} 年已有计划;用 --replace 重新生成。")
            if not existing.title.startswith("【合成数据】"):
                raise CommandError(f"{year} 年的计划不是合成数据,拒绝删除。")
            Report.objects.filter(target__plan=existing).delete()
            existing.delete()
        plan = Plan.objects.create(
            year=year, title=f"【合成数据】{year} 年计划", theme="合成", source="synthesize"
        )
        pillars = [
            Pillar.objects.create(plan=plan, code=f"S{i}", name=f"合成经开 {i}", order=i) for i in range(1, 5)
        ]
        groups: list[TargetGroup] = []
        for i in range(1, projects + 1):
            groups.append(
                Project.objects.create(
                    plan=plan, code=f"P{i}", name=f"合成项目 {i}", order=i, kind=TargetGroup.Kind.PROJECT
                )
            )
        for a in range(1, actions + 1):
            action = Action.objects.create(plan=plan, code=f"A{a}", name=f"合成行动 {a}", order=a)
            action.pillars.add(pillars[a % len(pillars)])
            for m in range(1, measures_per_action + 1):
                groups.append(
                    Measure.objects.create(
                        plan=plan,
                        code=f"A{a}.{m}",
                        name=f"合成举措 {a}.{m}",
                        order=m,
                        kind=TargetGroup.Kind.MEASURE,
                        action=action,
                    )
                )
        targets = [
            make_target(plan, group, f"{group.code}.{t}", t, rng)
            for group in groups
            for t in range(1, targets_per_group + 1)
        ]
        Target.objects.bulk_create(targets, batch_size=500)

        user, created = get_user_model().objects.get_or_create(username="synthetic-reviewer")
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        reviewed = timezone.now()
        reports = []
        for target in Target.objects.filter(plan=plan):
            for r in range(1, reports_per_target + 1):
                share = r / (reports_per_target + 1)
                approved = rng.random() < 0.85
                reports.append(
                    Report(
                        target=target,
                        value=report_value(target, share, rng),
                        as_of=datetime.date(year, 1, 1) + datetime.timedelta(days=int(share * 330)),
                        note="合成数据",
                        state=Report.State.APPROVED if approved else Report.State.SUBMITTED,
                        reviewer=user if approved else None,
                        reviewed_at=reviewed if approved else None,
                    )
                )
        Report.objects.bulk_create(reports, batch_size=1000)
        statistics.refresh()  # else the first pages of a large plan are planned on "empty" tables
    return plan
