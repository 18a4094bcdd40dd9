"""The app's URLs: the public site, and the staff pages under /staff/ (mounted inside
i18n_patterns by config.urls: /en/staff/… in English). Each capability lists its own."""

from django.urls import include, path, register_converter

from goals.rules.text import IdConverter, YearConverter

# Ids and years in URLs: ASCII digits of a bounded length, so that no number in a URL can
# overflow a database integer (a 40-digit id is simply a page that does not exist).
register_converter(IdConverter, "id")
register_converter(YearConverter, "year")

staff_patterns = [
    path("", include("goals.reporting.urls")),
    path("", include("goals.league.urls")),
    path("", include("goals.briefings.urls")),
    path("", include("goals.workbooks.urls")),
    path("", include("goals.reminders.urls")),
    path("", include("goals.accounts.urls")),
    path("", include("goals.participation.staff_urls")),
]

urlpatterns = [
    path("", include("goals.public.urls")),
    path("staff/", include(staff_patterns)),
]
