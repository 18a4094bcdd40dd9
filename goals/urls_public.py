from django.urls import path

from goals.views import public

urlpatterns = [
    path("", public.home, name="home"),
]
