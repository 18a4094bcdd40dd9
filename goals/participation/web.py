"""What the residents' pages share: the plan a link names, limits on how often one address
or one client may submit (Django's cache counts them; no outside captcha), and the page
that says a link is no longer valid. These pages are never cached: they carry CSRF tokens."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from goals.models import Plan
from goals.operations.proxies import client_address
from goals.planning import publication
from goals.rules.text import STRICT_ID

WINDOW_SECONDS = 3600


def plan_from(request: HttpRequest) -> Plan:
    """The plan named by ?year= (a link from a page of that year), else the public plan."""
    raw = request.GET.get("year", "") or request.POST.get("year", "")
    if raw:
        if not (STRICT_ID.fullmatch(raw) and len(raw) == 4):
            raise Http404(_("没有该年度的公开数据。"))
        return publication.plan_for_year(int(raw))
    plan = publication.public_plan()
    if plan is None:
        raise Http404(_("尚未载入工作计划。"))
    return plan


def _key(scope: str, value: str, window: int) -> str:
    digest = hashlib.sha256(value.encode(), usedforsecurity=False).hexdigest()[:32]
    return f"participation:{scope}:{digest}:{window}"


def allow(request: HttpRequest, email: str) -> bool:
    """Counts one submission for this email address and this client; False (and nothing
    counted) once either has reached its limit for the hour."""
    window = int(time.time() // WINDOW_SECONDS)
    keys = [
        (_key("address", email.strip().lower(), window), settings.PARTICIPATION_LIMIT_PER_ADDRESS),
        (_key("ip", client_address(request) or "", window), settings.PARTICIPATION_LIMIT_PER_IP),
    ]
    if any(cache.get(key, 0) >= limit for key, limit in keys):
        return False
    for key, _limit in keys:
        cache.add(key, 0, WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired in between
            cache.set(key, 1, WINDOW_SECONDS)
    return True


def too_many() -> str:
    return _("提交过于频繁:同一邮箱或同一网络每小时最多提交若干次,请一小时后再试。内容尚未保存。")


def page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    add_never_cache_headers(response)
    return response


def bad_link(request: HttpRequest) -> HttpResponse:
    message = _("链接无效或已过期(确认链接 7 天内有效)。请回到网站重新提交。")
    return page(request, "participation/message.html", {"title": _("链接无效"), "message": message}, 400)
