"""Error pages (400, 403, 404, 500) in the site's look, in the page's language, with a way
back that fits where the visitor was: the admin index, the staff workspace or the home page.

Staff views render their own 403/404 (staff/refused.html, saying why); these handlers
catch everything else with DEBUG off. The 500 page is rendered without the request's
context processors, the session or the user: the database they need may be what failed.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _


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
