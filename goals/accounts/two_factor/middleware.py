"""Staff and admin URLs: the second factor before anything else, and the idle timeout."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from goals.accounts.two_factor import devices

# Pages a signed-in user may open before giving the second factor.
OPEN_BEFORE_VERIFICATION = {"login", "logout", "two_factor_verify", "two_factor_enrol", "admin:logout"}
# The session is saved (its expiry moved) at most this often: not one write per request;
# and at least ten times per idle period, or a short one (SESSION_IDLE_MINUTES=1) would end
# while the user is busy: a request 59 s after the last save would not move the expiry.
TOUCH_EVERY_SECONDS = 60
TOUCHES_PER_IDLE_PERIOD = 10
TOUCHED = "staff_touched"


def is_staff_path(path: str) -> bool:
    """Staff pages (/staff/…, /en/staff/…) and the admin. Public pages never touch the
    session here, so they stay free of cookies and of `Vary: Cookie`."""
    return path.startswith(reverse("workspace")) or path.startswith(reverse("admin:index"))


class StaffSessionMiddleware:
    """After django_otp's OTPMiddleware, on staff and admin URLs only:

    - a signed-in user who has an authenticator but has not entered a code in this
      session is sent to the code step; one who must use two-factor sign-in and has no
      authenticator yet, to enrolment. htmx requests get a bare 401 instead, so that the
      row being edited keeps its input (staff.js says what to do).
    - the session is saved again (at most once a minute, and after a tenth of the idle
      time), which moves its expiry SESSION_COOKIE_AGE (SESSION_IDLE_MINUTES) ahead: a
      staff session ends after that long without a staff request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not is_staff_path(request.path) or not request.user.is_authenticated:
            return None
        now = time.time()
        every = min(TOUCH_EVERY_SECONDS, settings.SESSION_COOKIE_AGE / TOUCHES_PER_IDLE_PERIOD)
        if now - request.session.get(TOUCHED, 0) >= every:
            request.session[TOUCHED] = now  # saved at the end of the request: expires later
        user = request.user
        if user.is_verified():
            return None
        name = request.resolver_match.view_name if request.resolver_match else ""
        if name in OPEN_BEFORE_VERIFICATION:
            return None
        if devices.authenticator(user) is not None:
            step = "two_factor_verify"
        elif devices.is_required(user):
            step = "two_factor_enrol"
        else:
            return None
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(
                _("需要完成两步验证,请在新标签页重新登录。"),
                status=401,
                content_type="text/plain; charset=utf-8",
            )
        else:
            query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
            response = redirect(reverse(step) + (f"?{query}" if query else ""))
        add_never_cache_headers(response)
        return response
