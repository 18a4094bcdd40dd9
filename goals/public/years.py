"""Years in public URLs: /2024/targets/P1.3/ shows the 2024 plan, /2025/… the 2025 plan.

A request under /<year>/ (or /en/<year>/) is routed with a URL configuration of its own in
which the plan's pages sit under that year (request.urlconf, built once per year), so every
`{% url %}` on the page keeps the year without any template passing it. The year is also
put in a context variable (goals.planning.years) that goals.planning.publication.public_plan()
reads.

The old URLs without a year (/targets/P1.3/) redirect to the latest real plan's when
PUBLIC_YEAR_REDIRECT is on (the default); the home page / shows the latest real plan
itself, its links carrying the year. Unknown years and synthetic ones (9000 and up, unless
pinned by PUBLIC_PLAN_YEAR) are 404, as for open data.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.conf import settings
from django.http import HttpResponseRedirect

from goals.planning import years

YEAR_PATH = re.compile(r"^/(?P<lang>en/)?(?P<year>[0-9]{4})(?P<rest>/.*)?$")
LANG_PATH = re.compile(r"^/(?P<lang>en/)?(?P<rest>.*)$")
FIRST_YEAR, LAST_YEAR = 2000, 2099
PAGE_PREFIXES = ("targets/", "projects/", "actions/", "pillars/", "departments/", "league/", "briefing/")


class YearURLConf:
    """A URL configuration with the plan's pages under `<year>/` (hashable: one per year)."""

    def __init__(self, year: int):
        from django.conf.urls.i18n import i18n_patterns
        from django.contrib import admin
        from django.urls import include, path

        # goals.urls registers the id and year converters: it must be imported before the
        # public patterns that use them (the first request of a process may be a year URL).
        import goals.urls
        from goals.public.urls import global_patterns, year_patterns
        from goals.public.views import pages as public

        staff_patterns = goals.urls.staff_patterns

        self.year = year
        self.urlpatterns = [
            path("admin/", admin.site.urls),
            *i18n_patterns(
                path(f"{year}/", include(year_patterns)),
                path("", include(global_patterns)),
                path("staff/", include(staff_patterns)),
                path("", public.home),  # "/" when it shows this (the latest) year
                prefix_default_language=False,
            ),
        ]


@lru_cache(maxsize=32)
def urlconf_for(year: int) -> YearURLConf:
    return YearURLConf(year)


class YearMiddleware:
    """Before LocaleMiddleware, which reads request.urlconf to find the language prefix."""

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def plausible(year: int) -> bool:
        """A year a plan may have: this century, or the pinned (synthetic) year. Django keeps
        every URL configuration it has resolved with, so guessed years must not add one each;
        any other four digits fall through to the default configuration (404)."""
        return FIRST_YEAR <= year <= LAST_YEAR or year == settings.PUBLIC_PLAN_YEAR

    def __call__(self, request):
        path = request.path_info
        year = None
        match = YEAR_PATH.match(path)
        if match and self.plausible(int(match["year"])):
            year = int(match["year"])
        elif settings.PUBLIC_YEAR_REDIRECT:
            found = LANG_PATH.match(path)
            rest = found["rest"]
            if rest == "" or rest.startswith(PAGE_PREFIXES):
                from goals.planning import publication

                plan = publication.public_plan()
                if plan is not None and rest:
                    query = request.META.get("QUERY_STRING", "")
                    target = f"/{found['lang'] or ''}{plan.year}/{rest}" + (f"?{query}" if query else "")
                    return HttpResponseRedirect(request.META.get("SCRIPT_NAME", "") + target)
                if plan is not None:  # the home page: the latest plan, its links with the year
                    year = plan.year
        if year is None:
            return self.get_response(request)
        request.urlconf = urlconf_for(year)
        with years.naming(year):
            return self.get_response(request)
