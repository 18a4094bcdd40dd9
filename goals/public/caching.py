"""Public pages: conditional GET (ETag → 304) and a cache of rendered pages.

A public page depends only on its URL (origin, language prefix, path, query string), on whether
htmx asked for a fragment, on the 长者模式 cookie (easy reading: a class on <html>), on the published data and on the day (the default as-of
day is today). The ETag and the cache key are built from exactly those, so nothing per
user may ever be rendered into a public page (no CSRF token, no request.user).

On a hit a page costs a cache read and, at most, one query (goals.planning.publication.stamp;
none while the version is reused, see PUBLIC_VERSION_SECONDS).
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Callable
from functools import cache as memoize
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.views.decorators.http import etag, require_safe

from goals.planning import publication

PAGE_TIMEOUT = 600
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Content-Encoding", "Content-Length")
# Smaller bodies gain nothing from gzip (Django's GZipMiddleware uses the same bound).
MIN_GZIP_BYTES = 200
ACCEPTS_GZIP = re.compile(r"\bgzip\b")


@memoize
def code_version() -> str:
    """Changes when templates, styles or this app's code change, so a deploy refreshes ETags.

    Built from file sizes and modification times, identical in every worker of a checkout.
    """
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha1(usedforsecurity=False)
    for folder, pattern in (("templates", "**/*"), ("goals", "**/*.py"), ("static", "**/*.css")):
        for path in sorted((base / folder).glob(pattern)):
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path.relative_to(base)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:12]


def wants_fragment(request: HttpRequest) -> bool:
    """htmx asked for the swap target only (a history restore wants the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def _parts(request: HttpRequest) -> str:
    if not hasattr(request, "_public_parts"):
        request._public_parts = "|".join(
            [
                publication.stamp(),
                # Absolute links (feed, exports) carry the origin: never serve one host's
                # bytes to another.
                request.scheme,
                request.get_host(),
                timezone.localdate().isoformat(),
                get_language() or "",
                "fragment" if wants_fragment(request) else "page",
                # gzip or not: each encoding is its own representation (ETag and cached bytes).
                "gzip" if accepts_gzip(request) else "identity",
                str(publication.public_year() or ""),
                code_version(),
                # 长者模式 (goals.participation.views.elder): the same URL, larger and simpler.
                "elder" if elder_mode(request) else "",
            ]
        )
    return request._public_parts


def elder_mode(request: HttpRequest) -> bool:
    return request.COOKIES.get("elder") == "1"


def page_etag(request: HttpRequest, *args, **kwargs) -> str:
    return hashlib.sha1(_parts(request).encode(), usedforsecurity=False).hexdigest()


def page_key(request: HttpRequest) -> str:
    # A stamp kept in the shared cache already carries bump()'s generation; one read
    # from the database does not, so add this process's.
    generation = "" if settings.PUBLIC_VERSION_SECONDS else publication.generation()
    text = f"{_parts(request)}|{generation}|{request.get_full_path()}"
    return "public-page:" + hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def accepts_gzip(request: HttpRequest) -> bool:
    return bool(ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")))


def _compress(response: HttpResponse) -> None:
    """gzip a public page in place, once, before it is cached: hits send the stored bytes.

    Public pages carry no secret (no CSRF token, nothing per user), so there is nothing for a
    BREACH-style attack to find, and no random padding is needed."""
    if len(response.content) < MIN_GZIP_BYTES or response.has_header("Content-Encoding"):
        return
    response.content = gzip.compress(response.content, compresslevel=6, mtime=0)
    response["Content-Encoding"] = "gzip"
    response["Content-Length"] = str(len(response.content))


def _cached(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        key = page_key(request)
        hit = cache.get(key)
        if hit is not None:
            response = HttpResponse(hit["content"])
            for name, value in hit["headers"].items():
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            if accepts_gzip(request):
                _compress(response)
            headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
            cache.set(key, {"content": response.content, "headers": headers}, PAGE_TIMEOUT)
        return response

    return wrapped


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET/HEAD only; ETag and 304; cached rendering; gzip; revalidated on every visit.

    `Cache-Control: public, no-cache` (PUBLIC_MAX_AGE = 0, the default): a browser or proxy
    may keep the page but asks again each time, and an unchanged page costs a 304; so an
    approval is on every reader's next page load. Only 200 responses are cached, so a page
    showing a bad-date notice (400) is rendered each time and never stored.

    Public pages are gzipped when the client accepts it: they carry no secret (no CSRF
    token, nothing per user), so BREACH has nothing to find in them. Staff pages, which
    carry tokens, are not compressed.
    """
    conditional = etag(page_etag)(_cached(view))

    @wraps(view)
    @require_safe
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = conditional(request, *args, **kwargs)
        if response.status_code in (200, 304):
            max_age = settings.PUBLIC_MAX_AGE
            policy = {"public": True, "max_age": max_age} if max_age else {"public": True, "no_cache": True}
            patch_cache_control(response, **policy)
        else:
            # Errors (a bad as_of, an unknown code) are neither validated nor cached.
            del response["ETag"]
            patch_cache_control(response, no_cache=True)
        patch_vary_headers(response, ["HX-Request", "Accept-Encoding"])
        if settings.PUBLIC_MAX_AGE:
            # The 长者模式 cookie changes the page. Revalidated on every visit (max-age 0), the
            # ETag (which counts the cookie) is enough; a page reused without asking must vary.
            patch_vary_headers(response, ["Cookie"])
        return response

    return wrapped
