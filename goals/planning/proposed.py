"""A proposed plan (goals.proposals) as the plan workbook that import_plan reads.

Groups named …行动 become actions (行动), each with one measure (举措) holding its targets;
every other group becomes a livelihood project (民生实事). Codes follow the seed's pattern:
A1, A1.1 and A1.1.1…; P1 and P1.1…; a sub-target (其中…) gets its total's code plus .1, .2.
Departments, due dates and weights are left for the planner to fill in before importing.
"""

from __future__ import annotations

from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from goals.proposals.clauses import Proposal
from goals.proposals.parser import ProposedPlan
from goals.workbooks.cells import workbook_bytes
from goals.workbooks.plan import PLAN_FIELDS, SHEETS

NAME_MAX, SHORT_MAX = 200, 20


def _number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _target_row(item: Proposal, code: str, order: int, group: str, parent: str | None) -> dict:
    return {
        "code": code,
        "name": (item.name or item.wording)[:NAME_MAX],
        "order": order,
        "group": group,
        "parent": parent,
        "wording": item.wording,
        "kind": str(item.kind),
        "comparator": item.comparator[:SHORT_MAX] or None,
        "target_value": _number(item.target_value),
        "target_upper": _number(item.target_upper),
        "unit": item.unit[:SHORT_MAX] or None,
        "scale": item.scale,
        "source_clause": item.source_clause,
    }


def sheet_rows(plan: ProposedPlan, *, year: int, source: str = "") -> dict[str, list[dict]]:
    """{sheet: [row dicts by field key]} for every sheet of the plan workbook."""
    rows: dict[str, list[dict]] = {name: [] for name in SHEETS}
    title = plan.title or f"{year}年工作计划"
    rows["计划"] = [
        {"key": "year", "value": year},
        {"key": "title", "value": title[:NAME_MAX]},
        {"key": "source", "value": source or None},
    ]
    actions = projects = 0

    def add_targets(items: list[Proposal], group: str, prefix: str, parent: str | None) -> None:
        for order, item in enumerate(items, 1):
            code = f"{prefix}.{order}"
            rows["目标"].append(_target_row(item, code, len(rows["目标"]) + 1, group, parent))
            add_targets(item.sub_targets, group, code, code)

    for group in plan.groups:
        name = group.name[:NAME_MAX] or "(未命名)"
        if group.name.endswith("行动"):
            actions += 1
            action = f"A{actions}"
            rows["行动"].append(
                {"code": action, "name": name, "order": actions, "weight": 1, "summary": group.heading}
            )
            measure = f"{action}.1"
            rows["举措"].append(
                {
                    "code": measure,
                    "name": name,
                    "order": 1,
                    "weight": 1,
                    "action": action,
                    "source_clause": group.heading,
                }
            )
            add_targets(group.targets, measure, measure, None)
        else:
            projects += 1
            project = f"P{projects}"
            rows["民生实事"].append(
                {
                    "code": project,
                    "name": name,
                    "order": projects,
                    "weight": 1,
                    "source_clause": group.heading,
                }
            )
            add_targets(group.targets, project, project, None)
    return rows


def workbook(plan: ProposedPlan, *, year: int, source: str = "") -> bytes:
    """The .xlsx bytes, with the sheets and headings of goals.workbooks.plan."""
    rows = sheet_rows(plan, year=year, source=source)
    labels = dict(PLAN_FIELDS)
    book = Workbook()
    book.remove(book.active)
    sheet = book.create_sheet("计划")
    sheet.append(["字段", "值"])
    for row in rows["计划"]:
        sheet.append([labels[row["key"]], row["value"]])
    for name, keys in SHEETS.items():
        sheet = book.create_sheet(name)
        sheet.append([label for _key, label in keys])
        for row in rows[name]:
            sheet.append([row.get(key) for key, _label in keys])
    for sheet in book.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    return workbook_bytes(book)
