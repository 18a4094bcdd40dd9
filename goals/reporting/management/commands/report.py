"""Record a progress report from the command line, for scripted loads from other systems."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.dateparse import parse_date

from goals.accounts import permissions
from goals.models import Plan, Target
from goals.reporting import services
from goals.reporting.forms import ReportForm
from goals.rules.formatting import in_target_scale, plain


class Command(BaseCommand):
    help = "记录一条进度报告:目标编号、累计完成值、截至日期(与网页表单同样校验)。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="目标编号,如 P1.3")
        parser.add_argument("value", help="截至该日的累计实际数(里程碑为完成百分比)")
        parser.add_argument("--as-of", required=True, dest="as_of", help="截至日期 YYYY-MM-DD")
        parser.add_argument(
            "--note", default="", help="说明;数据异常(累计值下降、远超目标、百分比超出 0–100)时必填,视为确认"
        )
        parser.add_argument("--next-steps", default="", dest="next_steps", help="下阶段计划")
        parser.add_argument(
            "--by",
            dest="username",
            help="执行本命令的人(用户名);不加 --author 时也是填报人,加 --approve 时是审核人",
        )
        parser.add_argument("--author", help="代为录入时的填报人用户名(须能填报该目标)")
        parser.add_argument(
            "--approve", action="store_true", help="同时以 --by 用户身份审核通过(须有审核权限,且不是填报人)"
        )
        parser.add_argument(
            "--self-approve",
            action="store_true",
            dest="self_approve",
            help="超级管理员审核自己录入的报告时必须注明;操作记录会载明",
        )
        parser.add_argument(
            "--plan", type=int, help="计划年度(默认取截至日期所在年度的计划,没有则取最新发布的计划)"
        )

    def handle(
        self,
        *args,
        code: str,
        value: str,
        as_of: str,
        note: str,
        next_steps: str,
        username: str | None,
        author: str | None,
        approve: bool,
        self_approve: bool,
        plan: int | None,
        **options,
    ) -> None:
        plans = Plan.objects.public().order_by("-year")
        if plan:
            the_plan = plans.filter(year=plan).first()
        else:
            # The as-of day names the year: December 2024 reported on 2 January 2025 is 2024's.
            day = parse_date(as_of.strip()) if _is_date(as_of) else None
            the_plan = (plans.filter(year=day.year).first() if day else None) or plans.first()
        if the_plan is None:
            raise CommandError(f"没有 {plan} 年度的已发布计划。" if plan else "尚未载入任何已发布的计划。")
        try:
            target = Target.objects.select_related("plan").get(plan=the_plan, code=code)
        except Target.DoesNotExist:
            raise CommandError(f"{the_plan.year} 年计划中没有编号为 {code} 的目标。") from None
        user = _user(username)
        writer = _user(author) if author else user
        if writer is not None and not permissions.reportable_targets(writer).filter(pk=target.pk).exists():
            raise CommandError(
                f"未记录:{writer.username} 不能填报 {target.code}(没有填报权限,或该目标不由其单位负责)。"
            )
        if self_approve and not approve:
            raise CommandError("--self-approve 只能与 --approve 一起使用。")
        if approve:
            if user is None:
                raise CommandError("--approve 需要同时用 --by 指明审核人。")
            if not permissions.can_review(user):
                raise CommandError(f"未记录:{user.username} 没有审核权限,不能使用 --approve。")
            if writer is not None and writer.pk == user.pk:
                if not user.is_superuser:
                    raise CommandError(
                        "未记录:不能审核通过自己填报的报告;请用 --author 指明填报人,或由其他审核人员审核。"
                    )
                if not self_approve:
                    raise CommandError(
                        "未记录:--by 与填报人是同一人。超级管理员审核自己录入的报告须加 --self-approve"
                        "(操作记录会载明),或用 --author 指明填报人。"
                    )
            elif self_approve:
                raise CommandError("--self-approve 只用于审核自己录入的报告;填报人与审核人不同,请去掉它。")

        form = ReportForm(
            {
                "value": value,
                "as_of": as_of,
                "note": note,
                "next_steps": next_steps,
                "confirm": bool(note.strip()),
            },
            target=target,
        )
        valid = form.is_valid()
        if not valid and form.flags and set(form.errors) == {"confirm"}:
            raise CommandError(
                "未记录:数据看起来有异常("
                + ";".join(str(flag.label) for flag in form.flags)
                + ")。如确认无误,请加 --note 写明原因后重试。"
            )
        if not valid:
            problems = "; ".join(
                f"{form.fields[f].label}: {' '.join(errs)}" for f, errs in form.errors.items()
            )
            raise CommandError(f"未记录:{problems}")
        data = form.cleaned_data
        try:
            report = self._record(target, data, form, writer, user, approve, self_approve)
        except services.AlreadySubmitted as error:
            raise CommandError(f"未记录:{error}(报告 #{error.report.pk})") from None
        except services.WorkflowError as error:
            raise CommandError(f"未记录:{error}") from None
        self.stdout.write(
            f"已记录报告 #{report.pk}:{target.code} {target.name} 截至 {report.as_of.isoformat()} "
            f"累计 {plain(report.value)}({in_target_scale(report.value, target)}),"
            f"状态:{report.get_state_display()}"
        )

    @staticmethod
    def _record(target, data, form, writer, user, approve, self_approve):
        with transaction.atomic():
            report = services.submit_report(
                target=target,
                value=data["value"],
                as_of=data["as_of"],
                note=data["note"],
                next_steps=data["next_steps"],
                plausibility_flags=form.flags,
                author=writer,
            )
            if approve:
                report = services.approve_report(report=report, reviewer=user, self_approval=self_approve)
        return report


def _is_date(text: str) -> bool:
    try:
        return parse_date(text.strip()) is not None
    except ValueError:
        return False


def _user(username: str | None):
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"没有用户名为 {username} 的用户。")
    if not user.is_active:
        raise CommandError(f"用户 {username} 已停用。")
    return user
