from django.urls import include, path, register_converter

from goals.security import IdConverter, YearConverter

# Ids and years in URLs: ASCII digits of a bounded length, so that no number in a URL can
# overflow a database integer (a 40-digit id is simply a page that does not exist).
register_converter(IdConverter, "id")
register_converter(YearConverter, "year")

urlpatterns = [
    path("", include("goals.urls_public")),
    path("staff/", include("goals.urls_staff")),
]
