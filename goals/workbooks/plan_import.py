"""Importing a plan workbook (goals.workbooks.plan describes the format): all or nothing.

Every object is built and validated (full_clean, the same rules as the admin) inside one
transaction; any problem rolls everything back and is reported with its sheet, row and
column. `dry_run` validates and rolls back even when all is well (the preview). A plan of
the year imported must not exist yet. Importing as another year (--year) moves the targets'
due dates by the same number of years (the adoption date is a fact about the document).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from goals.models import Action, Department, Measure, Pillar, Plan, ReportedFigure, Target, TargetGroup
from goals.operations import statistics
from goals.rules.text import is_plain_number, parse_year
from goals.workbooks.cells import cell_text, is_formula
from goals.workbooks.plan import DATES, DECIMALS, INTEGERS, PLAN_FIELDS, SEPARATOR, SHEET_NAMES, SHEETS
from goals.workbooks.safety import Refused, bounded_rows, open_workbook


@dataclass
class Outcome:
    plan: Plan | None = None
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


# Rows read per sheet (the 2024 plan has 116 targets), and problems listed at most.
MAX_ROWS = 5000
MAX_LISTED = 50


class ImportFailed(Exception):
    def __init__(self, problems: list[str]):
        unlisted = len(problems) - MAX_LISTED
        if unlisted > 0:
            problems = [*problems[:MAX_LISTED], _("另有 %(n)s 个问题未列出。") % {"n": unlisted}]
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
            rows = bounded_rows(workbook[name], rows=MAX_ROWS + 2, columns=len(keys))
            header = [cell_text(c.value) for c in next(rows, ())]
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
                if row_no > MAX_ROWS + 1:
                    raise Refused(
                        _("工作表「%(sheet)s」超过 %(n)s 行,不是本系统的计划工作簿。")
                        % {"sheet": name, "n": MAX_ROWS}
                    )
                for cell in cells:
                    if is_formula(cell):
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
            if (key in DECIMALS or key in INTEGERS) and not is_plain_number(cell_text(value)):
                raise InvalidOperation  # ASCII digits only: not ²⁰²⁵, ٢٠٢٥, NaN or Infinity
            if key in DECIMALS:
                return Decimal(cell_text(value))
            if key in INTEGERS:
                number = Decimal(cell_text(value))
                if number != number.to_integral_value():
                    raise InvalidOperation
                return int(number)
            if key in DATES:
                if isinstance(value, datetime.datetime):
                    day = value.date()
                elif isinstance(value, datetime.date):
                    day = value
                else:
                    day = datetime.date.fromisoformat(cell_text(value))
                return self.moved(day) if key == "due_date" else day
        except (InvalidOperation, ValueError):
            self.fail(
                sheet,
                row,
                self.label(sheet, key),
                _("「%(value)s」无法识别") % {"value": cell_text(value)[:40]},
            )
            return None
        return cell_text(value)

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
            action = actions.get(cell_text(raw.get("code")))
            for code in self.codes(raw.get("pillars")):
                if code in pillars:
                    action.pillars.add(pillars[code])
                elif action is not None:
                    self.fail(
                        "行动", raw["_row"], "所属经开", _("没有编号为「%(code)s」的经开") % {"code": code}
                    )

        def measure_links(obj, raw):
            obj.kind = TargetGroup.Kind.MEASURE
            obj.action = actions.get(cell_text(raw.get("action"))) if raw.get("action") else None
            obj.pillar = pillars.get(cell_text(raw.get("pillar"))) if raw.get("pillar") else None
            for key, found in (("action", obj.action), ("pillar", obj.pillar)):
                if raw.get(key) and found is None:
                    self.fail(
                        "举措",
                        raw["_row"],
                        self.label("举措", key),
                        _("编号「%(code)s」不存在") % {"code": cell_text(raw.get(key))},
                    )

        groups = dict(self.coded("举措", Measure, plan, measure_links))
        from projects.models import Project  # goals never imports projects at module level

        def project_kind(obj, raw):
            obj.kind = TargetGroup.Kind.PROJECT

        groups.update(self.coded("民生实事", Project, plan, project_kind))
        departments = {d.name: d for d in Department.objects.all()}

        def target_links(obj, raw):
            code = cell_text(raw.get("group"))
            group = groups.get(code)
            if group is None:
                self.fail("目标", raw["_row"], "所属项目或举措", _("编号「%(code)s」不存在") % {"code": code})
            else:
                obj.group = group
            lead = cell_text(raw.get("lead_department"))
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
            target = targets.get(cell_text(raw.get("code")))
            if target is None:
                continue
            parent_code = cell_text(raw.get("parent"))
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
                code = cell_text(raw.get(key))
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
        text = cell_text(raw)
        return [part.strip() for part in text.replace(",", SEPARATOR).split(SEPARATOR) if part.strip()]

    def predecessor(self, raw) -> Target | None:
        text = cell_text(raw.get("predecessor"))
        year, _sep, code = text.partition(":")
        found = None
        if parse_year(year) is not None and code:
            found = Target.objects.filter(plan__year=parse_year(year), code=code).first()
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
            key = labels.get(cell_text(raw.get("key")))
            if key is None:
                self.fail(
                    "计划",
                    raw["_row"],
                    "字段",
                    _("未知字段「%(name)s」") % {"name": cell_text(raw.get("key"))},
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
            statistics.refresh()  # a whole plan arrived: PostgreSQL plans from fresh statistics
    except _Rollback:
        outcome.plan = Plan(year=outcome.plan.year, title=outcome.plan.title)  # unsaved: rolled back
    return outcome
