"""What this instance runs and holds: version, database, plan, review queue, last backup."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goals.models import BackupRecord, Plan, Report, Target
from goals.operations import health
from goals.operations.backups.databases import describe
from goals.planning import publication


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


class Command(BaseCommand):
    help = gettext_lazy("显示版本、数据库、已载入的计划、待审核报告、最近一次审核通过和最近一次备份。")

    def line(self, label: str, value: str) -> None:
        self.stdout.write(f"{label}:{value}")

    def handle(self, *args, **options) -> None:
        self.line(_("版本"), health.app_version())
        self.line(_("数据库"), describe(connection))
        try:
            self.report_data()
        except DatabaseError as error:
            if connection.connection is None:
                # Never connected (server down, wrong DATABASE_URL, a SQLite file that cannot
                # be opened): manage.py says so in two lines and exits 2, as for any command.
                raise
            raise CommandError(_("数据库无法读取:%(error)s") % {"error": error}) from None

    def report_data(self) -> None:
        missing = health.unapplied_migrations()
        self.line(
            _("数据库迁移"),
            _("全部已执行")
            if not missing
            else _("%(count)s 个尚未执行,请运行 migrate") % {"count": len(missing)},
        )
        plan = publication.public_plan()
        self.line(
            _("公开的计划"),
            _("%(year)s 年 %(title)s,%(count)s 个目标")
            % {"year": plan.year, "title": plan.title, "count": Target.objects.filter(plan=plan).count()}
            if plan
            else _("尚未载入(运行 manage.py seed)"),
        )
        states = ", ".join(f"{p.year} {p.get_status_display()}" for p in Plan.objects.order_by("year"))
        self.line(_("各年度计划"), states or _("尚无"))
        self.line(_("待审核报告"), str(Report.objects.pending().count()))
        self.line(_("待部门确认报告"), str(Report.objects.awaiting_head().count()))
        last = Report.objects.approved().select_related("target").order_by("-reviewed_at", "-id").first()
        self.line(
            _("最近一次审核通过"),
            _("%(when)s %(code)s %(name)s(报告 #%(id)s)")
            % {
                "when": _when(last.reviewed_at),
                "code": last.target.code,
                "name": last.target.name,
                "id": last.pk,
            }
            if last
            else _("尚无"),
        )
        backup = BackupRecord.objects.first()
        if backup is None:
            self.line(_("最近一次备份"), _("尚无备份记录"))
            return
        text = _("%(when)s %(path)s(%(size)s)") % {
            "when": _when(backup.created_at),
            "path": backup.path,
            "size": filesizeformat(backup.size),
        }
        if backup.restored_at:
            text += _(";本库于 %(when)s 从该备份恢复") % {"when": _when(backup.restored_at)}
        self.line(_("最近一次备份"), text)
