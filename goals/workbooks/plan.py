"""A whole plan as a workbook (计划工作簿), exported and imported in the same format.

Sheets, in this order, each with one header row: 计划 (field / value), 经开, 行动, 举措,
民生实事, 目标, 往年成绩. Everything refers to everything else by code (departments by
name, a carried target's predecessor as「年度:编号」), never by database id, so a plan
exported from one database imports into another, or as another year.

Import is all or nothing: every object is built and validated (full_clean, the same rules
as the admin) inside one transaction; any problem rolls everything back and is reported
with its sheet, row and column. `dry_run` validates and rolls back even when all is well
(the preview). A plan of the year imported must not exist yet. Importing as another year
(--year) moves the targets' due dates by the same number of years (the adoption date is a
fact about the document and stays).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from goals.models import Action, Department, Measure, Pillar, Plan, ReportedFigure, Target, TargetGroup
from goals.workbooks.department import _text
from goals.workbooks.safety import Refused, open_workbook

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
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def filename(plan: Plan) -> str:
    return f"{plan.year}-工作计划.xlsx"


# --- import -----------------------------------------------------------------------------------


@dataclass
class Outcome:
    plan: Plan | None = None
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


class ImportFailed(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class _Rollback(Exception):
    """Raised at the end of a dry run to undo it."""


def read_sheets(data: bytes) -> dict[str, list[dict]]:
    """{sheet: [row dicts by field key, with "_row"]}, checking sheet names, headers and formulas."""
    workbook = open_workbook(data)
    try:
        if workbook.sheetnames != SHEET_NAMES:
            raise Refused(
                _("不是本系统的计划工作簿:工作表应为 %(expected)s(实为 %(actual)s)。")
                % {"expected": "、".join(SHEET_NAMES), "actual": "、".join(workbook.sheetnames)}
            )
        found: dict[str, list[dict]] = {}
        problems = []
        for name in SHEET_NAMES:
            keys = [("key", "字段"), ("value", "值")] if name == "计划" else SHEETS[name]
            headers = [label for _k, label in keys]
            rows = workbook[name].iter_rows()
            header = [_text(c.value) for c in next(rows, ())]
            while header and not header[-1]:
                header.pop()
            if header != headers:
                raise Refused(
                    _("工作表「%(sheet)s」的表头与本系统的格式不一致(应为:%(headers)s)。")
                    % {"sheet": name, "headers": "、".join(headers)}
                )
            found[name] = []
            for cells in rows:
                cells = list(cells)
                if not any(c.value is not None for c in cells):
                    continue
                row_no = next(c.row for c in cells if getattr(c, "row", None))
                for cell in cells:
                    if getattr(cell, "data_type", None) == "f":
                        problems.append(
                            _("「%(sheet)s」第 %(row)s 行含有公式。") % {"sheet": name, "row": row_no}
                        )
                values = {key: cells[i].value if i < len(cells) else None for i, (key, _l) in enumerate(keys)}
                found[name].append({"_row": row_no, **values})
        if problems:
            raise ImportFailed(problems)
        return found
    finally:
        workbook.close()


class _Importer:
    def __init__(self, sheets: dict[str, list[dict]], year: int | None):
        self.sheets = sheets
        self.year = year
        self.problems: list[str] = []
        self.shift = 0

    # -- cell conversion, with the sheet and row for messages
    def fail(self, sheet: str, row: int, column: str, message) -> None:
        where = _("「%(sheet)s」第 %(row)s 行") % {"sheet": sheet, "row": row}
        if column:
            where += _("「%(column)s」") % {"column": column}
        self.problems.append(f"{where}:{message}")

    def label(self, sheet: str, key: str) -> str:
        if sheet == "计划":
            return dict(PLAN_FIELDS).get(key, key)
        return dict(SHEETS[sheet]).get(key, key)

    def value(self, sheet: str, raw: dict, key: str):
        value = raw.get(key)
        row = raw["_row"]
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            if key in DECIMALS:
                return Decimal(_text(value))
            if key in INTEGERS:
                number = Decimal(_text(value))
                if number != number.to_integral_value():
                    raise InvalidOperation
                return int(number)
            if key in DATES:
                if isinstance(value, datetime.datetime):
                    day = value.date()
                elif isinstance(value, datetime.date):
                    day = value
                else:
                    day = datetime.date.fromisoformat(_text(value))
                return self.moved(day) if key == "due_date" else day
        except (InvalidOperation, ValueError):
            self.fail(
                sheet, row, self.label(sheet, key), _("「%(value)s」无法识别") % {"value": _text(value)[:40]}
            )
            return None
        return _text(value)

    def moved(self, day: datetime.date) -> datetime.date:
        if not self.shift:
            return day
        try:
            return day.replace(year=day.year + self.shift)
        except ValueError:  # 29 February
            return day.replace(year=day.year + self.shift, day=28)

    def check(self, sheet: str, row: int, obj) -> bool:
        try:
            obj.full_clean(validate_unique=False)
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                for message in messages:
                    self.fail(sheet, row, "" if key == "__all__" else self.label(sheet, key), message)
            return False
        return True

    def run(self) -> Outcome:
        outcome = Outcome()
        plan = self.make_plan()
        if plan is None:
            return outcome
        outcome.plan = plan
        pillars = self.coded("经开", Pillar, plan, lambda obj, raw: None)
        actions = self.coded("行动", Action, plan, lambda obj, raw: None)
        for raw in self.sheets["行动"]:
            action = actions.get(_text(raw.get("code")))
            for code in self.codes(raw.get("pillars")):
                if code in pillars:
                    action.pillars.add(pillars[code])
                elif action is not None:
                    self.fail(
                        "行动", raw["_row"], "所属经开", _("没有编号为「%(code)s」的经开") % {"code": code}
                    )

        def measure_links(obj, raw):
            obj.kind = TargetGroup.Kind.MEASURE
            obj.action = actions.get(_text(raw.get("action"))) if raw.get("action") else None
            obj.pillar = pillars.get(_text(raw.get("pillar"))) if raw.get("pillar") else None
            for key, found in (("action", obj.action), ("pillar", obj.pillar)):
                if raw.get(key) and found is None:
                    self.fail(
                        "举措",
                        raw["_row"],
                        self.label("举措", key),
                        _("编号「%(code)s」不存在") % {"code": _text(raw.get(key))},
                    )

        groups = dict(self.coded("举措", Measure, plan, measure_links))
        from projects.models import Project  # goals never imports projects at module level

        def project_kind(obj, raw):
            obj.kind = TargetGroup.Kind.PROJECT

        groups.update(self.coded("民生实事", Project, plan, project_kind))
        departments = {d.name: d for d in Department.objects.all()}

        def target_links(obj, raw):
            code = _text(raw.get("group"))
            group = groups.get(code)
            if group is None:
                self.fail("目标", raw["_row"], "所属项目或举措", _("编号「%(code)s」不存在") % {"code": code})
            else:
                obj.group = group
            lead = _text(raw.get("lead_department"))
            if lead:
                obj.lead_department = departments.get(lead)
                if obj.lead_department is None:
                    self.fail(
                        "目标",
                        raw["_row"],
                        "牵头单位",
                        _("没有名为「%(name)s」的单位,请先在后台添加") % {"name": lead},
                    )
            if raw.get("predecessor"):
                obj.predecessor = self.predecessor(raw)

        targets = self.coded(
            "目标", Target, plan, target_links, save_when=lambda obj: obj.group_id is not None
        )
        for raw in self.sheets["目标"]:
            target = targets.get(_text(raw.get("code")))
            if target is None:
                continue
            parent_code = _text(raw.get("parent"))
            if parent_code:
                parent = targets.get(parent_code)
                if parent is None:
                    self.fail(
                        "目标", raw["_row"], "上级目标", _("编号「%(code)s」不存在") % {"code": parent_code}
                    )
                else:
                    target.parent = parent
                    if self.check("目标", raw["_row"], target):
                        target.save(update_fields=["parent"])
            for name in self.codes(raw.get("co_departments")):
                if name in departments:
                    target.co_departments.add(departments[name])
                else:
                    self.fail(
                        "目标",
                        raw["_row"],
                        "配合单位",
                        _("没有名为「%(name)s」的单位,请先在后台添加") % {"name": name},
                    )

        def figure_links(obj, raw):
            for key in ("continued_by", "related_to"):
                code = _text(raw.get(key))
                if code:
                    found = targets.get(code)
                    if found is None:
                        self.fail(
                            "往年成绩",
                            raw["_row"],
                            self.label("往年成绩", key),
                            _("编号「%(code)s」不存在") % {"code": code},
                        )
                    setattr(obj, key, found)

        figures = self.coded("往年成绩", ReportedFigure, plan, figure_links)
        outcome.counts = {
            "经开": len(pillars),
            "行动": len(actions),
            "举措": len(groups) - sum(1 for g in groups.values() if g.kind == TargetGroup.Kind.PROJECT),
            "民生实事": sum(1 for g in groups.values() if g.kind == TargetGroup.Kind.PROJECT),
            "目标": len(targets),
            "往年成绩": len(figures),
        }
        return outcome

    def codes(self, raw) -> list[str]:
        text = _text(raw)
        return [part.strip() for part in text.replace(",", SEPARATOR).split(SEPARATOR) if part.strip()]

    def predecessor(self, raw) -> Target | None:
        text = _text(raw.get("predecessor"))
        year, _sep, code = text.partition(":")
        found = None
        if year.isdigit() and code:
            found = Target.objects.filter(plan__year=int(year), code=code).first()
        if found is None:
            self.fail(
                "目标",
                raw["_row"],
                "上年目标",
                _("找不到「%(text)s」(格式:年度:编号,如 2024:P1.3)") % {"text": text},
            )
        return found

    def make_plan(self) -> Plan | None:
        values = {}
        labels = {label: key for key, label in PLAN_FIELDS}
        for raw in self.sheets["计划"]:
            key = labels.get(_text(raw.get("key")))
            if key is None:
                self.fail(
                    "计划", raw["_row"], "字段", _("未知字段「%(name)s」") % {"name": _text(raw.get("key"))}
                )
                continue
            values[key] = {"_row": raw["_row"], key: raw.get("value")}
        year_raw = values.get("year")
        source_year = self.value("计划", year_raw, "year") if year_raw else None
        year = self.year or source_year
        if year is None:
            self.fail("计划", 1, "年度", _("缺少年度"))
            return None
        self.shift = year - source_year if source_year else 0
        if Plan.objects.filter(year=year).exists():
            self.fail(
                "计划",
                year_raw["_row"] if year_raw else 1,
                "年度",
                _("%(year)s 年的计划已存在,不能重复导入") % {"year": year},
            )
            return None
        plan = Plan(year=year)
        for key, raw in values.items():
            if key == "year":
                continue
            value = self.value("计划", raw, key)
            if key == "deadline_reminders_mandatory":
                value = value in ("是", "TRUE", "True", "1")
            if value is None:
                continue
            setattr(plan, key, value)
        if not self.check("计划", 2, plan):
            return None
        plan.save()
        return plan

    def coded(self, sheet: str, model, plan: Plan, link, save_when=lambda obj: True) -> dict:
        found = {}
        plain_keys = {f.name for f in model._meta.concrete_fields if not f.is_relation and f.name != "id"}
        for raw in self.sheets[sheet]:
            obj = model(plan=plan)
            for key, _label in SHEETS[sheet]:
                if key in plain_keys:
                    value = self.value(sheet, raw, key)
                    if value is None and key in ("name", "code"):
                        value = ""
                    if value is not None:
                        setattr(obj, key, value)
            code = obj.code
            if code in found:
                self.fail(sheet, raw["_row"], "编号", _("编号「%(code)s」重复") % {"code": code})
                continue
            link(obj, raw)
            if save_when(obj) and self.check(sheet, raw["_row"], obj):
                obj.save()
                found[code] = obj
        return found


def import_plan(data: bytes, *, year: int | None = None, dry_run: bool = False) -> Outcome:
    """Create the plan in the workbook (as `year` if given), all or nothing.

    Raises Refused (not a workbook of this format) or ImportFailed (its problems, by sheet,
    row and column); in both cases nothing is saved. A dry run validates and saves nothing.
    """
    sheets = read_sheets(data)
    outcome = Outcome()
    try:
        with transaction.atomic():
            importer = _Importer(sheets, year)
            outcome = importer.run()
            if importer.problems or outcome.plan is None:
                raise ImportFailed(importer.problems or [_("工作簿中没有计划。")])
            if dry_run:
                raise _Rollback
    except _Rollback:
        outcome.plan = Plan(year=outcome.plan.year, title=outcome.plan.title)  # unsaved: rolled back
    return outcome
