"""Request hardening: what every request must pass before a view sees it, and the headers
every response carries.

- A request body larger than REQUEST_MAX_BYTES is refused with 413 before it is read.
- A POST to a staff URL from a client that is not signed in is refused before its body
  is read (sign-in pages excepted), so an anonymous client cannot make the server parse
  a large multipart body.
- Control characters in the path (404) or query string (400), and NUL anywhere in a form
  (400): PostgreSQL cannot store NUL, and no page or field here means to carry them.
- A file part whose name Django's parser would silently drop ("..", ".", "/") reaches the
  form under a name the form refuses, so a report is never saved without a file its
  author attached.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParser
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from goals.rules.text import UNUSABLE_FILE_NAME

# Anything in a path or query string: no control character at all, not even a line end.
PATH_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
STAFF_PREFIXES = ("/staff/", "/en/staff/", "/admin/")
# POSTs an anonymous client may make to staff URLs: signing in.
ANONYMOUS_POST_SUFFIXES = ("/login/",)


class KeepingMultiPartParser(MultiPartParser):
    """Django's parser drops a file named "..", "." or made only of separators without a
    word; this one keeps the file under UNUSABLE_FILE_NAME so that the form says so."""

    def sanitize_file_name(self, file_name):
        cleaned = super().sanitize_file_name(file_name)
        return UNUSABLE_FILE_NAME if cleaned is None else cleaned


def _is_staff_path(path: str) -> bool:
    return path.startswith(STAFF_PREFIXES)


def refuse(request: HttpRequest, status: int, message: str) -> HttpResponse:
    """A plain page in the site's frame that says what was wrong; never cached."""
    response = render(request, "refused_request.html", {"status": status, "message": message}, status=status)
    add_never_cache_headers(response)
    return response


class RequestGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self.check(request)
        return refusal if refusal is not None else self.get_response(request)

    def check(self, request: HttpRequest) -> HttpResponse | None:
        if PATH_CONTROL_CHARS.search(request.path):
            return refuse(request, 404, _("页面不存在:地址中含有不允许的控制字符。"))
        query = request.META.get("QUERY_STRING", "")
        if PATH_CONTROL_CHARS.search(unquote(query, errors="replace").replace("+", " ")):
            return refuse(request, 400, _("请求无效:查询参数中含有不允许的控制字符。"))
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return refuse(request, 400, _("请求无效:请求长度无法识别。"))
        if length > settings.REQUEST_MAX_BYTES:
            return refuse(
                request,
                413,
                _("请求过大:一次提交最多 %(mb)s MB。")
                % {"mb": round(settings.REQUEST_MAX_BYTES / (1024 * 1024), 1)},
            )
        if (
            _is_staff_path(request.path)
            and not request.path.endswith(ANONYMOUS_POST_SUFFIXES)
            and not request.user.is_authenticated
        ):
            if request.headers.get("HX-Request"):
                # As goals.accounts.staff.staff_login_required answers: a bare 401 that leaves
                # the form alone; staff.js says "signed out, your input is kept".
                response = HttpResponse(
                    _("登录已过期,请重新登录。"), status=401, content_type="text/plain; charset=utf-8"
                )
                add_never_cache_headers(response)
                return response
            response = redirect_to_login(request.get_full_path())
            add_never_cache_headers(response)
            return response
        request.multipart_parser_class = KeepingMultiPartParser
        if self._form_has_nul(request):
            return refuse(request, 400, _("请求无效:表单中含有不允许的空字符(NUL)。"))
        return None

    @staticmethod
    def _form_has_nul(request: HttpRequest) -> bool:
        # Reading POST parses the body; a body Django refuses (too many fields, malformed)
        # raises here and is answered 400 by Django, as it would be in the view.
        for key, values in request.POST.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return True
        return any(
            "\x00" in (upload.name or "") for _key, uploads in request.FILES.lists() for upload in uploads
        )


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set: Cross-Origin-Resource-Policy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
