"""The staff league table (the public one is a page of each plan: goals.public.urls)."""

from django.urls import path

from goals.league import views

urlpatterns = [
    path("league/", views.staff_league, name="staff_league"),
]
