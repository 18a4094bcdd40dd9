"""The forms of 从文本新建计划: the text (pasted or uploaded) and the table of proposals.

Both check with the models' own rules: the year against the plans there are, each row with
Target.clean (a milestone has no value, a range an upper bound not below its lower…), so
what the preview accepts, the import accepts too.
"""

from __future__ import annotations

import re
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goals.models import Plan, Target
from goals.models.targets import Scale
from goals.proposals.documents import Unreadable, text_of
from goals.proposals.parser import ProposedPlan, propose
from goals.rules.text import validate_text
from goals.workbooks.safety import Refused, read_upload

TEXT_MAX = 100_000  # characters: the 2024 plan's whole text has about 9,000
ROWS_MAX = 400  # proposals one preview may hold (the 2024 text has 112)
EXTRA_ROWS = 3
SUFFIXES = (".txt", ".md", ".docx")
# C0 and C1 control characters but tab and line breaks, and the Unicode replacement
# character (what a wrong decoding leaves behind).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")


def check_text(text: str) -> str:
    """The text, if it is plain text of a sensible length (ValidationError otherwise)."""
    found = CONTROL.search(text)
    if found:
        raise ValidationError(
            _("文本含有控制字符(U+%(code)04X,第 %(at)s 个字符附近):请复制纯文本,或另存为 UTF-8 文本后上传。")
            % {"code": ord(found.group()), "at": found.start() + 1}
        )
    if not text.strip():
        raise ValidationError(_("文本是空的:请粘贴计划原文,或上传 .txt / .docx 文件。"))
    if len(text) > TEXT_MAX:
        raise ValidationError(
            _("文本过长(%(n)s 字,上限 %(max)s 字):请只保留计划部分。") % {"n": len(text), "max": TEXT_MAX}
        )
    return text


class SourceForm(forms.Form):
    """Step 1: the year, the title, and the text (pasted, or a .txt / .docx file)."""

    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(
        label=gettext_lazy("计划标题"),
        max_length=200,
        required=False,
        validators=[validate_text],
        help_text=gettext_lazy("留空即采用原文标题"),
    )
    source = forms.CharField(
        label=gettext_lazy("来源"),
        max_length=500,
        required=False,
        validators=[validate_text],
        help_text=gettext_lazy(
            "发布该计划的文件或报道,如「区政府办公室 2025 年 1 号通知」;留空即上传的文件名"
        ),
    )
    text = forms.CharField(
        label=gettext_lazy("粘贴原文"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "cols": 80}),
    )
    file = forms.FileField(
        label=gettext_lazy("或上传文件(.txt、.md 或 .docx)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(SUFFIXES)}),
    )

    proposed: ProposedPlan | None = None

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        existing = Plan.objects.filter(year=year).first()
        if existing is not None:
            raise ValidationError(
                _("%(year)s 年已有计划(%(status)s):请在该计划中修改,或删除这份草稿后再从文本新建。")
                % {"year": year, "status": existing.get_status_display()}
            )
        return year

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        return check_text(text) if text.strip() or CONTROL.search(text) else ""

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        name = Path(upload.name).name
        suffix = Path(name).suffix.lower()
        if suffix == ".doc":
            raise ValidationError(_("不支持旧版 Word(.doc)文件:请在 Word 中另存为 .docx 或 .txt 后上传。"))
        if suffix not in SUFFIXES:
            raise ValidationError(
                _("不支持「%(suffix)s」文件:请上传 .txt、.md 或 .docx。") % {"suffix": suffix or name}
            )
        try:
            data = read_upload(upload)
            text = text_of(data, name)
        except Refused as refusal:
            raise ValidationError(str(refusal)) from None
        except Unreadable:
            if suffix == ".docx":
                raise ValidationError(_("文件不是有效的 Word(.docx)文件,或已损坏。")) from None
            raise ValidationError(
                _("无法读取文件的文字(不是文本文件,或编码无法识别):请另存为 UTF-8 文本后上传。")
            ) from None
        self.file_text = check_text(text)
        return upload

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        pasted, upload = data.get("text"), data.get("file")
        if pasted and upload:
            raise ValidationError(_("请只粘贴文本或只上传文件,不要同时使用。"))
        if not pasted and not upload:
            self.add_error("text", _("请粘贴计划原文,或上传 .txt / .docx 文件。"))
            return data
        # A browser sends a textarea's line breaks as CRLF: kept as the text had them.
        text = (self.file_text if upload else pasted).replace("\r\n", "\n")
        proposed = propose(text, year=data["year"])
        field = "file" if upload else "text"
        if not proposed.groups:
            self.add_error(
                field,
                _("原文中没有找到计划清单(如「一、…」「(一)…」「1.…」「项目一」或「分别为:…」列出的项目)。"),
            )
            return data
        if len(proposed.all_targets()) > ROWS_MAX:
            self.add_error(
                field, _("原文中的目标超过 %(n)s 个:请分开处理,或只保留计划部分。") % {"n": ROWS_MAX}
            )
            return data
        data["text"] = text
        data["source"] = data.get("source") or (Path(upload.name).name if upload else "")
        self.proposed = proposed
        return data


class ProposalRowForm(forms.Form):
    """One row of the table: a proposal (ref) as the admin keeps it, or a target added."""

    ref = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reject = forms.BooleanField(label=gettext_lazy("不采用"), required=False)
    group = forms.TypedChoiceField(label=gettext_lazy("所属项目或行动"), coerce=int)
    # Control characters are refused beside the field: every row goes through a workbook.
    name = forms.CharField(
        label=gettext_lazy("名称"), max_length=200, required=False, validators=[validate_text]
    )
    wording = forms.CharField(
        label=gettext_lazy("原文表述"),
        required=False,
        validators=[validate_text],
        widget=forms.Textarea(attrs={"rows": 2, "cols": 24}),
    )
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=Target.Kind.choices)
    comparator = forms.CharField(
        label=gettext_lazy("比较词"), max_length=20, required=False, validators=[validate_text]
    )
    target_value = forms.DecimalField(
        label=gettext_lazy("目标值"), max_digits=16, decimal_places=4, min_value=0, required=False
    )
    target_upper = forms.DecimalField(
        label=gettext_lazy("目标上限"), max_digits=16, decimal_places=4, min_value=0, required=False
    )
    unit = forms.CharField(
        label=gettext_lazy("单位"), max_length=20, required=False, validators=[validate_text]
    )
    scale = forms.TypedChoiceField(label=gettext_lazy("数量级"), choices=Scale.choices, coerce=int)

    def __init__(self, *args, groups: list[str], number: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = list(enumerate(groups))
        for field in self.fields.values():
            if not isinstance(field.widget, forms.HiddenInput):
                field.widget.attrs["aria-label"] = _("第 %(n)s 行:%(label)s") % {
                    "n": number,
                    "label": field.label,
                }
        for name in ("comparator", "unit"):
            self.fields[name].widget.attrs["size"] = 5
        # An empty row to add a target is left out unless something is typed in it.
        self.fields["group"].initial, self.fields["kind"].initial = 0, Target.Kind.AT_LEAST
        self.fields["scale"].initial = Scale.ONE

    def clean(self):
        data = super().clean()
        if data.get("reject") or self.errors:
            return data
        if not (data.get("name") or "").strip():
            self.add_error("name", _("请填写名称,或勾选「不采用」。"))
            return data
        target = Target(
            name=data["name"].strip(),
            wording=(data.get("wording") or "").strip() or data["name"].strip(),
            kind=data["kind"],
            comparator=data.get("comparator") or "",
            target_value=data.get("target_value"),
            target_upper=data.get("target_upper"),
            unit=data.get("unit") or "",
            scale=data["scale"],
        )
        try:
            target.clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return data


class BaseProposalFormSet(forms.BaseFormSet):
    def __init__(self, *args, groups: list[str], refs: set[int], **kwargs):
        self.groups, self.refs = groups, refs
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"groups": self.groups, "number": (index or 0) + 1}

    def clean(self):
        """Each proposal once, and only those of this preview: anything else is a forged form."""
        seen = set()
        for form in self.forms:
            ref = form.cleaned_data.get("ref") if hasattr(form, "cleaned_data") else None
            if ref is None:
                continue
            if ref not in self.refs or ref in seen:
                raise ValidationError(_("表格数据与预览不一致(可能已被改动):请重新预览。"), code="forged")
            seen.add(ref)
        if seen != self.refs:
            raise ValidationError(_("表格数据与预览不一致(可能已被改动):请重新预览。"), code="forged")


def proposal_formset(groups: list[str], refs: set[int], *, data=None, initial=None):
    FormSet = forms.formset_factory(
        ProposalRowForm,
        formset=BaseProposalFormSet,
        extra=EXTRA_ROWS,
        max_num=len(refs) + EXTRA_ROWS,
        validate_max=True,
        absolute_max=ROWS_MAX + EXTRA_ROWS,
    )
    return FormSet(data=data, initial=initial, prefix="rows", groups=groups, refs=refs)
