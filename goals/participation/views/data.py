"""Open data of residents' questions (CSV and JSON, never an email address), and Atom
feeds of one target's or one project's approved reports. Cached like every public page:
each change to a question writes an audit entry, which moves the published version."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from goals.models import Report, Target, TargetGroup
from goals.participation import opendata, states
from goals.planning import publication
from goals.public import opendata as public_opendata
from goals.public.caching import public_page


@public_page
def questions_csv(request: HttpRequest, year: int) -> HttpResponse:
    plan = publication.plan_for_year(year)
    records = opendata.question_records(plan)
    return public_opendata.csv_response(f"questions-{plan.year}.csv", opendata.QUESTION_COLUMNS, records)


@public_page
def questions_json(request: HttpRequest, year: int) -> HttpResponse:
    plan = publication.plan_for_year(year)
    records = [
        {column: public_opendata.json_value(record[column]) for column in opendata.QUESTION_COLUMNS}
        for record in opendata.question_records(plan)
    ]
    body = {
        "plan": {"year": plan.year, "title": plan.title},
        "columns": opendata.QUESTION_COLUMNS,
        "questions": records,
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


class ItemFeed(public_opendata.UpdatesFeed):
    """The approved reports of one target (and its sub-targets) or of one project."""

    kind = "target"

    def get_object(self, request: HttpRequest, year: int, code: str):
        plan = publication.plan_for_year(year)
        if self.kind == "target":
            found = Target.objects.filter(plan=plan, code=code).first()
        else:
            found = TargetGroup.objects.filter(plan=plan, code=code, kind=TargetGroup.Kind.PROJECT).first()
        if found is None:
            raise Http404(_("没有这个编号。"))
        request.feed_item = found
        return request

    def title(self, request: HttpRequest) -> str:
        item = request.feed_item
        return _("%(code)s %(name)s:最新进度") % {"code": item.code, "name": item.name}

    def link(self, request: HttpRequest) -> str:
        item = request.feed_item
        return publication.absolute_url(request, states.item_path(self.kind, item.code, item.plan.year))

    def items(self, request: HttpRequest) -> list[Report]:
        item = request.feed_item
        reports = Report.objects.approved().select_related("target")
        if self.kind == "target":
            reports = reports.filter(
                target__plan=item.plan, target__in=[item.pk, *item.children.values_list("pk", flat=True)]
            )
        else:
            reports = reports.filter(target__group=item)
        found = list(reports.order_by("-reviewed_at", "-id")[: public_opendata.FEED_SIZE])
        for report in found:
            path = states.item_path("target", report.target.code, item.plan.year) + f"#report-{report.id}"
            report.feed_link = publication.absolute_url(request, path)
        return found


class ProjectFeed(ItemFeed):
    kind = "project"


target_feed = public_page(ItemFeed())
project_feed = public_page(ProjectFeed())
