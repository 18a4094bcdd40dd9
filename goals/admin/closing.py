"""The year's states in the admin: publish a draft (an action on plans), accept carried
targets' proposed values (an action on targets), and a closed year's final records, read-only
except for an audited correction (an admin, a reason: goals.planning.states.correct_final)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goals.accounts import permissions
from goals.admin.records import ReadOnlyAdmin
from goals.models import AuditEntry, FinalRecord, Plan, Target
from goals.planning import states
from goals.rules.formatting import plain


class PublishesPlans:
    """Mixed into PlanAdmin: a plan added here starts as a draft; the publish action."""

    def save_model(self, request, obj, form, change):
        if not change:
            obj.status = Plan.Status.DRAFT
        super().save_model(request, obj, form, change)

    @admin.action(description=gettext_lazy("发布所选草稿计划"))
    def publish_selected(self, request, queryset):
        if not permissions.can_publish_plan(request.user):
            self.message_user(request, _("您没有发布工作计划的权限。"), messages.ERROR)
            return
        for plan in queryset.order_by("year"):
            try:
                states.publish_plan(plan, actor=request.user)
            except states.StateError as refusal:
                self.message_user(request, f"{plan.year}:{refusal}", messages.ERROR)
            else:
                self.message_user(
                    request, _("已发布 %(year)s 年计划。") % {"year": plan.year}, messages.SUCCESS
                )


@admin.action(description=gettext_lazy("采用结转建议的目标值"))
def accept_proposed(modeladmin, request, queryset):
    """target_value ← proposed_value for the selected carried targets (audited as edits)."""
    accepted = 0
    for target in queryset.filter(proposed_value__isnull=False):
        before = plain(target.target_value)
        target.target_value, target.proposed_value = target.proposed_value, None
        if target.kind == Target.Kind.RANGE and target.target_upper is not None:
            target.target_upper = max(target.target_upper, target.target_value)
        target.save(update_fields=["target_value", "proposed_value", "target_upper"])
        AuditEntry.objects.create(
            actor=request.user,
            action=AuditEntry.Action.EDIT,
            target=target,
            changes={"target_value": [before, plain(target.target_value)], "proposed_value": "accepted"},
        )
        accepted += 1
    modeladmin.message_user(request, _("已采用 %(n)s 个目标的建议值。") % {"n": accepted}, messages.SUCCESS)


class CorrectionForm(forms.Form):
    value = forms.CharField(label=gettext_lazy("更正后的累计完成值"), max_length=30)
    reason = forms.CharField(label=gettext_lazy("更正理由"), widget=forms.Textarea, max_length=2000)

    def clean_value(self) -> Decimal:
        raw = self.cleaned_data["value"].strip().replace(",", "")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise forms.ValidationError(_("请填写数字,如 10500。")) from None
        if not value.is_finite() or value < 0:
            raise forms.ValidationError(_("更正后的累计完成值不能为负数。"))
        if value >= states.VALUE_LIMIT or value != value.quantize(states.FOUR_PLACES):
            raise forms.ValidationError(_("数值过大或小数位过多(最多 4 位小数)。"))
        return value


@admin.register(FinalRecord)
class FinalRecordAdmin(ReadOnlyAdmin):
    list_display = ["target", "plan", "status", "light", "value", "percent", "evaluated_on", "correction"]
    list_filter = ["plan", "status", "light"]
    search_fields = ["target__code", "target__name"]
    list_select_related = ["target", "plan"]

    @admin.display(description=gettext_lazy("结项后更正"))
    def correction(self, obj: FinalRecord) -> str:
        if obj.corrected_on:
            return f"{obj.corrected_on} {obj.correction_reason[:40]}"
        url = reverse("admin:goals_finalrecord_correct", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("更正…"))

    def get_urls(self):
        urls = [
            path(
                "<int:pk>/correct/",
                self.admin_site.admin_view(self.correct_view),
                name="goals_finalrecord_correct",
            )
        ]
        return urls + super().get_urls()

    def correct_view(self, request, pk: int):
        if not permissions.is_admin(request.user):
            raise PermissionDenied
        record = get_object_or_404(FinalRecord.objects.select_related("target", "plan"), pk=pk)
        form = CorrectionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                states.correct_final(
                    record.target,
                    actor=request.user,
                    value=form.cleaned_data["value"],
                    reason=form.cleaned_data["reason"],
                )
            except states.StateError as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, _("已更正 %(code)s 的结项数据。") % {"code": record.target.code})
                return redirect("admin:goals_finalrecord_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("结项后更正:%(target)s") % {"target": record.target},
            "record": record,
            "form": form,
        }
        return render(request, "admin/goals/finalrecord/correct.html", context)
