"""Which plan year the current request names in its URL (/2024/…), for the domain to read
(goals.planning.publication.public_plan). The HTTP side, which reads the URL and routes
it, is goals.public.years; this module knows nothing of URLs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_year: ContextVar[int | None] = ContextVar("goals_year_in_url", default=None)


def year_in_url() -> int | None:
    """The plan year the current request names in its URL, if any."""
    return _year.get()


@contextmanager
def naming(year: int) -> Iterator[None]:
    """While a request that names `year` is served."""
    token = _year.set(year)
    try:
        yield
    finally:
        _year.reset(token)
