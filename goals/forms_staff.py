"""Staff forms: the workspace's report form (ReportForm plus what the web needs) and filters."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.files import File
from django.utils.translation import gettext_lazy as _

from goals.formatting import plain
from goals.forms import ReportForm
from goals.models import Department, Evidence, Report, Target
from goals.progress import Light, Status

# A milestone is reported as a stage; each stage stands for a percent complete.
STAGES = [
    (0, _("未启动")),
    (25, _("前期准备")),
    (50, _("实施中")),
    (90, _("基本完成")),
    (100, _("已完成")),
]
# Full-width digits and separators that Chinese input methods type on a phone.
_FULL_WIDTH = str.maketrans(
    "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff0e\uff0d", "0123456789.-"
)
_SEPARATORS = str.maketrans("", "", ",\uff0c \u3000_")


class LenientDecimalField(forms.DecimalField):
    """A DecimalField that also reads "1,200", "1 200" and full-width digits (１２０)."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.translate(_FULL_WIDTH).translate(_SEPARATORS)
        return super().to_python(value)


class StaffReportForm(ReportForm):
    """ReportForm with the target's revision at render time, a phone-friendly value input,
    a stage select for milestones, and (when correcting a returned report) its evidence."""

    revision = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={
            "required": _("表单缺少版本信息,请刷新页面后重新填写。"),
            "invalid": _("表单版本信息有误,请刷新页面后重新填写。"),
            "min_value": _("表单版本信息有误,请刷新页面后重新填写。"),
        },
    )

    def __init__(self, *args, target: Target, revises: Report | None = None, **kwargs):
        super().__init__(*args, target=target, **kwargs)
        self.revises = revises
        old = self.fields["value"]
        value = LenientDecimalField(
            label=old.label,
            help_text=old.help_text,
            max_digits=16,
            decimal_places=4,
            error_messages=old.error_messages,
        )
        if target.kind == Target.Kind.MILESTONE:
            value.label = _("完成阶段")
            value.help_text = _("选择目前所处的阶段;「已完成」表示目标已实现。")
            value.error_messages["required"] = _("请选择完成阶段。")
            value.widget = forms.Select(choices=self.stage_choices())
        else:
            if target.scale != 1:
                value.help_text = _(
                    "截至该日的累计实际数(单位:%(unit)s),按实际数填写,不按「%(scale)s」折算:"
                    "如 %(example)s%(scale)s 填 %(plain)s。"
                ) % {
                    "unit": target.unit or "—",
                    "scale": target.scale_label,
                    "example": plain(target.target_value),
                    "plain": plain(target.in_base_units(target.target_value)),
                }
            value.widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        self.fields["value"] = value
        start, latest = target.period_start, self.latest_day()
        self.fields["as_of"].initial = max(start, latest)
        # <input type="date"> only takes ISO dates, whatever the active locale's format.
        self.fields["as_of"].widget.format = "%Y-%m-%d"
        self.label_suffix = ""
        if revises is not None and revises.evidence.exists():
            self.fields["keep_evidence"] = forms.BooleanField(
                label=_("沿用原报告的佐证材料"),
                required=False,
                initial=True,
                help_text=", ".join(item.original_name for item in revises.evidence.all()),
            )

    def stage_choices(self) -> list[tuple[str, str]]:
        choices = [("", _("请选择阶段"))] + [
            (str(p), _("%(label)s(%(percent)s%%)") % {"label": label, "percent": p}) for p, label in STAGES
        ]
        current = self.data.get(self.add_prefix("value")) if self.is_bound else self.initial.get("value")
        if current not in (None, ""):
            text = plain(Decimal(str(current))) if _is_number(current) else ""
            if text and text not in {str(p) for p, _label in STAGES}:
                choices.append((text, f"{text}%"))
        return choices

    def evidence_to_submit(self) -> list[tuple[File, str]]:
        """Uploaded files, plus the corrected report's own files when asked to keep them."""
        items: list[tuple[File, str]] = list(self.cleaned_data.get("evidence") or [])
        if self.revises is not None and self.cleaned_data.get("keep_evidence"):
            for item in self.revises.evidence.all():
                items.append((_reopened(item), item.content_type))
        return items


def _is_number(value) -> bool:
    try:
        Decimal(str(value))
    except ArithmeticError:
        return False
    return True


def _reopened(item: Evidence) -> File:
    handle = item.file.open("rb")
    return File(handle, name=item.original_name)


class WorkspaceFilterForm(forms.Form):
    """Filter and sort the workspace; bad values are reported and ignored."""

    SORTS = [
        ("code", _("按编号")),
        ("percent", _("按完成度(低到高)")),
        ("status", _("按状态")),
        ("as_of", _("按最近填报(久未更新在前)")),
        ("due", _("按报送截止(逾期在前)")),
        ("light", _("按亮灯(红灯在前)")),
    ]

    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *Status.choices]
    )
    department = forms.ModelChoiceField(
        label=_("责任单位"), required=False, queryset=Department.objects.none(), empty_label=_("全部单位")
    )
    light = forms.ChoiceField(label=_("亮灯"), required=False, choices=[("", _("全部")), *Light.choices])
    stale = forms.BooleanField(label=_("只看久未更新"), required=False)
    overdue = forms.BooleanField(label=_("只看逾期未报"), required=False)
    sort = forms.ChoiceField(label=_("排序"), required=False, choices=SORTS)

    def __init__(self, *args, departments, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["q"].widget = forms.SearchInput(attrs={"placeholder": _("编号或名称")})
