"""The plan workbook in the Django admin: an export link per plan, an import page (upload →
preview, a dry run → confirm), and the next-year actions (copy the structure, carry the
unfinished targets). Mixed into goals.admin.PlanAdmin."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import quote

from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from goals.models import Plan
from goals.planning import carryover, publication
from goals.rules.text import parse_year
from goals.workbooks import plan as plan_workbook
from goals.workbooks import plan_import
from goals.workbooks.safety import Refused, read_upload

PLAN_IMPORT_KEY = "plan_workbook_import"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PlanWorkbookAdmin:
    change_list_template = "admin/goals/plan/change_list.html"
    actions = ["copy_to_next_year", "carry_unfinished"]

    @admin.action(description=_("复制结构为下一年度计划(不含目标)"))
    def copy_to_next_year(self, request, queryset):
        for plan in queryset:
            try:
                new = carryover.copy_structure(plan, plan.year + 1)
            except plan_import.ImportFailed as failure:
                self.message_user(request, "\n".join(failure.problems), messages.ERROR)
                continue
            transaction.on_commit(publication.bump)
            self.message_user(request, _("已建立 %(year)s 年计划。") % {"year": new.year}, messages.SUCCESS)

    @admin.action(description=_("结转上一年度未完成的目标到所选计划"))
    def carry_unfinished(self, request, queryset):
        for plan in queryset:
            source = Plan.objects.filter(year=plan.year - 1).first()
            if source is None:
                self.message_user(
                    request, _("没有 %(year)s 年的计划。") % {"year": plan.year - 1}, messages.ERROR
                )
                continue
            done = carryover.carry(source, plan)
            transaction.on_commit(publication.bump)
            self.message_user(
                request,
                _("%(year)s 年:新建 %(created)s 个、链接 %(linked)s 个结转目标,跳过 %(skipped)s 个。")
                % {
                    "year": plan.year,
                    "created": len(done.created),
                    "linked": len(done.linked),
                    "skipped": len(done.skipped),
                },
                messages.SUCCESS,
            )

    @admin.display(description=_("工作簿"))
    def workbook_link(self, obj: Plan) -> str:
        url = reverse("admin:goals_plan_export", args=[obj.year])
        return format_html('<a href="{}">{}</a>', url, _("导出 .xlsx"))

    def get_urls(self):
        urls = [
            path("import/", self.admin_site.admin_view(self.import_view), name="goals_plan_import"),
            path(
                "<int:year>/export/", self.admin_site.admin_view(self.export_view), name="goals_plan_export"
            ),
        ]
        return urls + super().get_urls()

    def export_view(self, request, year: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        plan = get_object_or_404(Plan, year=year)
        response = HttpResponse(plan_workbook.export(plan), content_type=XLSX)
        name = quote(plan_workbook.filename(plan))
        response["Content-Disposition"] = f"attachment; filename=\"plan.xlsx\"; filename*=UTF-8''{name}"
        return response

    def import_view(self, request):
        """Upload → preview (a dry run: what would be created, or every problem) → confirm."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("从工作簿导入工作计划"),
        }
        if request.method == "POST" and "confirm" in request.POST:
            kept = request.session.get(PLAN_IMPORT_KEY)
            if not kept or kept["digest"] != request.POST.get("digest"):
                messages.error(request, _("预览已过期,请重新上传。"))
                return redirect("admin:goals_plan_import")
            try:
                outcome = plan_import.import_plan(base64.b64decode(kept["data"]), year=kept["year"])
            except (Refused, plan_import.ImportFailed) as failure:
                messages.error(request, str(failure))
                return redirect("admin:goals_plan_import")
            del request.session[PLAN_IMPORT_KEY]
            # A plan entered here is a draft until published (goals.planning.states).
            Plan.objects.filter(pk=outcome.plan.pk).update(status=Plan.Status.DRAFT)
            LogEntry.objects.log_actions(
                user_id=request.user.pk,
                queryset=[outcome.plan],
                action_flag=ADDITION,
                change_message=_("从工作簿导入"),
                single_object=True,
            )
            transaction.on_commit(publication.bump)
            messages.success(
                request, _("已导入 %(year)s 年计划(草稿,发布后公开)。") % {"year": outcome.plan.year}
            )
            return redirect("admin:goals_plan_changelist")
        if request.method == "POST":
            upload = request.FILES.get("file")
            year_text = request.POST.get("year", "").strip()
            year = parse_year(year_text)
            context["year"] = year_text
            if upload is None:
                context["problems"] = [_("请选择要导入的 .xlsx 工作簿。")]
            elif year_text and year is None:
                context["problems"] = [_("年度应为四位数字,如 2025。")]
            else:
                try:
                    data = read_upload(upload)
                    outcome = plan_import.import_plan(data, year=year, dry_run=True)
                except Refused as refusal:
                    context["problems"] = [str(refusal)]
                except plan_import.ImportFailed as failure:
                    context["problems"] = failure.problems
                else:
                    digest = hashlib.sha256(data).hexdigest()
                    request.session[PLAN_IMPORT_KEY] = {
                        "digest": digest,
                        "year": year,
                        "data": base64.b64encode(data).decode(),
                    }
                    context.update(outcome=outcome, digest=digest)
        return render(request, "admin/goals/plan/import.html", context)
