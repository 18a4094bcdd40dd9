"""Tags for the public pages: the language switch, status counts in a fixed order."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

from goals.rules.progress import LIGHT_ORDER, Light, Status

register = template.Library()

# The order statuses are listed in, everywhere on the site.
STATUS_ORDER = [
    Status.DONE,
    Status.ON_TRACK,
    Status.BEHIND,
    Status.MISSED,
    Status.HELD,
    Status.BREACHED,
    Status.NO_REPORT,
    Status.NEVER_REPORTED,
]


@register.simple_tag(takes_context=True)
def other_language(context) -> dict:
    """The same page (path and query string) in the other language: {code, url, label}."""
    current = get_language() or settings.LANGUAGE_CODE
    code, label = next(
        ((code, label) for code, label in settings.LANGUAGES if code != current),
        settings.LANGUAGES[0],
    )
    request = context.get("request")
    url = translate_url(request.get_full_path(), code) if request else "/"
    own_label = {"en": "English", "zh-hans": "简体中文"}.get(code, str(label))
    return {"code": code, "url": url, "label": own_label}


@register.filter
def status_counts(counts) -> list[tuple[Status, int]]:
    """A Counter of statuses as (status, count) pairs in the site's order, zeros left out."""
    return [(status, counts[status]) for status in STATUS_ORDER if counts.get(status)]


@register.filter
def light_counts(counts) -> list[tuple[Light, int]]:
    """A Counter of lights as (light, count) pairs, red first, zeros left out."""
    return [(light, counts[light]) for light in LIGHT_ORDER if counts.get(light)]


@register.filter
def status_label(value) -> str:
    try:
        return Status(value).label
    except ValueError:
        return ""


@register.filter
def reported(rollup) -> int:
    """How many of a rollup's targets have an approved report (the ones its percent averages)."""
    return rollup.total - rollup.counts.get(Status.NO_REPORT, 0) - rollup.counts.get(Status.NEVER_REPORTED, 0)
