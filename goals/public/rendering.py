"""What every public page shares: the plan it shows and how it is rendered (whole, or the
fragment an htmx request asks for; status 400 when the requested day could not be read)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_htmx.middleware import HtmxDetails

from goals.models import Plan
from goals.planning import publication
from goals.public.caching import wants_fragment


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def render_page(
    request: HtmxHttpRequest,
    template: str,
    context: dict,
    day: publication.Day,
    fragment: str | None = None,
) -> HttpResponse:
    name = f"{template}#{fragment}" if fragment and wants_fragment(request) else template
    context = {"day": day, **context}
    return render(request, name, context, status=400 if day.error else 200)


def page_plan() -> Plan:
    plan = publication.public_plan()
    if plan is None:
        raise Http404(_("尚未载入工作计划。"))
    return plan
