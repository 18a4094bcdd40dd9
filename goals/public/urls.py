from django.urls import include, path

from goals.briefings import views as briefings
from goals.league import views as league
from goals.operations import views as operations
from goals.public.views import data, evidence
from goals.public.views import pages as public

# Pages of one plan: served under /<year>/… (goals.public.years), and unprefixed for the latest plan.
year_patterns = [
    path("", public.home, name="home"),
    path("targets/", public.targets, name="targets"),
    path("targets/<str:code>/", public.target, name="target"),
    path("projects/<str:code>/", public.project, name="project"),
    path("actions/<str:code>/", public.action, name="action"),
    path("pillars/<str:code>/", public.pillar, name="pillar"),
    path("departments/", public.departments, name="departments"),
    path("departments/<id:pk>/", public.department, name="department"),
    path("league/", league.public_league, name="league"),
    path("briefing/", briefings.public_briefing, name="briefing"),
]

# Everything else public: the year is in the open-data URL itself, or not needed.
global_patterns = [
    path("healthz", operations.healthz, name="healthz"),
    path("readyz", operations.readyz, name="readyz"),
    path("evidence/<id:pk>/", evidence.evidence, name="evidence"),
    path("evidence/<id:pk>/thumbnail/", evidence.evidence_thumbnail, name="evidence_thumbnail"),
    path("data/<year:year>/targets.csv", data.targets_csv, name="data_targets_csv"),
    path("data/<year:year>/targets.json", data.targets_json, name="data_targets_json"),
    path("data/<year:year>/reports.csv", data.reports_csv, name="data_reports_csv"),
    path("data/updates.atom", data.feed, name="data_feed"),
    # Residents: follow, ask, their links; questions' open data; item feeds; 长者模式.
    path("", include("goals.participation.urls")),
]

urlpatterns = year_patterns + global_patterns
