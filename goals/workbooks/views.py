"""Staff pages for the department workbook: download, upload and preview, confirm.

The preview keeps the rows it read (plain text, a few kilobytes) in the session under the
file's digest; confirming checks them again, exactly as the preview did, and submits them
in one transaction. Nothing is saved before the official confirms.
"""

from __future__ import annotations

import hashlib
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from goals.accounts import permissions
from goals.accounts.staff import named_plan, staff_login_required, staff_year, user_departments
from goals.models import Department
from goals.planning import publication
from goals.reporting import services
from goals.tracking import evaluation
from goals.workbooks import department as workbook
from goals.workbooks import department_upload as upload_rows
from goals.workbooks.safety import Refused, read_upload

SESSION_KEY = "department_workbook"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    department = forms.ModelChoiceField(
        label=gettext_lazy("责任单位"),
        queryset=Department.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": gettext_lazy("请选择您所在的单位。")},
    )
    file = forms.FileField(
        label=gettext_lazy("填好的工作簿(.xlsx)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


def _departments(user):
    permissions.require_submitter(user)
    departments = user_departments(user)
    if not departments.exists():
        raise PermissionDenied(_("您还不属于任何单位,请联系管理员。"))
    return departments


def _plan(request):
    """The plan the workbook is for (`?year=`, see goals.accounts.staff.named_plan: never
    another year's plan in place of the one named)."""
    plan = named_plan(request)
    if plan is None:
        raise Http404(_("没有可填报的工作计划。"))
    request.staff_year = staff_year(request)
    request.staff_year.plan = plan
    return plan


@never_cache
@staff_login_required
@require_GET
def workbook_page(request) -> HttpResponse:
    departments = _departments(request.user)
    form = UploadForm(departments=departments, initial={"department": departments.first()})
    plan = _plan(request)
    context = {"plan": plan, "staff_year": request.staff_year, "form": form, "departments": departments}
    return render(request, "staff/workbook.html", context)


@never_cache
@staff_login_required
@require_GET
def workbook_download(request) -> HttpResponse:
    departments = _departments(request.user)
    plan = _plan(request)
    form = UploadForm(request.GET, departments=departments)
    if not form.is_valid() and "department" in form.errors:
        raise Http404(_("没有这个单位,或您不属于该单位。"))
    department = form.cleaned_data["department"]
    day = publication.day_for(request, plan).day
    data = workbook.build(plan=plan, department=department, user=request.user, day=day)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = _attachment(workbook.filename(plan, department))
    return response


def _attachment(name: str) -> str:
    return f"attachment; filename=\"workbook.xlsx\"; filename*=UTF-8''{quote(name)}"


@never_cache
@staff_login_required
@require_POST
def workbook_upload(request) -> HttpResponse:
    departments = _departments(request.user)
    plan = _plan(request)
    form = UploadForm(request.POST, request.FILES, departments=departments)
    context = {"plan": plan, "staff_year": request.staff_year, "form": form, "departments": departments}
    if not form.is_valid():
        return render(request, "staff/workbook.html", context, status=422)
    upload = form.cleaned_data["file"]
    department = form.cleaned_data["department"]
    if upload is None:
        form.add_error("file", _("请选择要上传的 .xlsx 工作簿。"))
        return render(request, "staff/workbook.html", context, status=422)
    try:
        data = read_upload(upload)
        found = upload_rows.read(data, plan=plan, department=department, user=request.user)
    except Refused as refusal:
        form.add_error("file", str(refusal))
        return render(request, "staff/workbook.html", context, status=422)
    checked = upload_rows.check(
        found.rows, plan=plan, department=department, user=request.user, today=evaluation.today()
    )
    problems = found.problems + upload_rows.problems_of(checked)
    new = [item for item in checked if not item.duplicate]
    digest = hashlib.sha256(data).hexdigest()
    if not problems and new:
        request.session[SESSION_KEY] = {
            "digest": digest,
            "plan": plan.year,
            "department": department.pk,
            "name": (upload.name or "")[:200],
            "rows": found.rows,
        }
    else:
        request.session.pop(SESSION_KEY, None)
    problems.sort(key=lambda p: (p.row, workbook.KEYS.index(p.column) if p.column else -1))
    context.update(
        department=department,
        checked=checked,
        problems=problems[: upload_rows.MAX_LISTED],
        problem_count=len(problems),
        unlisted=max(0, len(problems) - upload_rows.MAX_LISTED),
        new=new,
        digest=digest,
        filename=upload.name,
    )
    return render(request, "staff/workbook_preview.html", context, status=422 if problems else 200)


@never_cache
@staff_login_required
@require_POST
def workbook_confirm(request) -> HttpResponse:
    departments = _departments(request.user)
    plan = _plan(request)
    kept = request.session.get(SESSION_KEY)
    if not kept or kept.get("digest") != request.POST.get("digest") or kept.get("plan") != plan.year:
        messages.error(request, _("预览已过期或已提交,请重新上传工作簿。"))
        return redirect(reverse("workbook") + f"?year={plan.year}")
    department = departments.filter(pk=kept["department"]).first()
    if department is None:
        raise Http404(_("没有这个单位,或您不属于该单位。"))
    checked = upload_rows.check(
        kept["rows"], plan=plan, department=department, user=request.user, today=evaluation.today()
    )
    try:
        created = upload_rows.commit(
            checked, user=request.user, source={"name": kept["name"], "sha256": kept["digest"]}
        )
    except services.WorkflowError as error:
        messages.error(request, str(error))
        return redirect(reverse("workbook") + f"?year={plan.year}")
    del request.session[SESSION_KEY]
    if created and plan.requires_head_confirmation:  # the sign-off chain: the head first
        messages.success(
            request,
            ngettext(
                "已提交 %(n)s 条进度报告,等待部门负责人确认。",
                "已提交 %(n)s 条进度报告,等待部门负责人确认。",
                len(created),
            )
            % {"n": len(created)},
        )
    elif created:
        messages.success(
            request,
            ngettext(
                "已提交 %(n)s 条进度报告,等待审核。",
                "已提交 %(n)s 条进度报告,等待审核。",
                len(created),
            )
            % {"n": len(created)},
        )
    else:
        messages.info(request, _("工作簿中的数据均已提交过,没有新的报告。"))
    return redirect(reverse("workspace") + f"?year={plan.year}")
