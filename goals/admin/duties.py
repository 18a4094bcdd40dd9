"""Assigning duties in the admin: the leaders in charge (分管领导), and a bulk action on the
target list (select targets → a form → set lead unit, co-units, leader, contact), each
target's change audited through goals.workbooks.duties.assign."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from goals.admin.publishing import PublishesChanges
from goals.models import Department, Leader
from goals.models.targets import PHONE
from goals.workbooks import duties


@admin.register(Leader)
class LeaderAdmin(PublishesChanges, admin.ModelAdmin):
    list_display = ["name", "title", "user", "order"]
    search_fields = ["name", "title"]
    autocomplete_fields = ["user"]


class DutiesForm(forms.Form):
    """What to set on every selected target; an empty field leaves that duty as it is."""

    lead = forms.ModelChoiceField(
        Department.objects.all(), required=False, label=_("牵头单位"), help_text=_("留空即不改变")
    )
    co = forms.ModelMultipleChoiceField(
        Department.objects.all(),
        required=False,
        label=_("配合单位"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不勾选即不改变"),
    )
    co_mode = forms.ChoiceField(
        choices=[("add", _("添加到现有配合单位")), ("replace", _("替换现有配合单位"))],
        initial="add",
        label=_("配合单位的设置方式"),
        widget=forms.RadioSelect,
    )
    leader = forms.ModelChoiceField(
        Leader.objects.all(), required=False, label=_("分管领导"), help_text=_("留空即不改变")
    )
    contact_name = forms.CharField(
        max_length=50, required=False, label=_("联系人"), help_text=_("留空即不改变")
    )
    contact_phone = forms.CharField(
        max_length=30, required=False, label=_("联系电话"), validators=[PHONE], help_text=_("留空即不改变")
    )

    def clean(self):
        data = super().clean()
        lead, co = data.get("lead"), data.get("co") or []
        if lead is not None and lead in co:
            self.add_error("co", _("「%(name)s」已是牵头单位,不能同时是配合单位。") % {"name": lead.name})
        if not self.errors and not (
            lead or co or data.get("leader") or data.get("contact_name") or data.get("contact_phone")
        ):
            raise forms.ValidationError(_("请至少填写一项要设置的分工。"))
        return data


def _set(request, target, data) -> bool:
    given = {}
    if data["lead"] is not None:
        given["lead"] = data["lead"]
    if data["co"]:
        current = set(target.co_departments.all()) if data["co_mode"] == "add" else set()
        lead = given.get("lead", target.lead_department)
        given["co"] = [d for d in current | set(data["co"]) if d != lead]
    elif "lead" in given:  # a new lead is no longer a co-unit
        given["co"] = [d for d in target.co_departments.all() if d != given["lead"]]
    if data["leader"] is not None:
        given["leader"] = data["leader"]
    if data["contact_name"]:
        given["contact_name"] = data["contact_name"]
    if data["contact_phone"]:
        given["contact_phone"] = data["contact_phone"]
    return duties.assign(request.user, target, by=str(_("批量分工")), **given) is not None


@admin.action(description=_("批量设置分工(牵头单位、配合单位、分管领导、联系人)"), permissions=["change"])
def assign_duties(modeladmin, request, queryset):
    """Step one shows the form for the selected targets; step two (apply) sets and audits."""
    form = DutiesForm(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        with transaction.atomic():
            changed = sum(_set(request, target, form.cleaned_data) for target in queryset)
        modeladmin.message_user(
            request,
            _("已为 %(changed)s 个目标调整分工(所选 %(n)s 个)。")
            % {"changed": changed, "n": queryset.count()},
            messages.SUCCESS,
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": _("批量设置分工"),
        "form": form,
        "targets": queryset.select_related("lead_department", "leader"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "select_across": request.POST.get("select_across", "0"),
    }
    return TemplateResponse(request, "admin/goals/target/assign_duties.html", context)
