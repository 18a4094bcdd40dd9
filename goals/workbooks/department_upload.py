"""Reading a department workbook back: `read` the file into plain rows, `check` them as
report forms, `commit` them as reports (see goals.workbooks.department for the format)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from goals.models import Department, Plan, Report, Target
from goals.planning import publication
from goals.reporting import services
from goals.reporting.forms import ReportForm
from goals.rules import plausibility
from goals.rules.formatting import in_target_scale, plain
from goals.rules.progress import Light
from goals.tracking import readings
from goals.tracking.evaluation import evaluate_target, rules_from_settings
from goals.workbooks.cells import cell_text, is_formula
from goals.workbooks.department import (
    COMPARED,
    HEADERS,
    INPUTS,
    KEYS,
    LETTER,
    department_targets,
    described,
    sheet_title,
)
from goals.workbooks.safety import Refused, bounded_rows, only_sheet, open_workbook

# Rows below the template's and columns right of it that are still read (and refused when
# filled); anything further is not read at all. At most MAX_LISTED problems are shown.
EXTRA_ROWS = 50
EXTRA_COLUMNS = 13
MAX_LISTED = 50
# XML elements the whole file may hold: styles, theme and the like, and a few per cell of
# the rows and columns read (a cell, its value, a shared string and its text).
BASE_ELEMENTS = 50_000
ELEMENTS_PER_CELL = 4


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


def read(data: bytes, *, plan: Plan, department: Department, user) -> Upload:
    """The filled rows of an uploaded department workbook, or the problems found in it.

    Raises Refused when the file as a whole is not a workbook of this kind.
    """
    targets = {t.code: t for t in department_targets(user, plan, department)}
    # The template's rows (a header and one per target) and a margin for rows added below;
    # the row after the margin is read only to tell that there is more.
    last_row = len(targets) + 1 + EXTRA_ROWS
    columns = len(KEYS) + EXTRA_COLUMNS
    workbook = open_workbook(data, max_elements=BASE_ELEMENTS + ELEMENTS_PER_CELL * last_row * columns)
    try:
        sheet = only_sheet(workbook, sheet_title(plan))
        found = Upload()
        in_plan = set(Target.objects.filter(plan=plan).values_list("code", flat=True))
        seen: dict[str, int] = {}
        rows = bounded_rows(sheet, rows=last_row + 1, columns=columns)
        header = next(rows, None)
        header_text = [cell_text(c.value) for c in header or ()]
        while header_text and not header_text[-1]:
            header_text.pop()
        if header_text != HEADERS:
            raise Refused(_("表头与下载的工作簿不一致(第 1 行),请使用本系统下载的工作簿,不要增删或改动列。"))
        for cells in rows:
            cells = list(cells)
            row_no = next((c.row for c in cells if getattr(c, "row", None)), None)
            if row_no is None:
                continue
            if row_no > last_row:
                if any(cell.value is not None for cell in cells):
                    found.problems.append(
                        Problem(
                            row_no,
                            "",
                            _("第 %(last)s 行以下不属于本表(本表只有 %(n)s 个目标),请删除多余的行")
                            % {"last": last_row, "n": len(targets)},
                        )
                    )
                break
            problems: list[Problem] = []
            for index, cell in enumerate(cells):
                if cell.value is None:
                    continue
                if is_formula(cell):  # text that merely starts with "=" is text
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
            values = {key: cell_text(cells[i].value) if i < len(cells) else "" for i, key in enumerate(KEYS)}
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
        item.light = will_light(target, item.value, item.as_of, publication.evaluation_day(plan, today))
        item.duplicate = (
            Report.objects.filter(target=target, value=item.value, as_of=item.as_of)
            .exclude(state=Report.State.RETURNED)
            .exists()
        )
        checked.append(item)
    return checked


# Sorts after every real report: the preview's report is the newest.
PREVIEW_ID = 2**62


def will_light(target: Target, value: Decimal, as_of: datetime.date, day: datetime.date) -> str:
    """The light the target shows on the public pages on `day` (the day they evaluate the
    plan at) once this report is approved: read with its approved reports as every page
    reads them (goals.tracking.readings.standing), so the preview promises what they show."""
    reports = list(Report.objects.approved().filter(target=target, as_of__lte=day))
    if as_of <= day:
        reports.append(
            Report(id=PREVIEW_ID, target=target, value=value, as_of=as_of, created_at=timezone.now())
        )
    return evaluate_target(target, readings.standing(target, reports), day, rules_from_settings()).light


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
            try:
                report = services.submit_report(
                    target=item.target,
                    value=item.value,
                    as_of=item.as_of,
                    author=user,
                    note=item.data.get("note", "").strip(),
                    next_steps=item.data.get("next_steps", "").strip(),
                    plausibility_flags=item.flags,
                    audit={"workbook": source},
                )
            except services.AlreadySubmitted:
                continue  # sent from the web form meanwhile: already waiting for review
            created.append(report)
    return created
