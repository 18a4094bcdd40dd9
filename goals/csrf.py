"""A form refused by the CSRF check: the session ended or its cookies were cleared.

Django's own page says "CSRF verification failed" in English. Here: htmx requests get a
bare 403 marked `X-CSRF-Failure`, so that staff.js says the session ended and keeps the
form (and fetches a fresh token); a plain form gets a page in the user's language.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _


def failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if request.headers.get("HX-Request"):
        response = HttpResponse(
            _("会话已结束或页面已过期,内容尚未提交。"), status=403, content_type="text/plain; charset=utf-8"
        )
        response["X-CSRF-Failure"] = "1"
    else:
        response = render(request, "csrf_failure.html", status=403)
    add_never_cache_headers(response)
    return response
