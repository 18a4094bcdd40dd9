"""The staff briefing (the public 公示 is a page of each plan: goals.public.urls)."""

from django.urls import path

from goals.briefings import views

urlpatterns = [
    path("briefing/", views.staff_briefing, name="staff_briefing"),
]
