"""The client's address behind TRUSTED_PROXY_COUNT reverse proxies (for the sign-in lockout).

Each trusted proxy appends the address it received the request from to X-Forwarded-For
(nginx: ``proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for``), so the client is
the entry TRUSTED_PROXY_COUNT places from the right; whatever the client wrote itself stands
further left and is never read. With no trusted proxy only REMOTE_ADDR counts.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    # Fewer hops than proxies: the request came around them; count it by its own address.
    return hops[-count] if len(hops) >= count else remote
