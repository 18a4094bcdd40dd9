"""The leadership briefing (督查通报) as of a day: one document, as .xlsx or PDF.

What it holds: the plan's overall progress and lights; per department its targets by light,
the on-time rate of the last reporting period and what is overdue (goals.league.standings); the red
and yellow targets with their last approved figure, its note and next steps, and the
monthly rate still needed; and what changed since the previous briefing (the end of the
previous month): targets newly done, newly red.

The public monthly version (公示) is the same document without the notes and next steps,
and counts only approved reports as reported. Built from one evaluation of the plan per
day compared (two in all) and a handful of queries, whatever the plan's size.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from goals.briefings.sections import (
    Item,
    Section,
    department_cells,
    department_headers,
    item_cells,
    item_headers,
    sections,
)
from goals.league import standings as league
from goals.models import Department, Plan, Report
from goals.rules.progress import LIGHT_ORDER, Light, Status
from goals.tracking import evaluation, schedule
from goals.tracking.evaluation import Rollup, TargetProgress
from goals.workbooks.cells import workbook_bytes

__all__ = ["Briefing", "Item", "Section", "build", "to_html", "to_pdf", "to_xlsx"]

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "briefing.css"
FILLS = {
    Light.RED: "F4C7C3",
    Light.YELLOW: "FCE8B2",
    Light.GREEN: "B7E1CD",
    Light.GREY: "E0E0E0",
}


@dataclass
class Briefing:
    plan: Plan
    day: datetime.date
    previous_day: datetime.date | None
    public: bool
    overall: Rollup
    lights: Counter
    departments: list[league.LeagueRow]
    red: list[Item] = field(default_factory=list)
    yellow: list[Item] = field(default_factory=list)
    newly_done: list[Item] = field(default_factory=list)
    newly_red: list[Item] = field(default_factory=list)
    projects: list[Section] = field(default_factory=list)
    actions: list[Section] = field(default_factory=list)

    @property
    def title(self) -> str:
        if self.public:
            return _("%(year)s 年工作目标推进情况公示(截至 %(day)s)") % {
                "year": self.plan.year,
                "day": self.day,
            }
        return _("%(year)s 年工作目标督查通报(截至 %(day)s)") % {"year": self.plan.year, "day": self.day}

    @property
    def light_counts(self) -> list[tuple[Light, int]]:
        return [(light, self.lights[light]) for light in LIGHT_ORDER]

    @property
    def overall_percent(self) -> str:
        percent = self.overall.percent_display
        return "—" if percent is None else str(percent)

    @property
    def total(self) -> int:
        return sum(self.lights.values())

    @property
    def sections(self) -> list[tuple[str, list[Item], str]]:
        return [(_("二、红灯目标"), self.red, "red"), (_("三、黄灯目标"), self.yellow, "yellow")]

    @property
    def parts(self) -> list[tuple[str, list[Section], str]]:
        """The plan by livelihood project and by action, each part with all its targets."""
        return [
            (_("四、十大民生实事逐项情况"), self.projects, "projects"),
            (_("五、七大行动逐项情况"), self.actions, "actions"),
        ]


def previous_briefing_day(plan: Plan, day: datetime.date) -> datetime.date | None:
    """The previous monthly briefing: the last day of the month before `day`'s (None in January)."""
    previous = day.replace(day=1) - datetime.timedelta(days=1)
    return previous if previous.year == plan.year else None


def build(plan: Plan, day: datetime.date, *, public: bool = False) -> Briefing:
    result = evaluation.evaluate_plan(plan, day)
    states = schedule.PUBLIC_STATES if public else schedule.STAFF_STATES
    facts = schedule.reporting_facts(result, day, states)
    departments = league.build(result, facts, Department.objects.order_by("order", "name"))
    top = result.top_level()
    briefing = Briefing(
        plan=plan,
        day=day,
        previous_day=previous_briefing_day(plan, day),
        public=public,
        overall=result.overall,
        lights=Counter(tp.light for tp in top),
        departments=departments,
    )
    briefing.projects, briefing.actions = sections(result)
    attention = [tp for tp in top if tp.light in (Light.RED, Light.YELLOW)]
    notes = {}
    if not public:
        ids = [tp.report_id for tp in attention if tp.report_id]
        notes = {r["id"]: r for r in Report.objects.filter(pk__in=ids).values("id", "note", "next_steps")}

    def item(tp: TargetProgress) -> Item:
        found = notes.get(tp.report_id, {})
        return Item(tp, note=found.get("note", ""), next_steps=found.get("next_steps", ""))

    briefing.red = [item(tp) for tp in attention if tp.light == Light.RED]
    briefing.yellow = [item(tp) for tp in attention if tp.light == Light.YELLOW]
    if briefing.previous_day is not None:
        before = evaluation.evaluate_plan(plan, briefing.previous_day).targets
        for tp in top:
            then = before.get(tp.target.pk)
            if then is None:
                continue
            if tp.status == Status.DONE and then.status != Status.DONE:
                briefing.newly_done.append(item(tp))
            if tp.light == Light.RED and then.light != Light.RED:
                briefing.newly_red.append(item(tp))
    return briefing


# --- PDF --------------------------------------------------------------------------------------


def to_html(briefing: Briefing) -> str:
    return render_to_string("briefings/document.html", {"briefing": briefing, "standalone": True})


def to_pdf(briefing: Briefing) -> bytes:
    """The briefing as PDF (WeasyPrint; Chinese in Noto Sans CJK SC, embedded, extractable)."""
    from weasyprint import CSS, HTML  # imported here: loading pango takes a moment

    html = HTML(string=to_html(briefing), base_url=str(settings.BASE_DIR))
    return html.write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])


# --- xlsx -------------------------------------------------------------------------------------


def to_xlsx(briefing: Briefing) -> bytes:
    """The briefing as one worksheet laid out for A4 landscape, one page wide."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("督查通报")
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDE4EE")
    widths = [10, 30, 14, 14, 12, 10, 16, 30, 30]
    for index, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(index)].width = width

    def title(text: str, size: int = 12) -> None:
        ws.append([text])
        ws.cell(ws.max_row, 1).font = Font(bold=True, size=size)

    def header(cells: list[str]) -> None:
        ws.append(cells)
        for index in range(1, len(cells) + 1):
            cell = ws.cell(ws.max_row, index)
            cell.font = bold
            cell.fill = head_fill
            cell.alignment = Alignment(wrap_text=True, vertical="center")

    def light_cell(column: int, light: Light) -> None:
        cell = ws.cell(ws.max_row, column)
        cell.fill = PatternFill("solid", fgColor=FILLS[light])

    title(briefing.title, 14)
    overall = briefing.overall.percent_display
    ws.append(
        [
            _("总体完成度"),
            f"{overall}%" if overall is not None else "—",
            _("目标数"),
            briefing.total,
            *[f"{Light(light).label} {n}" for light, n in briefing.light_counts],
        ]
    )
    ws.append([])
    title(_("一、各单位情况"))
    header(department_headers())
    for row in briefing.departments:
        ws.append(department_cells(row))
    for heading, items in ((_("二、红灯目标"), briefing.red), (_("三、黄灯目标"), briefing.yellow)):
        ws.append([])
        title(heading)
        header(item_headers(public=briefing.public, as_of=True))
        for item in items:
            ws.append(item_cells(item, public=briefing.public, as_of=True))
            light_cell(1, item.tp.light)
        if not items:
            ws.append([_("无")])
    for heading, parts, _anchor in briefing.parts:
        ws.append([])
        title(heading)
        for part in parts:
            lights = "、".join(f"{Light(light).label} {n}" for light, n in part.light_counts)
            ws.append([part.code, part.name, _("完成度"), part.percent, lights])
            ws.cell(ws.max_row, 1).font = bold
            ws.cell(ws.max_row, 2).font = bold
            header(
                [
                    _("编号"),
                    _("目标"),
                    _("责任单位"),
                    _("目标值"),
                    _("最新值"),
                    _("截至"),
                    _("完成度"),
                    _("状态"),
                    _("亮灯"),
                ]
            )
            for item in part.items:
                cells = [
                    item.target.code,
                    item.target.name,
                    item.department,
                    item.goal,
                    item.value,
                    item.as_of,
                ]
                ws.append([*cells, item.percent, str(item.tp.status.label), str(item.tp.light.label)])
                light_cell(9, item.tp.light)
    ws.append([])
    if briefing.previous_day:
        title(_("六、较上期(%(day)s)变化") % {"day": briefing.previous_day})
        header([_("变化"), _("编号"), _("目标"), _("责任单位"), _("最新值")])
        for label, items in ((_("新完成"), briefing.newly_done), (_("新亮红灯"), briefing.newly_red)):
            for item in items:
                ws.append([label, item.target.code, item.target.name, item.department, item.value])
            if not items:
                ws.append([label, _("无")])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.alignment is None or not cell.alignment.wrap_text:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "&P / &N"
    return workbook_bytes(wb)


def filename(briefing: Briefing, extension: str) -> str:
    kind = "公示" if briefing.public else "督查通报"
    return f"{briefing.plan.year}-{kind}-{briefing.day.isoformat()}.{extension}"
