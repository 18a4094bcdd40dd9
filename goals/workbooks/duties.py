"""The assignment of duties (分工方案): who leads each target, who helps, the leader in charge
(分管领导) and the contact person, set for many targets at once.

`assign` changes one target's duties and audits it (调整分工, before → after, by which route),
bumping the target's revision like an assignment in the admin. The admin's bulk action, the
workbook page and `import_duties` all go through it.

The workbook: one sheet named "<year> 分工方案", one row per target, columns 编号, 名称 (for
the reader; not read back), 牵头单位, 配合单位 (separated by 、), 分管领导 (a leader's name),
联系人, 联系电话. What a row says is what the target gets: an empty cell clears it. Targets
not in the workbook keep their duties. Reading refuses, with row and column named, unknown
codes, departments and leaders, a code twice, a lead that is also a co-unit, a bad phone
number, and formulas; then nothing is saved (all or nothing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from goals.models import AuditEntry, Department, Leader, Plan, Target
from goals.models.targets import PHONE
from goals.planning import publication
from goals.workbooks.cells import cell_text, workbook_bytes
from goals.workbooks.safety import Refused, open_workbook

COLUMNS = [
    ("code", "编号"),
    ("name", "名称"),
    ("lead", "牵头单位"),
    ("co", "配合单位"),
    ("leader", "分管领导"),
    ("contact_name", "联系人"),
    ("contact_phone", "联系电话"),
]
HEADERS = [label for _key, label in COLUMNS]
SEPARATOR = "、"
SPLIT = re.compile(r"[、,,;;\n]+")
SHEET_TITLE = re.compile(r"^\s*(\d{4})\s*年?\s*分工方案\s*$")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
UNCHANGED = object()


class ImportFailed(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


# --- one target ------------------------------------------------------------------------------


def snapshot(target: Target) -> dict:
    """The target's duties as the audit trail shows them (names, not ids)."""
    target = Target.objects.select_related("lead_department", "leader").get(pk=target.pk)
    return {
        "lead_department": target.lead_department.name if target.lead_department_id else None,
        "co_departments": sorted(target.co_departments.values_list("name", flat=True)),
        "leader": str(target.leader) if target.leader_id else None,
        "contact_name": target.contact_name,
        "contact_phone": target.contact_phone,
    }


def assign(
    actor,
    target: Target,
    *,
    by: str,
    lead=UNCHANGED,
    co=UNCHANGED,
    leader=UNCHANGED,
    contact_name=UNCHANGED,
    contact_phone=UNCHANGED,
) -> AuditEntry | None:
    """Set what is given (UNCHANGED leaves a duty as it is); audit before → after."""
    before = snapshot(target)
    fields = {}
    if lead is not UNCHANGED:
        fields["lead_department"] = lead
    if leader is not UNCHANGED:
        fields["leader"] = leader
    if contact_name is not UNCHANGED:
        fields["contact_name"] = contact_name
    if contact_phone is not UNCHANGED:
        fields["contact_phone"] = contact_phone
    if fields:
        Target.objects.filter(pk=target.pk).update(**fields)
    if co is not UNCHANGED:
        target.co_departments.set(co)
    after = snapshot(target)
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if not changes:
        return None
    Target.objects.filter(pk=target.pk).update(revision=F("revision") + 1)
    transaction.on_commit(publication.bump)
    return AuditEntry.objects.create(
        actor=actor, action=AuditEntry.Action.ASSIGN, target=target, changes={**changes, "by": by}
    )


# --- the workbook ------------------------------------------------------------------------------


def sheet_title(plan: Plan) -> str:
    return f"{plan.year} 分工方案"


def filename(plan: Plan) -> str:
    return f"{plan.year}-分工方案.xlsx"


def rows_for(plan: Plan) -> list[list]:
    targets = (
        Target.objects.filter(plan=plan)
        .select_related("lead_department", "leader", "group")
        .prefetch_related("co_departments")
        .order_by("group__order", "group__code", "order", "code")
    )
    rows = [HEADERS]
    for t in targets:
        co = sorted(t.co_departments.all(), key=lambda d: (d.order, d.name))
        rows.append(
            [
                t.code,
                t.name,
                t.lead_department.name if t.lead_department_id else None,
                SEPARATOR.join(d.name for d in co) or None,
                t.leader.name if t.leader_id else None,
                t.contact_name or None,
                t.contact_phone or None,
            ]
        )
    return rows


def export(plan: Plan) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(plan)
    for row in rows_for(plan):
        ws.append(row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for index, width in enumerate([10, 40, 18, 30, 14, 12, 18], 1):
        ws.column_dimensions[get_column_letter(index)].width = width
    for cell in ws["G"][1:]:
        cell.number_format = "@"  # a phone number stays text (leading 0, no 1.38E+10)
    ws.freeze_panes = "C2"
    last = max(ws.max_row, 2)
    for column, names in (
        ("C", Department.objects.values_list("name", flat=True)),
        ("E", Leader.objects.values_list("name", flat=True)),
    ):
        _choices(ws, f"{column}2:{column}{last}", list(names))
    return workbook_bytes(wb)


def _choices(ws, cells: str, names: list[str]) -> None:
    """A drop-down of the known names on `cells` (Excel and WPS), when the list fits in the
    255 characters an inline list may have; the import checks the names either way."""
    listed = ",".join(names)
    if not names or len(listed) > 255 or any('"' in n or "," in n for n in names):
        return
    validation = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True)
    validation.error = _("请从下拉列表中选择,或留空。")
    validation.showErrorMessage = True
    ws.add_data_validation(validation)
    validation.add(cells)


@dataclass
class Row:
    row: int
    target: Target
    lead: Department | None
    co: list[Department]
    leader: Leader | None
    contact_name: str
    contact_phone: str
    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass
class Reading:
    plan: Plan
    rows: list[Row]

    @property
    def changed(self) -> list[Row]:
        return [r for r in self.rows if r.changed]


def _plan_of(title: str, year: int | None) -> Plan:
    match = SHEET_TITLE.match(title)
    wanted = year or (int(match.group(1)) if match else None)
    if wanted is None:
        raise Refused(
            _(
                "工作表名称应为「年度 分工方案」(如「2024 分工方案」),实为「%(title)s」:请使用本系统下载的工作簿。"
            )
            % {"title": title}
        )
    plan = Plan.objects.filter(year=wanted).first()
    if plan is None:
        raise Refused(_("没有 %(year)s 年的工作计划。") % {"year": wanted})
    return plan


def read(data: bytes, *, year: int | None = None) -> Reading:
    """Check the workbook against the plan; every problem, with its row and column, or the rows."""
    workbook = open_workbook(data)
    try:
        return _read(workbook, year)
    finally:
        workbook.close()


def _read(workbook, year: int | None) -> Reading:
    if len(workbook.sheetnames) != 1:
        raise Refused(
            _("工作簿只能有一个工作表(现有 %(n)s 个:%(names)s),请删除多余的工作表后重新上传。")
            % {"n": len(workbook.sheetnames), "names": "、".join(workbook.sheetnames)}
        )
    sheet = workbook[workbook.sheetnames[0]]
    plan = _plan_of(sheet.title, year)
    lines = sheet.iter_rows()
    header = [cell_text(c.value) for c in next(lines, ())]
    while header and not header[-1]:
        header.pop()
    if header != HEADERS:
        raise Refused(
            _("表头与本系统的分工方案格式不一致(应为:%(headers)s)。") % {"headers": "、".join(HEADERS)}
        )
    targets = {t.code: t for t in Target.objects.filter(plan=plan)}
    departments = {d.name: d for d in Department.objects.all()}
    leaders = {}
    for leader in Leader.objects.all():
        leaders[leader.name] = leader
        leaders[str(leader)] = leader  # 姓名(职务), as the preview shows it
        leaders[f"{leader.name}({leader.title})"] = leader
    problems: list[str] = []
    rows: list[Row] = []
    seen: dict[str, int] = {}

    def problem(row_no: int, column: int, message: str) -> None:
        problems.append(
            _("第 %(row)s 行 %(letter)s 列(%(column)s):%(message)s")
            % {
                "row": row_no,
                "letter": get_column_letter(column + 1),
                "column": HEADERS[column],
                "message": message,
            }
        )

    for cells in lines:
        cells = list(cells)
        if not any(c.value not in (None, "") for c in cells):
            continue
        row_no = next(c.row for c in cells if getattr(c, "row", None))
        values = [cell_text(cells[i].value) if i < len(cells) else "" for i in range(len(COLUMNS))]
        bad = False
        for i, cell in enumerate(cells[: len(COLUMNS)]):
            if getattr(cell, "data_type", None) == "f":
                problem(row_no, i, _("含有公式,请填写文字。"))
                bad = True
        if bad:
            continue
        code, _name, lead_name, co_text, leader_name, contact_name, contact_phone = values
        target = targets.get(code)
        if not code:
            problem(row_no, 0, _("缺少编号。"))
            continue
        if target is None:
            problem(
                row_no,
                0,
                _("%(year)s 年计划中没有编号为「%(code)s」的目标。") % {"year": plan.year, "code": code},
            )
            continue
        if code in seen:
            problem(
                row_no,
                0,
                _("编号「%(code)s」已在第 %(first)s 行出现过。") % {"code": code, "first": seen[code]},
            )
            continue
        seen[code] = row_no
        lead = departments.get(lead_name) if lead_name else None
        if lead_name and lead is None:
            problem(row_no, 2, _("没有名为「%(name)s」的单位。") % {"name": lead_name})
        co = []
        for name in dict.fromkeys(n.strip() for n in SPLIT.split(co_text) if n.strip()):
            if name not in departments:
                problem(row_no, 3, _("没有名为「%(name)s」的单位。") % {"name": name})
            elif lead is not None and departments[name] == lead:
                problem(row_no, 3, _("「%(name)s」已是牵头单位,不能同时是配合单位。") % {"name": name})
            else:
                co.append(departments[name])
        leader = leaders.get(leader_name) if leader_name else None
        if leader_name and leader is None:
            problem(
                row_no, 4, _("没有名为「%(name)s」的分管领导(请先在管理后台添加)。") % {"name": leader_name}
            )
        if len(contact_name) > 50:
            problem(row_no, 5, _("联系人姓名过长(最多 50 个字)。"))
        if contact_phone:
            try:
                PHONE(contact_phone)
            except ValidationError:
                problem(row_no, 6, _("「%(phone)s」不是有效的电话号码。") % {"phone": contact_phone})
        rows.append(Row(row_no, target, lead, co, leader, contact_name, contact_phone))
    if problems:
        raise ImportFailed(problems)
    for row in rows:
        row.before = snapshot(row.target)
        row.after = {
            "lead_department": row.lead.name if row.lead else None,
            "co_departments": sorted(d.name for d in row.co),
            "leader": str(row.leader) if row.leader else None,
            "contact_name": row.contact_name,
            "contact_phone": row.contact_phone,
        }
    return Reading(plan, rows)


def apply(reading: Reading, actor, *, by: str) -> int:
    """Save every changed row in one transaction; the number of targets changed."""
    changed = 0
    with transaction.atomic():
        for row in reading.changed:
            entry = assign(
                actor,
                row.target,
                by=by,
                lead=row.lead,
                co=row.co,
                leader=row.leader,
                contact_name=row.contact_name,
                contact_phone=row.contact_phone,
            )
            changed += entry is not None
    return changed
