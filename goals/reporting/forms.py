"""Report input: turns what an official types into domain values, or clear errors.

ReportForm is what every path shares (the web form, the workbook upload, the report
command); StaffReportForm adds what the web needs (stages, lenient numbers, reopened
evidence); WorkspaceFilterForm filters the workspace."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from goals.models import Department, Evidence, Report, Target
from goals.reporting import evidence
from goals.rules import plausibility
from goals.rules.formatting import in_target_scale, plain
from goals.rules.progress import Light, Status
from goals.rules.text import has_control_chars, validate_text

# A cumulative value more than this many times the target is a typing slip, not progress.
ABSURD_FACTOR = 100
REASON_MAX = 2000  # characters of a reason for returning a report


def reason_problem(reason: str) -> str:
    """What is wrong with a reason for returning a report (head or reviewer), or "" if nothing."""
    if not reason:
        return _("退回时请写明理由,以便填报人更正。")
    if len(reason) > REASON_MAX:
        return _("退回理由最多 %(n)s 字。") % {"n": REASON_MAX}
    if has_control_chars(reason):
        return _("内容中含有不可见的控制字符,请删除后重新提交(从其他文档粘贴时常会带入)。")
    return ""


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class ReportForm(forms.Form):
    """A progress report for one target: the cumulative value to date, as of a day."""

    value = forms.DecimalField(
        label=_("累计完成值"),
        max_digits=16,
        decimal_places=4,
        error_messages={
            "required": _("请填写累计完成值。"),
            "invalid": _("请输入数字,例如 120 或 3.5。"),
            "max_digits": _("数字过长,请检查。"),
            "max_decimal_places": _("小数最多四位。"),
            "max_whole_digits": _("数字过大,请检查。"),
        },
    )
    as_of = forms.DateField(
        label=_("截至日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("请填写截至日期。"), "invalid": _("日期格式应为 2024-06-30。")},
    )
    note = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_text],
    )
    next_steps = forms.CharField(
        label=_("下阶段计划"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_text],
        help_text=_("下一期准备做什么(可不填)"),
    )
    confirm = forms.BooleanField(
        label=_("我已核实,数据无误,并已在「说明」中写明原因"),
        required=False,
    )
    evidence = MultipleFileField(
        label=_("佐证材料(图片或 PDF)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.gif,.webp"}),
    )

    def __init__(self, *args, target: Target, today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target
        self.today = today or timezone.localdate()
        self.flags: list[plausibility.Flag] = []
        self.previous: Report | None = None
        if target.kind == Target.Kind.MILESTONE:
            self.fields["value"].label = _("完成进度(%)")
            self.fields["value"].help_text = _("0 到 100;100 表示已完成")
        else:
            self.fields["value"].help_text = _("截至该日的累计实际数(单位:%(unit)s),不是本次增量") % {
                "unit": target.unit or "—"
            }
        self.fields["value"].widget.attrs.update({"inputmode": "decimal", "min": "0"})
        self.fields["as_of"].widget.attrs.update(
            {"min": target.period_start.isoformat(), "max": self.latest_day().isoformat()}
        )

    def latest_day(self) -> datetime.date:
        return min(self.today, self.target.due)

    def clean_value(self) -> Decimal:
        value: Decimal = self.cleaned_data["value"]
        target = self.target
        if value < 0:
            raise forms.ValidationError(_("累计完成值不能为负数。"))
        if target.kind == Target.Kind.MILESTONE:
            if value > 100:
                raise forms.ValidationError(_("百分比不能超过 100。"))
            return value
        if target.unit == "%":
            return value  # above 100: a plausibility flag, confirmed with a note (clean())
        goal = target.in_base_units(target.target_upper or target.target_value) or Decimal(0)
        ceiling = max(goal * ABSURD_FACTOR, Decimal(1000))
        if value > ceiling:
            raise forms.ValidationError(
                _("%(value)s 远超目标(%(goal)s),请检查是否多输了位数或填成了「万」以外的单位。")
                % {"value": plain(value), "goal": plain(goal)}
            )
        return value

    def clean(self):
        data = super().clean()
        value, day = data.get("value"), data.get("as_of")
        if value is None or day is None:
            return data
        target = self.target
        self.previous = (
            Report.objects.approved()
            .filter(target=target, as_of__lte=day)
            .order_by("-as_of", "-created_at", "-id")
            .first()
        )
        self.flags = plausibility.check(
            kind=target.kind,
            unit=target.unit,
            goal=target.in_base_units(target.target_upper or target.target_value),
            value=value,
            previous=self.previous.value if self.previous else None,
            factor=Decimal(settings.PLAUSIBLE_OVERSHOOT_FACTOR),
        )
        if self.flags and not (data.get("confirm") and (data.get("note") or "").strip()):
            self.add_error("confirm", self.flag_message())
        return data

    def flag_message(self) -> str:
        """What looks wrong, in words, and what to do about it."""
        target = self.target
        parts = []
        for flag in self.flags:
            if flag == plausibility.Flag.DECREASE:
                parts.append(
                    _("累计值低于 %(day)s 审核通过的 %(value)s(累计值一般不会减少)")
                    % {
                        "day": self.previous.as_of.isoformat(),
                        "value": in_target_scale(self.previous.value, target),
                    }
                )
            elif flag == plausibility.Flag.OVERSHOOT:
                parts.append(
                    _("超过目标值的 %(factor)s 倍") % {"factor": settings.PLAUSIBLE_OVERSHOOT_FACTOR}
                )
            else:
                parts.append(_("百分比超出 0–100"))
        return _("请核实:%(problems)s。如确认无误,请在「说明」中写明原因并勾选确认后再提交。") % {
            "problems": _(";").join(str(p) for p in parts)
        }

    def clean_as_of(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["as_of"]
        start = self.target.period_start
        if day < start:
            raise forms.ValidationError(
                _("截至日期不能早于计划开始(%(start)s)。") % {"start": start.isoformat()}
            )
        if day > self.today:
            raise forms.ValidationError(_("截至日期不能晚于今天。"))
        if day > self.target.due:
            raise forms.ValidationError(
                _("截至日期不能晚于目标期限(%(due)s)。") % {"due": self.target.due.isoformat()}
            )
        return day

    def clean_evidence(self) -> list[tuple[UploadedFile, str]]:
        files: list[UploadedFile] = self.cleaned_data.get("evidence") or []
        limit_files = settings.EVIDENCE_MAX_FILES
        if len(files) > limit_files:
            raise forms.ValidationError(_("一次最多上传 %(n)s 个文件。") % {"n": limit_files})
        checked = []
        limit = settings.EVIDENCE_MAX_BYTES
        for upload in files:
            if upload.size > limit:
                raise forms.ValidationError(
                    _("文件「%(name)s」超过 %(mb)s MB 上限。")
                    % {"name": upload.name, "mb": plain(Decimal(limit) / (1024 * 1024))}
                )
            try:
                checked.append(evidence.accept(upload))
            except evidence.Refused as refused:
                raise forms.ValidationError(str(refused)) from None
        return checked


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
