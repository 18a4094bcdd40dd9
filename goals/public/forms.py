"""The public targets filter: status, project or action, department, text."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.utils.translation import gettext_lazy as _

from goals.rules.progress import Status
from goals.tracking.listing import Row

NO_DEPARTMENT = "none"


class TargetFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100, strip=True, widget=forms.SearchInput)
    status = forms.ChoiceField(label=_("状态"), required=False)
    group = forms.ChoiceField(label=_("项目或行动"), required=False)
    department = forms.ChoiceField(label=_("牵头单位"), required=False)
    stale = forms.BooleanField(label=_("只看久未更新"), required=False)

    def __init__(self, data, *, groups: list[tuple[str, str]], departments: Iterable, **kwargs) -> None:
        super().__init__(data, **kwargs)
        self.fields["status"].choices = [("", _("全部状态")), *Status.choices]
        self.fields["group"].choices = [("", _("全部项目和行动")), *groups]
        self.fields["department"].choices = [
            ("", _("全部单位")),
            *((str(d.pk), d.name) for d in departments),
            (NO_DEPARTMENT, _("尚未指定")),
        ]
        self.fields["q"].widget.attrs["autocomplete"] = "off"
        self.fields["q"].error_messages["max_length"] = _("搜索词不能超过 %(limit_value)d 个字。")
        for name in ("status", "group", "department"):
            self.fields[name].error_messages["invalid_choice"] = _("没有“%(value)s”这个选项,已忽略。")

    def filter(self, rows: Iterable[Row]) -> list[Row]:
        """The rows that match every valid criterion; an invalid one is ignored (and reported)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        text = (data.get("q") or "").casefold()
        status = data.get("status")
        group = data.get("group")
        department = data.get("department")
        stale = data.get("stale")
        found = []
        for row in rows:
            target, tp = row.target, row.progress
            if status and tp.status != status:
                continue
            if group and row.owner.code != group:
                continue
            if department == NO_DEPARTMENT and target.lead_department_id is not None:
                continue
            if department and department != NO_DEPARTMENT and str(target.lead_department_id) != department:
                continue
            if stale and not tp.stale:
                continue
            if text and not any(
                text in (field or "").casefold()
                for field in (
                    target.code,
                    target.name,
                    target.wording,
                    row.owner.name,
                    row.owner.measure_name,
                )
            ):
                continue
            found.append(row)
        return found

    @property
    def is_filtered(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return any(data.get(name) for name in self.fields)
