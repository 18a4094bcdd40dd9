from django.urls import include, path

urlpatterns = [
    path("", include("goals.urls_public")),
    path("staff/", include("goals.urls_staff")),
]
