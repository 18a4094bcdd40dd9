"""Record a progress report from the command line, for scripted loads from other systems."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from goals import services
from goals.formatting import in_target_scale, plain
from goals.forms import ReportForm
from goals.models import Plan, Target


class Command(BaseCommand):
    help = "记录一条进度报告:目标编号、累计完成值、截至日期(与网页表单同样校验)。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="目标编号,如 P1.3")
        parser.add_argument("value", help="截至该日的累计实际数(里程碑为完成百分比)")
        parser.add_argument("--as-of", required=True, dest="as_of", help="截至日期 YYYY-MM-DD")
        parser.add_argument("--note", default="", help="说明")
        parser.add_argument("--by", dest="username", help="填报人用户名")
        parser.add_argument("--approve", action="store_true", help="同时以 --by 用户身份审核通过")
        parser.add_argument("--plan", type=int, help="计划年度(默认最新的计划)")

    def handle(
        self,
        *args,
        code: str,
        value: str,
        as_of: str,
        note: str,
        username: str | None,
        approve: bool,
        plan: int | None,
        **options,
    ) -> None:
        plans = Plan.objects.order_by("-year")
        the_plan = plans.filter(year=plan).first() if plan else plans.first()
        if the_plan is None:
            raise CommandError(f"没有 {plan} 年度的计划。" if plan else "尚未载入任何计划。")
        try:
            target = Target.objects.select_related("plan").get(plan=the_plan, code=code)
        except Target.DoesNotExist:
            raise CommandError(f"{the_plan.year} 年计划中没有编号为 {code} 的目标。") from None
        user = None
        if username:
            try:
                user = get_user_model().objects.get(username=username)
            except get_user_model().DoesNotExist:
                raise CommandError(f"没有用户名为 {username} 的用户。") from None
        if approve and user is None:
            raise CommandError("--approve 需要同时用 --by 指明审核人。")

        form = ReportForm({"value": value, "as_of": as_of, "note": note}, target=target)
        if not form.is_valid():
            problems = "; ".join(
                f"{form.fields[f].label}: {' '.join(errs)}" for f, errs in form.errors.items()
            )
            raise CommandError(f"未记录:{problems}")
        data = form.cleaned_data
        with transaction.atomic():
            report = services.submit_report(
                target=target, value=data["value"], as_of=data["as_of"], note=data["note"], author=user
            )
            if approve:
                report = services.approve_report(report=report, reviewer=user)
        self.stdout.write(
            f"已记录报告 #{report.pk}:{target.code} {target.name} 截至 {report.as_of.isoformat()} "
            f"累计 {plain(report.value)}({in_target_scale(report.value, target)}),"
            f"状态:{report.get_state_display()}"
        )
