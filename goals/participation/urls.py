"""Residents' pages (never cached: they carry CSRF forms), the questions' open data and the
per-item feeds (cached like every public page), and the 长者模式 switch. Mounted among the
public site's global URLs (goals.public.urls), so with or without a year in the path."""

from django.urls import path

from goals.participation.views import data, elder, follow, questions

urlpatterns = [
    path("follow/sent/", follow.sent, name="participation_sent"),
    path("follow/confirm/<str:token>/", follow.confirm, name="follow_confirm"),
    path("follow/unsubscribe/<str:token>/", follow.unsubscribe, name="follow_unsubscribe"),
    path("follow/unsubscribe-all/<str:token>/", follow.unsubscribe_all, name="follow_unsubscribe_all"),
    path("follow/manage/<str:token>/", follow.manage, name="follow_manage"),
    path("follow/manage/<str:token>/delete/", follow.delete_all, name="follow_delete_all"),
    path("follow/<str:kind>/<str:code>/", follow.follow, name="follow"),
    path("questions/ask/<str:code>/", questions.ask, name="question_ask"),
    path("questions/confirm/<str:token>/", questions.confirm, name="question_confirm"),
    path("questions/delete/<str:token>/", questions.delete, name="question_delete"),
    path("data/<year:year>/questions.csv", data.questions_csv, name="data_questions_csv"),
    path("data/<year:year>/questions.json", data.questions_json, name="data_questions_json"),
    path("data/<year:year>/targets/<str:code>/updates.atom", data.target_feed, name="target_feed"),
    path("data/<year:year>/projects/<str:code>/updates.atom", data.project_feed, name="project_feed"),
    path("elder/on/", elder.elder_on, name="elder_on"),
    path("elder/off/", elder.elder_off, name="elder_off"),
]
