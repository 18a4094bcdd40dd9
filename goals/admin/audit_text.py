"""The audit trail in words: field labels instead of keys, values as people write them.

AuditEntry.changes holds keys and plain values (JSON); the admin shows them through
`lines(changes)`: "状态:待审核 → 已通过", "权重:1 → 2", "数值:5300".
Target edits made in the admin are snapshotted here too (`target_snapshot`), so that a
change is recorded as before → after for every field.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goals.models import Question, Report, Target
from goals.rules.formatting import plain

# Keys written by services, the admin and two-factor resets, in words.
LABELS = {
    "value": gettext_lazy("数值"),
    "as_of": gettext_lazy("截至日期"),
    "note": gettext_lazy("说明"),
    "evidence": gettext_lazy("佐证材料"),
    "state": gettext_lazy("状态"),
    "self_approved": gettext_lazy("本人审核通过"),
    "reason": gettext_lazy("退回理由"),
    "lead_department": gettext_lazy("牵头单位"),
    "co_departments": gettext_lazy("配合单位"),
    "department": gettext_lazy("单位"),
    "members": gettext_lazy("成员"),
    "two_factor_reset": gettext_lazy("重置两步验证"),
    "devices_removed": gettext_lazy("移除的验证设备"),
    "by": gettext_lazy("途径"),
    "added": gettext_lazy("新增目标"),
    "deleted": gettext_lazy("删除目标"),
    "revises": gettext_lazy("更正自"),
    # A plan made from its text (goals.planning.from_text)
    "plan": gettext_lazy("工作计划"),
    "created": gettext_lazy("新建计划"),
    "targets": gettext_lazy("目标数"),
    "rejected": gettext_lazy("未采用的建议"),
    "edited": gettext_lazy("修改过的建议"),
    "extra": gettext_lazy("补充的目标"),
    "requires_head_confirmation": gettext_lazy("须部门负责人确认"),
    # Residents' questions (goals.participation.questions)
    "question": gettext_lazy("数据问询"),
    "due_on": gettext_lazy("答复期限"),
    "answer": gettext_lazy("答复"),
    "hidden_reason": gettext_lazy("隐藏理由"),
    "deleted_by_resident": gettext_lazy("提问人删除"),
    "withdrawn_by_resident": gettext_lazy("提问人删除原文(答复保留)"),
    "revision_note": gettext_lazy("修改说明"),
    "answering_department": gettext_lazy("答复单位"),
}
NUMBER = re.compile(r"^-?\d+\.\d+$")
# Target fields not worth a line of the trail (bookkeeping) or recorded on their own.
SKIPPED = {"id", "revision", "lead_department", "co_departments"}


def label(key: str) -> str:
    if key in LABELS:
        return str(LABELS[key])
    try:
        return str(Target._meta.get_field(key).verbose_name)
    except FieldDoesNotExist:
        return key


def value_text(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return "、".join(value_text(item) for item in value)
    if isinstance(value, str):
        if value in Report.State.values:
            return str(Report.State(value).label)
        if value in Question.State.values:
            return str(Question.State(value).label)
        if NUMBER.match(value):
            try:
                return plain(Decimal(value))
            except InvalidOperation:
                return value
    return str(value)


PAIRS = {
    "state",
    "lead_department",
    "co_departments",
    "members",
    "answer",
    "answering_department",
    "requires_head_confirmation",
}


def _is_pair(key: str, value) -> bool:
    """Stored as [before, after]: state and assignment changes, and edited target fields."""
    if not (isinstance(value, list) and len(value) == 2):
        return False
    if key in PAIRS:
        return True
    try:
        Target._meta.get_field(key)
    except FieldDoesNotExist:
        return False
    return True


def lines(changes: dict) -> list[str]:
    """One "label:value" or "label:before → after" per key."""
    out = []
    for key, value in (changes or {}).items():
        if _is_pair(key, value):
            text = f"{value_text(value[0])} → {value_text(value[1])}"
        else:
            text = value_text(value)
        out.append(_("%(label)s:%(text)s") % {"label": label(key), "text": text})
    return out


def _field_value(target: Target, field: models.Field):
    value = getattr(target, field.attname)
    if isinstance(field, models.ForeignKey):
        related = getattr(target, field.name)
        return str(related) if related is not None else None
    if field.choices:
        return str(dict(field.flatchoices).get(value, value)) if value not in (None, "") else None
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def target_snapshot(target: Target | None) -> dict:
    """Every audited field of the target, as JSON-ready text; {} for none."""
    if target is None or target.pk is None:
        return {}
    return {
        field.name: _field_value(target, field)
        for field in Target._meta.concrete_fields
        if field.name not in SKIPPED
    }


def differences(before: dict, after: dict) -> dict:
    return {key: [before.get(key), after[key]] for key in after if before.get(key) != after[key]}
