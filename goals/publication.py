"""A version stamp of what the public sees, bumped whenever a figure is published.

Public pages derive their ETag and cache keys from it, so approving a report makes
every cached public page stale at once, on every app server sharing the cache.
"""

from __future__ import annotations

import time

from django.core.cache import cache

KEY = "goals:publication-version"


def version() -> str:
    value = cache.get(KEY)
    if value is None:
        value = str(time.time_ns())
        cache.add(KEY, value, timeout=None)
        value = cache.get(KEY, value)
    return value


def bump() -> str:
    value = str(time.time_ns())
    cache.set(KEY, value, timeout=None)
    return value
