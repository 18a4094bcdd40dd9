"""The duties workbook in the Django admin (分工方案): per plan, a page to download the
plan's duties, and to upload the filled workbook → preview (every change, or every problem)
→ confirm, all or nothing. Mixed into goals.admin.PlanAdmin."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import quote

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from goals.models import Plan
from goals.workbooks import duties
from goals.workbooks.safety import Refused, read_upload

DUTIES_IMPORT_KEY = "duties_workbook_import"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DutiesWorkbookAdmin:
    @admin.display(description=_("分工方案"))
    def duties_link(self, obj: Plan) -> str:
        url = reverse("admin:goals_plan_duties", args=[obj.year])
        return format_html('<a href="{}">{}</a>', url, _("分工方案"))

    def get_urls(self):
        urls = [
            path(
                "<int:year>/duties/", self.admin_site.admin_view(self.duties_view), name="goals_plan_duties"
            ),
            path(
                "<int:year>/duties/export/",
                self.admin_site.admin_view(self.duties_export_view),
                name="goals_plan_duties_export",
            ),
        ]
        return urls + super().get_urls()

    def duties_export_view(self, request, year: int):
        if not request.user.has_perm("goals.view_target"):
            raise PermissionDenied
        plan = get_object_or_404(Plan, year=year)
        response = HttpResponse(duties.export(plan), content_type=XLSX)
        name = quote(duties.filename(plan))
        response["Content-Disposition"] = f"attachment; filename=\"duties.xlsx\"; filename*=UTF-8''{name}"
        return response

    def duties_view(self, request, year: int):
        """Upload → preview (what would change, or every problem) → confirm."""
        if not request.user.has_perm("goals.change_target"):
            raise PermissionDenied
        plan = get_object_or_404(Plan, year=year)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "plan": plan,
            "title": _("%(year)s 年分工方案") % {"year": plan.year},
        }
        here = reverse("admin:goals_plan_duties", args=[plan.year])
        if request.method == "POST" and "confirm" in request.POST:
            kept = request.session.get(DUTIES_IMPORT_KEY)
            if not kept or kept["digest"] != request.POST.get("digest") or kept["year"] != plan.year:
                messages.error(request, _("预览已过期,请重新上传。"))
                return redirect(here)
            try:
                reading = duties.read(base64.b64decode(kept["data"]), year=plan.year)
            except (Refused, duties.ImportFailed) as failure:
                messages.error(request, str(failure))
                return redirect(here)
            changed = duties.apply(reading, request.user, by=str(_("分工方案工作簿")))
            del request.session[DUTIES_IMPORT_KEY]
            messages.success(request, _("已导入分工方案:%(n)s 个目标调整了分工。") % {"n": changed})
            return redirect(here)
        if request.method == "POST":
            upload = request.FILES.get("file")
            if upload is None:
                context["problems"] = [_("请选择要导入的 .xlsx 工作簿。")]
            else:
                try:
                    data = read_upload(upload)
                    reading = duties.read(data, year=plan.year)
                except Refused as refusal:
                    context["problems"] = [str(refusal)]
                except duties.ImportFailed as failure:
                    context["problems"] = failure.problems
                else:
                    digest = hashlib.sha256(data).hexdigest()
                    request.session[DUTIES_IMPORT_KEY] = {
                        "digest": digest,
                        "year": plan.year,
                        "data": base64.b64encode(data).decode(),
                    }
                    context.update(reading=reading, digest=digest)
        return render(request, "admin/goals/plan/duties.html", context)
