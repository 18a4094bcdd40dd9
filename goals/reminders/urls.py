from django.urls import path

from goals.reminders import views

urlpatterns = [
    path("reminders/", views.reminder_preferences, name="reminder_preferences"),
]
