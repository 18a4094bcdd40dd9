"""The site's own responses outside any capability: error pages (400, 403, 404, 500) in the
site's look and the page's language, the CSRF failure page, the probes /healthz (the process
answers; the benchmark's trivial view) and /readyz (it can serve), and /favicon.ico.

Error pages offer a way back that fits where the visitor was: the admin index, the staff
workspace or the home page. Staff views render their own 403/404 (staff/refused.html,
saying why); these handlers catch everything else with DEBUG off. The 500 page is rendered
without the request's context processors, the session or the user: the database they need
may be what failed.

A form refused by the CSRF check (the session ended or its cookies were cleared): htmx
requests get a bare 403 marked `X-CSRF-Failure`, so that staff.js says the session ended
and keeps the form (and fetches a fresh token); a plain form gets a page in the user's
language (Django's own page says "CSRF verification failed" in English).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from goals.operations import health


def way_back(path: str) -> dict[str, str]:
    """Where the page's "back" link goes, from the URL alone (no database)."""
    language = get_language() or ""
    prefix = "/en/" if language == "en" else "/"
    if path.startswith("/admin/"):
        return {"back_url": reverse("admin:index"), "back_label": _("返回后台管理")}
    if path.startswith(f"{prefix}staff/"):
        return {"back_url": reverse("workspace"), "back_label": _("返回工作台")}
    return {"back_url": reverse("home"), "back_label": _("返回首页")}


def error_page(request: HttpRequest, status: int) -> HttpResponse:
    return render(request, f"{status}.html", way_back(request.path), status=status)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return error_page(request, 400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return error_page(request, 403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # The error may come before LocaleMiddleware ran (the year middleware reads the plan):
    # take the language from the path, as LocaleMiddleware would have.
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    with translation.override(language):
        html = loader.get_template("500.html").render(way_back(request.path))
    return HttpResponseServerError(html)


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


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    response = redirect(static("favicon.ico"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    """A trivial view: the benchmark's baseline, and a liveness probe."""
    return HttpResponse("ok", content_type="text/plain")


@require_safe
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, every migration is applied and the cache keeps a value;
    503 otherwise, naming what failed. Never cached (Cache-Control: no-store)."""
    checks = health.readiness()
    ready = not any(checks.values())
    body = {
        "status": "ok" if ready else "unavailable",
        "checks": {name: reason or "ok" for name, reason in checks.items()},
    }
    return JsonResponse(body, status=200 if ready else 503, json_dumps_params={"ensure_ascii": False})
