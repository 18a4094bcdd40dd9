"""A department's progress workbook (进度填报表): written for download, read back on upload.

One worksheet, 「<year>年进度填报」: a frozen header row, one row per target the department
leads or co-leads, locked columns describing the target and its last approved figure, and
four unlocked input columns (累计完成值 / 截至日期 / 说明 / 下阶段计划) with data validation.

Reading it back (goals.workbooks.department_upload) is two steps, so that the preview and
the commit apply the same rules: `read` turns the uploaded file into plain rows (refusing
formulas, extra sheets, edited locked cells, unknown codes, rows of another department),
and `check` validates each filled row with the same ReportForm the workspace uses, giving
the change since the last approved figure, the light it would give and the plausibility
flags. `commit` submits every checked row in one transaction, or none; a row already
submitted (same target, value and as-of day, not returned) is skipped, so the same
workbook uploaded twice submits nothing twice.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from goals.accounts import permissions
from goals.models import Department, Plan, Target
from goals.rules.formatting import target_text
from goals.rules.progress import Light
from goals.tracking.evaluation import evaluate_plan
from goals.workbooks.cells import workbook_bytes

# (key, header, width, input?)
COLUMNS = [
    ("code", "编号", 10, False),
    ("name", "名称", 26, False),
    ("wording", "原文表述", 40, False),
    ("unit", "单位", 12, False),
    ("target", "目标", 16, False),
    ("last_value", "上次审核通过值", 14, False),
    ("last_as_of", "上次截至日期", 13, False),
    ("light", "亮灯", 8, False),
    ("due", "完成期限", 12, False),
    ("value", "累计完成值", 14, True),
    ("as_of", "截至日期", 13, True),
    ("note", "说明", 36, True),
    ("next_steps", "下阶段计划", 36, True),
]
KEYS = [key for key, *_ in COLUMNS]
HEADERS = [header for _, header, *_ in COLUMNS]
INPUTS = [key for key, _h, _w, is_input in COLUMNS if is_input]
# Locked columns compared with the database on upload. The last figure, its day and the
# light may change between download and upload (a report approved meanwhile): not compared.
COMPARED = ["name", "wording", "unit", "target", "due"]
LETTER = {key: get_column_letter(i) for i, key in enumerate(KEYS, 1)}
DATE_FORMAT = "yyyy-mm-dd"
EXCEL_EPOCH = datetime.date(1899, 12, 30)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
INPUT_FILL = PatternFill("solid", fgColor="FFF8DC")


def sheet_title(plan: Plan) -> str:
    return f"{plan.year}年进度填报"


def filename(plan: Plan, department: Department) -> str:
    return f"{plan.year}-{department.name}-进度填报.xlsx"


def unit_text(target: Target) -> str:
    if target.kind == Target.Kind.MILESTONE:
        return "%(完成进度)"
    return target.unit or "—"


def described(target: Target) -> dict[str, str]:
    """The locked cells that identify a target, as text: written, then compared on upload."""
    return {
        "name": target.name,
        "wording": target.wording,
        "unit": unit_text(target),
        "target": target_text(target),
        "due": target.due.isoformat(),
    }


def department_targets(user, plan: Plan, department: Department):
    """The targets of `department` that `user` may report on, in plan order."""
    return (
        permissions.reportable_targets(user, plan)
        .filter(pk__in=Target.objects.for_department(department).values("pk"))
        .select_related("plan", "group", "lead_department")
        .order_by("order", "code")
    )


def _serial(day: datetime.date) -> int:
    return (day - EXCEL_EPOCH).days


# --- writing ----------------------------------------------------------------------------------


def build(*, plan: Plan, department: Department, user, day: datetime.date) -> bytes:
    """The department's workbook as .xlsx bytes, lights and last figures as of `day`."""
    result = evaluate_plan(plan, day)
    targets = list(department_targets(user, plan, department))
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(plan)
    ws.append(HEADERS)
    for index, (_key, _header, width, _input) in enumerate(COLUMNS, 1):
        cell = ws.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(index)].width = width
    ws[f"{LETTER['value']}1"].comment = Comment(
        _(
            "截至该日的累计实际数,不是本次增量;按实际数填写,不按「万」「亿」折算(如 1.1 万名填 11000)。里程碑填完成百分比 0–100。"
        ),
        "system",
    )
    ws[f"{LETTER['as_of']}1"].comment = Comment(
        _("数据截至的日期,须在 %(start)s 至 %(end)s 之间。")
        % {"start": f"{plan.year}-01-01", "end": f"{plan.year}-12-31"},
        "system",
    )
    ws[f"{LETTER['note']}1"].comment = Comment(
        _("数值下降、远超目标等需核实的情况,请在此写明原因。"), "system"
    )
    for target in targets:
        tp = result.targets.get(target.pk)
        text = described(target)
        light = tp.light if tp else Light.GREY
        ws.append(
            [
                target.code,
                text["name"],
                text["wording"],
                text["unit"],
                text["target"],
                tp.value if tp and tp.value is not None else None,
                tp.as_of if tp else None,
                str(Light(light).label),
                target.due,
                None,
                None,
                None,
                None,
            ]
        )
    last_row = len(targets) + 1
    for row in ws.iter_rows(min_row=2, max_row=last_row):
        for cell, (key, *_rest) in zip(row, COLUMNS, strict=True):
            cell.alignment = Alignment(
                wrap_text=key in ("name", "wording", "note", "next_steps"), vertical="top"
            )
            if key in ("last_as_of", "due", "as_of"):
                cell.number_format = DATE_FORMAT
            if key in INPUTS:
                cell.protection = Protection(locked=False)
                cell.fill = INPUT_FILL
    _validations(ws, plan, targets, last_row)
    ws.freeze_panes = "A2"
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # widths may be changed, cells not
    ws.print_options.gridLines = True
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = "1:1"
    return workbook_bytes(wb)


def _validations(ws, plan: Plan, targets: list[Target], last_row: int) -> None:
    if last_row < 2:
        return
    value_col, date_col = LETTER["value"], LETTER["as_of"]
    number = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("累计完成值"),
        error=_("请填写不小于 0 的数字(累计实际数)。"),
    )
    stage = DataValidation(
        type="decimal",
        operator="between",
        formula1="0",
        formula2="100",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("完成进度"),
        error=_("里程碑请填写 0 到 100 之间的完成百分比。"),
    )
    for row, target in enumerate(targets, 2):
        (stage if target.kind == Target.Kind.MILESTONE else number).add(f"{value_col}{row}")
    day = DataValidation(
        type="date",
        operator="between",
        formula1=str(_serial(datetime.date(plan.year, 1, 1))),
        formula2=str(_serial(datetime.date(plan.year, 12, 31))),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("截至日期"),
        error=_("请填写 %(year)s 年内的日期,如 %(year)s-06-30。") % {"year": plan.year},
    )
    day.add(f"{date_col}2:{date_col}{last_row}")
    text = DataValidation(
        type="textLength",
        operator="lessThanOrEqual",
        formula1="2000",
        allow_blank=True,
        showErrorMessage=True,
        error=_("最多 2000 字。"),
    )
    text.add(f"{LETTER['note']}2:{LETTER['next_steps']}{last_row}")
    for validation in (number, stage, day, text):
        if validation.sqref:
            ws.add_data_validation(validation)
