"""Open data: the targets and the approved reports of a plan, as CSV, JSON and Atom.

A stable contract, documented in docs/admins.md ("Open data"): the column names, their order
and their meaning do not change; new columns are only ever added at the end.
Numbers are written exactly (never rounded, never in scientific notation).
"""

from __future__ import annotations

import csv
import datetime
from decimal import Decimal

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goals.models import Evidence, Plan, Report, Target
from goals.planning import publication
from goals.rules.formatting import at_scale_rounded, in_target_scale, plain, rate_rounded
from goals.tracking.evaluation import PlanProgress
from goals.tracking.listing import Row, rows
from goals.workbooks.cells import csv_text

TARGET_COLUMNS = [
    "plan_year",
    "code",
    "parent_code",
    "group_type",
    "group_code",
    "group_name",
    "measure_code",
    "measure_name",
    "name",
    "wording",
    "kind",
    "comparator",
    "unit",
    "scale",
    "target_value",
    "target_upper",
    "baseline_value",
    "baseline_year",
    "due_date",
    "current_value",
    "current_value_text",
    "value_as_of",
    "percent",
    "expected_percent",
    "status",
    "status_label",
    "stale",
    "exceeded",
    "lead_department",
    "weight",
    "source_clause",
    "evaluated_on",
    # Added with the reporting cadence (issue 10): only ever appended.
    "light",
    "light_label",
    "projected_value",
    "required_per_month",
    "last_period_covered",
    # Added with the year's states (issue 18): the target it continues, as "2024/P4.1".
    "carried_from",
]

REPORT_COLUMNS = [
    "report_id",
    "plan_year",
    "target_code",
    "target_name",
    "value",
    "value_at_scale",
    "value_text",
    "unit",
    "scale",
    "as_of",
    "note",
    "approved_at",
    "evidence_urls",
    "next_steps",
]

FEED_SIZE = 50


def at_scale(value: Decimal | None, target: Target) -> Decimal | None:
    """A base-unit report value at the target's scale (10450 for 1.1万名 → 1.045)."""
    if value is None:
        return None
    if target.kind == Target.Kind.MILESTONE:
        return value
    return Decimal(value) / target.scale


def _label(choice, labels: dict) -> str:
    """A status's or light's label in the active language, translated once per export."""
    key = (type(choice), choice)  # a status and a light could one day share a value
    found = labels.get(key)
    if found is None:
        found = labels[key] = str(choice.label)
    return found


def carried_from(result: PlanProgress) -> dict[int, str]:
    """{predecessor id: "2024/P4.1"} for the carried targets of the plan (no query without any)."""
    ids = {tp.target.predecessor_id for tp in result.targets.values() if tp.target.predecessor_id}
    if not ids:
        return {}
    rows = Target.objects.filter(pk__in=ids).values_list("pk", "plan__year", "code")
    return {pk: f"{year}/{code}" for pk, year, code in rows}


def plan_record(plan: Plan) -> dict:
    """The plan's metadata as exported: its year, title and state (published / closed)."""
    record = {"year": plan.year, "title": plan.title, "status": plan.status}
    if plan.is_closed:
        record["closed_as_of"] = plan.closed_as_of.isoformat()
    return record


def target_record(
    row: Row, result: PlanProgress, labels: dict | None = None, origins: dict | None = None
) -> dict:
    """One target as typed values (Decimal, int, bool, date or None); see TARGET_COLUMNS."""
    labels = {} if labels is None else labels
    tp, target, owner = row.progress, row.target, row.owner
    parent = result.targets.get(target.parent_id) if target.parent_id else None
    covered = tp.covered_period
    return {
        "plan_year": result.plan.year,
        "code": target.code,
        "parent_code": parent.target.code if parent else "",
        "group_type": owner.kind,
        "group_code": owner.code,
        "group_name": owner.name,
        "measure_code": owner.measure_code,
        "measure_name": owner.measure_name,
        "name": target.name,
        "wording": target.wording,
        "kind": target.kind,
        "comparator": target.comparator,
        "unit": target.unit,
        "scale": target.scale,
        "target_value": target.target_value,
        "target_upper": target.target_upper,
        "baseline_value": target.baseline_value,
        "baseline_year": target.baseline_year,
        "due_date": target.due,
        "current_value": at_scale(tp.value, target),
        "current_value_text": in_target_scale(tp.value, target),
        "value_as_of": tp.as_of,
        "percent": tp.percent_display,
        "expected_percent": None if tp.is_ceiling else tp.expected.quantize(Decimal("0.1")),
        "status": str(tp.status),
        "status_label": _label(tp.status, labels),
        "stale": tp.stale,
        "exceeded": tp.exceeded,
        "lead_department": tp.target.lead_department.name if tp.target.lead_department else "",
        "weight": target.weight,
        "source_clause": target.source_clause,
        "evaluated_on": result.day,
        "light": str(tp.light),
        "light_label": _label(tp.light, labels),
        "projected_value": at_scale_rounded(tp.projected, target),
        "required_per_month": rate_rounded(tp.required, target),
        "last_period_covered": str(covered) if covered else "",
        "carried_from": (origins or {}).get(target.predecessor_id, ""),
    }


def target_records(result: PlanProgress) -> list[dict]:
    labels: dict = {}
    origins = carried_from(result)
    return [target_record(row, result, labels, origins) for row in rows(result)]


PASSED_AS_IS = frozenset({str, bool, int})


def csv_cell(value) -> str:
    """A CSV cell: numbers and dates as themselves, text that a spreadsheet would run as a
    formula (=, +, -, @ …) behind a single quote (goals.workbooks.cells.csv_text)."""
    if type(value) is str:  # most cells: skip the checks below
        return csv_text(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)
    return csv_text(str(value))


def json_value(value):
    """Exact JSON numbers: 1.045 stays 1.045, 200.0000 becomes 200."""
    if value is None or type(value) in PASSED_AS_IS:  # most values: skip the checks below
        return value
    if isinstance(value, Decimal):
        text = plain(value)
        return int(text) if "." not in text else float(text)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def csv_response(filename: str, columns: list[str], records: list[dict]) -> HttpResponse:
    """UTF-8 with a byte-order mark, so that Excel reads the Chinese correctly; CRLF lines."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(columns)
    for record in records:
        writer.writerow([csv_cell(record[column]) for column in columns])
    return response


def report_records(request: HttpRequest, plan: Plan, day: datetime.date) -> list[dict]:
    """Every approved report of the plan dated on or before `day`, oldest first."""
    reports = list(
        Report.objects.approved()
        .filter(target__plan=plan, as_of__lte=day)
        .select_related("target")
        .order_by("as_of", "created_at", "id")
    )
    files: dict[int, list[str]] = {}
    for item in Evidence.objects.filter(
        report__state=Report.State.APPROVED, report__target__plan=plan
    ).order_by("id"):
        files.setdefault(item.report_id, []).append(
            publication.absolute_url(request, reverse("evidence", args=[item.pk]))
        )
    return [
        {
            "report_id": report.id,
            "plan_year": plan.year,
            "target_code": report.target.code,
            "target_name": report.target.name,
            "value": report.value,
            "value_at_scale": at_scale(report.value, report.target),
            "value_text": in_target_scale(report.value, report.target),
            "unit": report.target.unit,
            "scale": report.target.scale,
            "as_of": report.as_of,
            "note": report.note,
            "approved_at": report.reviewed_at,
            "evidence_urls": " ".join(files.get(report.id, [])),
            "next_steps": report.next_steps,
        }
        for report in reports
    ]


class PlainTextAtomFeed(Atom1Feed):
    """Atom whose entry summaries are text (type="text", escaped), not HTML: a note is what an
    official typed, and a feed reader must show <b>x</b> as those characters, not render it."""

    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


class UpdatesFeed(Feed):
    """The latest approved reports of the public plan, newest approval first."""

    feed_type = PlainTextAtomFeed
    title = gettext_lazy("常州经开区 2024 年工作目标:最新进度")
    subtitle = gettext_lazy("经审核通过的目标进度报告")

    # The request is the feed's object, so that every link is made absolute on the
    # canonical origin (publication.absolute_url) rather than on whatever host was asked.
    def get_object(self, request: HttpRequest, *args, **kwargs) -> HttpRequest:
        return request

    def link(self, request: HttpRequest) -> str:
        return publication.absolute_url(request, reverse("home"))

    def feed_url(self, request: HttpRequest) -> str:
        return publication.absolute_url(request, request.path)

    def items(self, request: HttpRequest) -> list[Report]:
        plan = publication.public_plan()
        if plan is None:
            return []
        reports = list(
            Report.objects.approved()
            .filter(target__plan=plan)
            .select_related("target")
            .order_by("-reviewed_at", "-id")[:FEED_SIZE]
        )
        for report in reports:
            path = reverse("target", args=[report.target.code]) + f"#report-{report.id}"
            report.feed_link = publication.absolute_url(request, path)
        return reports

    def item_title(self, item: Report) -> str:
        return _("%(code)s %(name)s:%(value)s(截至 %(day)s)") % {
            "code": item.target.code,
            "name": item.target.name,
            "value": in_target_scale(item.value, item.target),
            "day": item.as_of.isoformat(),
        }

    def item_description(self, item: Report) -> str:
        return item.note or _("截至 %(day)s 的累计完成值。") % {"day": item.as_of.isoformat()}

    def item_link(self, item: Report) -> str:
        return item.feed_link

    def item_guid(self, item: Report) -> str:
        return f"urn:czedz-goals:report:{item.id}"

    def item_guid_is_permalink(self, item: Report) -> bool:
        return False

    def item_pubdate(self, item: Report) -> datetime.datetime | None:
        return item.reviewed_at

    def item_updateddate(self, item: Report) -> datetime.datetime | None:
        return item.reviewed_at
