"""A department's progress workbook (进度填报表): written for download, read back on upload.

One worksheet, 「<year>年进度填报」: a frozen header row, one row per target the department
leads or co-leads, locked columns describing the target and its last approved figure, and
four unlocked input columns (累计完成值 / 截至日期 / 说明 / 下阶段计划) with data validation.

Reading it back is two steps, so that the preview and the commit apply the same rules:
`read` turns the uploaded file into plain rows (refusing formulas, extra sheets, edited
locked cells, unknown codes, rows of another department), and `check` validates each filled
row with the same ReportForm the workspace uses, giving the change since the last approved
figure, the light it would give and the plausibility flags. `commit` submits every checked
row in one transaction, or none; a row already submitted (same target, value and as-of day,
not returned) is skipped, so the same workbook uploaded twice submits nothing twice.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from goals import permissions, plausibility, services
from goals.evaluation import evaluate_plan, evaluate_target
from goals.formatting import in_target_scale, plain, target_text
from goals.forms import ReportForm
from goals.models import Department, Plan, Report, Target
from goals.progress import Light
from goals.workbooks.safety import Refused, only_sheet, open_workbook

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
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


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


# --- reading ----------------------------------------------------------------------------------


@dataclass
class Problem:
    row: int
    column: str  # a key of COLUMNS, or "" for the whole row
    message: str

    def __str__(self) -> str:
        if not self.column:
            return _("第 %(row)s 行:%(message)s") % {"row": self.row, "message": self.message}
        return _("第 %(row)s 行「%(header)s」(%(letter)s 列):%(message)s") % {
            "row": self.row,
            "header": HEADERS[KEYS.index(self.column)],
            "letter": LETTER[self.column],
            "message": self.message,
        }


@dataclass
class Checked:
    """One filled row after validation: what would be submitted, and what the preview shows."""

    row: int
    target: Target
    data: dict[str, str]
    value: Decimal | None = None
    as_of: datetime.date | None = None
    previous: Report | None = None
    change: Decimal | None = None
    light: str = ""
    flags: list[str] = field(default_factory=list)
    duplicate: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def value_text(self) -> str:
        return in_target_scale(self.value, self.target)

    @property
    def previous_text(self) -> str:
        return in_target_scale(self.previous.value, self.target) if self.previous else ""

    @property
    def change_text(self) -> str:
        if self.change is None:
            return ""
        sign = "+" if self.change > 0 else ""
        if self.target.kind == Target.Kind.MILESTONE:
            return f"{sign}{plain(self.change)}%"
        return f"{sign}{plain(self.change)}"

    @property
    def light_label(self) -> str:
        return str(Light(self.light).label) if self.light else ""

    @property
    def flag_labels(self) -> list[str]:
        return plausibility.labels(self.flags)


@dataclass
class Upload:
    """A read workbook: its filled rows (plain text per input column) and what is wrong."""

    rows: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return plain(Decimal(repr(value)))
    if isinstance(value, int | Decimal):
        return plain(Decimal(value))
    return str(value).strip()


def read(data: bytes, *, plan: Plan, department: Department, user) -> Upload:
    """The filled rows of an uploaded department workbook, or the problems found in it.

    Raises Refused when the file as a whole is not a workbook of this kind.
    """
    workbook = open_workbook(data)
    try:
        sheet = only_sheet(workbook, sheet_title(plan))
        found = Upload()
        targets = {t.code: t for t in department_targets(user, plan, department)}
        in_plan = set(Target.objects.filter(plan=plan).values_list("code", flat=True))
        seen: dict[str, int] = {}
        rows = sheet.iter_rows()
        header = next(rows, None)
        header_text = [_text(c.value) for c in header or ()]
        while header_text and not header_text[-1]:
            header_text.pop()
        if header_text != HEADERS:
            raise Refused(_("表头与下载的工作簿不一致(第 1 行),请使用本系统下载的工作簿,不要增删或改动列。"))
        for cells in rows:
            cells = list(cells)
            row_no = next((c.row for c in cells if getattr(c, "row", None)), None)
            if row_no is None:
                continue
            problems: list[Problem] = []
            for index, cell in enumerate(cells):
                if cell.value is None:
                    continue
                if getattr(cell, "data_type", None) == "f" or (
                    isinstance(cell.value, str) and cell.value.startswith("=")
                ):
                    column = KEYS[index] if index < len(KEYS) else ""
                    problems.append(Problem(row_no, column, _("含有公式,请只填写数值或文字")))
                elif index >= len(KEYS):
                    problems.append(
                        Problem(
                            row_no,
                            "",
                            _("第 %(letter)s 列不属于本表,请删除其中的内容")
                            % {"letter": get_column_letter(index + 1)},
                        )
                    )
            values = {key: _text(cells[i].value) if i < len(cells) else "" for i, key in enumerate(KEYS)}
            if not any(values.values()):
                continue
            code = values["code"]
            if not code:
                problems.append(Problem(row_no, "code", _("缺少编号,请不要删除或改动编号列")))
            elif code not in in_plan:
                problems.append(
                    Problem(
                        row_no,
                        "code",
                        _("「%(code)s」不是 %(year)s 年计划中的目标编号") % {"code": code, "year": plan.year},
                    )
                )
            elif code not in targets:
                problems.append(
                    Problem(
                        row_no,
                        "code",
                        _("目标「%(code)s」不由%(department)s负责(或您无权填报),不能在本表中填报")
                        % {"code": code, "department": department.name},
                    )
                )
            elif code in seen:
                problems.append(
                    Problem(
                        row_no,
                        "code",
                        _("目标「%(code)s」在第 %(first)s 行已出现过") % {"code": code, "first": seen[code]},
                    )
                )
            else:
                seen[code] = row_no
                expected = described(targets[code])
                for key in COMPARED:
                    if values[key] != expected[key]:
                        problems.append(
                            Problem(
                                row_no,
                                key,
                                _("受保护的单元格被改动(应为「%(expected)s」),请恢复原内容")
                                % {"expected": expected[key]},
                            )
                        )
            found.problems.extend(problems)
            if not problems and any(values[key] for key in INPUTS):
                found.rows.append({"row": row_no, "code": code, **{key: values[key] for key in INPUTS}})
        return found
    finally:
        workbook.close()


def check(
    rows: list[dict], *, plan: Plan, department: Department, user, today: datetime.date
) -> list[Checked]:
    """Validate filled rows (from `read`, or kept from the preview) as report forms."""
    targets = {t.code: t for t in department_targets(user, plan, department)}
    checked = []
    for raw in rows:
        row_no = raw["row"]
        target = targets.get(raw["code"])
        if target is None:
            # Reassigned since the preview: the row is refused, not quietly dropped.
            item = Checked(row=row_no, target=Target(code=raw["code"]), data=raw)
            item.problems.append(Problem(row_no, "code", _("目标已不由本单位负责,不能填报")))
            checked.append(item)
            continue
        data = {key: raw.get(key, "") for key in INPUTS}
        form = ReportForm({**data, "confirm": "on"}, target=target, today=today)
        item = Checked(row=row_no, target=target, data=raw)
        if not form.is_valid():
            for key, errors in form.errors.items():
                if key == "confirm":  # a plausibility flag without a note saying why
                    flags = "、".join(plausibility.labels(form.flags))
                    message = _("需核实(%(flags)s):如确认无误,请在「说明」中写明原因") % {"flags": flags}
                    item.problems.append(Problem(row_no, "note", message))
                    continue
                column = key if key in INPUTS else ""
                for error in errors:
                    item.problems.append(Problem(row_no, column, str(error)))
            checked.append(item)
            continue
        item.value, item.as_of = form.cleaned_data["value"], form.cleaned_data["as_of"]
        item.previous = form.previous
        item.flags = [str(flag) for flag in form.flags]
        if item.previous is not None:
            item.change = item.value - item.previous.value
        report = {"id": None, "value": item.value, "as_of": item.as_of}
        item.light = evaluate_target(target, report, item.as_of).light
        item.duplicate = (
            Report.objects.filter(target=target, value=item.value, as_of=item.as_of)
            .exclude(state=Report.State.RETURNED)
            .exists()
        )
        checked.append(item)
    return checked


def problems_of(checked: list[Checked]) -> list[Problem]:
    return [problem for item in checked for problem in item.problems]


def commit(checked: list[Checked], *, user, source: dict) -> list[Report]:
    """Submit every new checked row as a report, in one transaction: all of them or none.

    Rows already submitted (also by a concurrent upload: the target is locked first) are
    skipped. `source` (file name, digest) goes into each report's audit entry.
    """
    if problems_of(checked):
        raise services.WorkflowError(_("工作簿中仍有错误,未提交任何数据。"))
    created = []
    with transaction.atomic():
        for item in sorted(checked, key=lambda c: c.target.pk):
            Target.objects.select_for_update().filter(pk=item.target.pk).first()
            already = (
                Report.objects.filter(target=item.target, value=item.value, as_of=item.as_of)
                .exclude(state=Report.State.RETURNED)
                .exists()
            )
            if already:
                continue
            created.append(
                services.submit_report(
                    target=item.target,
                    value=item.value,
                    as_of=item.as_of,
                    author=user,
                    note=item.data.get("note", "").strip(),
                    next_steps=item.data.get("next_steps", "").strip(),
                    plausibility_flags=item.flags,
                    audit={"workbook": source},
                )
            )
    return created
