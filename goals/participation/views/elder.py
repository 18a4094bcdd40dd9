"""长者模式 (easy reading for older residents): larger text, larger targets, higher contrast,
a simpler layout. A plain link sets or clears a cookie and goes back: no script needed.
Public pages are cached per URL and per this cookie (goals.public.caching)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

COOKIE = "elder"
COOKIE_AGE = 365 * 24 * 3600


def _next(request: HttpRequest) -> str:
    target = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe and target.startswith("/") else reverse("home")


@never_cache
@require_safe
def elder_on(request: HttpRequest) -> HttpResponse:
    response = HttpResponseRedirect(_next(request))
    response.set_cookie(
        COOKIE, "1", max_age=COOKIE_AGE, samesite="Lax", httponly=True, secure=settings.SESSION_COOKIE_SECURE
    )
    return response


@never_cache
@require_safe
def elder_off(request: HttpRequest) -> HttpResponse:
    response = HttpResponseRedirect(_next(request))
    response.delete_cookie(COOKIE, samesite="Lax")
    return response
