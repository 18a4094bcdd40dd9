"""A whole plan as a workbook (计划工作簿), exported and imported in the same format.

Sheets, in this order, each with one header row: 计划 (field / value), 经开, 行动, 举措,
民生实事, 目标, 往年成绩. Everything refers to everything else by code (departments by
name, a carried target's predecessor as「年度:编号」), never by database id, so a plan
exported from one database imports into another, or as another year.

Importing it back: goals.workbooks.plan_import (all or nothing, with a dry run).
"""

from __future__ import annotations

import datetime

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from goals.models import Action, Measure, Pillar, Plan, ReportedFigure, Target, TargetGroup
from goals.workbooks.cells import workbook_bytes

PLAN_FIELDS = [
    ("year", "年度"),
    ("title", "标题"),
    ("theme", "主题活动"),
    ("positioning", "定位"),
    ("mission", "使命"),
    ("adopted_on", "通过日期"),
    ("source", "来源"),
    ("source_clause", "原文条款"),
    ("reporting_cycle", "报送周期"),
    ("report_due_day", "报送截止日"),
    ("deadline_reminders_mandatory", "截止提醒必收"),
]
COMMON = [("code", "编号"), ("name", "名称"), ("order", "排序")]
SHEETS: dict[str, list[tuple[str, str]]] = {
    "经开": [*COMMON, ("focus", "聚焦"), ("source_clause", "原文条款")],
    "行动": [
        *COMMON,
        ("weight", "权重"),
        ("pillars", "所属经开"),
        ("summary", "概述"),
        ("source_clause", "原文条款"),
    ],
    "举措": [
        *COMMON,
        ("weight", "权重"),
        ("action", "所属行动"),
        ("pillar", "所属经开"),
        ("source_clause", "原文条款"),
    ],
    "民生实事": [*COMMON, ("weight", "权重"), ("source_clause", "原文条款")],
    "目标": [
        *COMMON,
        ("group", "所属项目或举措"),
        ("parent", "上级目标"),
        ("wording", "原文表述"),
        ("kind", "类型"),
        ("comparator", "比较词"),
        ("target_value", "目标值"),
        ("target_upper", "目标上限"),
        ("unit", "单位"),
        ("scale", "数量级"),
        ("tolerance_percent", "容差(%)"),
        ("baseline_value", "基数"),
        ("baseline_year", "基数年份"),
        ("due_date", "完成期限"),
        ("weight", "权重"),
        ("reporting_cycle", "报送周期"),
        ("report_due_day", "报送截止日"),
        ("lead_department", "牵头单位"),
        ("co_departments", "配合单位"),
        ("predecessor", "上年目标"),
        ("source_clause", "原文条款"),
    ],
    "往年成绩": [
        *COMMON,
        ("year", "年份"),
        ("section", "栏目"),
        ("comparator", "比较词"),
        ("value", "数值"),
        ("scale", "数量级"),
        ("unit", "单位"),
        ("continued_by", "延续的目标"),
        ("related_to", "相关的目标"),
        ("source_clause", "原文条款"),
    ],
}
SHEET_NAMES = ["计划", *SHEETS]
SEPARATOR = "、"
DECIMALS = {"weight", "target_value", "target_upper", "tolerance_percent", "baseline_value", "value"}
INTEGERS = {"order", "scale", "baseline_year", "report_due_day", "year"}
DATES = {"due_date", "adopted_on"}
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")


def _cell(value):
    """A model value as a cell: numbers as numbers, dates as dates, the rest as text."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


# --- export -----------------------------------------------------------------------------------


def rows_for(plan: Plan) -> dict[str, list[list]]:
    """Every sheet's rows (header first), as plain cell values."""
    sheets: dict[str, list[list]] = {"计划": [["字段", "值"]]}
    for key, label in PLAN_FIELDS:
        sheets["计划"].append([label, _cell(getattr(plan, key))])

    def coded(model, keys, extra=None):
        extra = extra or {}
        rows = [[label for _k, label in keys]]
        for obj in model.objects.filter(plan=plan).order_by("order", "code"):
            rows.append([_cell(extra[key](obj) if key in extra else getattr(obj, key)) for key, _l in keys])
        return rows

    def codes(queryset, key="code") -> str:
        return SEPARATOR.join(queryset.values_list(key, flat=True))

    sheets["经开"] = coded(Pillar, SHEETS["经开"])
    sheets["行动"] = coded(
        Action, SHEETS["行动"], {"pillars": lambda a: codes(a.pillars.order_by("order", "code"))}
    )
    sheets["举措"] = coded(
        Measure,
        SHEETS["举措"],
        {
            "action": lambda m: m.action.code if m.action_id else None,
            "pillar": lambda m: m.pillar.code if m.pillar_id else None,
        },
    )
    projects = TargetGroup.objects.filter(plan=plan, kind=TargetGroup.Kind.PROJECT).order_by("order", "code")
    sheets["民生实事"] = [[label for _k, label in SHEETS["民生实事"]]] + [
        [_cell(getattr(g, key)) for key, _l in SHEETS["民生实事"]] for g in projects
    ]
    sheets["目标"] = coded(
        Target,
        SHEETS["目标"],
        {
            "group": lambda t: t.group.code,
            "parent": lambda t: t.parent.code if t.parent_id else None,
            "lead_department": lambda t: t.lead_department.name if t.lead_department_id else None,
            "co_departments": lambda t: codes(t.co_departments.order_by("order", "name"), "name"),
            "predecessor": lambda t: (
                f"{t.predecessor.plan.year}:{t.predecessor.code}" if t.predecessor_id else None
            ),
        },
    )
    sheets["往年成绩"] = coded(
        ReportedFigure,
        SHEETS["往年成绩"],
        {
            "continued_by": lambda f: f.continued_by.code if f.continued_by_id else None,
            "related_to": lambda f: f.related_to.code if f.related_to_id else None,
        },
    )
    return sheets


def export(plan: Plan, *, structure_only: bool = False) -> bytes:
    """The plan as .xlsx; `structure_only`: without targets and earlier figures (headers kept)."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in rows_for(plan).items():
        if structure_only and name in ("目标", "往年成绩"):
            rows = rows[:1]
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
        for index, header in enumerate(rows[0], 1):
            ws.column_dimensions[get_column_letter(index)].width = 40 if "条款" in str(header) else 14
            for cell in ws[get_column_letter(index)][1:]:
                if isinstance(cell.value, datetime.date):
                    cell.number_format = "yyyy-mm-dd"
        ws.freeze_panes = "A2"
    return workbook_bytes(wb)


def filename(plan: Plan) -> str:
    return f"{plan.year}-工作计划.xlsx"
