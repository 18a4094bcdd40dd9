"""Open-data exports: targets as CSV and JSON, approved reports as CSV, an Atom feed.

The year is in the URL; `?as_of=YYYY-MM-DD` evaluates the plan as it stood that day. A
date that cannot be read or lies outside the plan gives 400 with a Chinese message.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

from goals.planning import publication
from goals.public import opendata
from goals.public.caching import public_page
from goals.tracking.evaluation import evaluate_plan


def _day(request: HttpRequest, year: int) -> tuple[publication.Day, object]:
    plan = publication.plan_for_year(year)
    return publication.day_for(request, plan), plan


def _bad_day(day: publication.Day) -> HttpResponse:
    return HttpResponseBadRequest(day.error, content_type="text/plain; charset=utf-8")


def _suffix(day: publication.Day) -> str:
    return f"-{day.iso}" if day.requested else ""


@public_page
def targets_csv(request: HttpRequest, year: int) -> HttpResponse:
    day, plan = _day(request, year)
    if day.error:
        return _bad_day(day)
    records = opendata.target_records(evaluate_plan(plan, day.day))
    return opendata.csv_response(f"targets-{plan.year}{_suffix(day)}.csv", opendata.TARGET_COLUMNS, records)


@public_page
def targets_json(request: HttpRequest, year: int) -> HttpResponse:
    day, plan = _day(request, year)
    if day.error:
        return JsonResponse({"error": day.error}, status=400, json_dumps_params={"ensure_ascii": False})
    result = evaluate_plan(plan, day.day)
    records = [
        {column: opendata.json_value(record[column]) for column in opendata.TARGET_COLUMNS}
        for record in opendata.target_records(result)
    ]
    body = {
        "plan": opendata.plan_record(plan),
        "evaluated_on": day.iso,
        # The home page's boxes: top-level targets by status, adding up to their number.
        "summary": result.overall.summary,
        "columns": opendata.TARGET_COLUMNS,
        "targets": records,
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


@public_page
def reports_csv(request: HttpRequest, year: int) -> HttpResponse:
    day, plan = _day(request, year)
    if day.error:
        return _bad_day(day)
    records = opendata.report_records(request, plan, day.day)
    return opendata.csv_response(f"reports-{plan.year}{_suffix(day)}.csv", opendata.REPORT_COLUMNS, records)


feed = public_page(opendata.UpdatesFeed())
