"""Probes: /healthz (in goals.views.public, the process answers) and /readyz (it can serve)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from goals import health


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
