from django.apps import AppConfig


class PlanningConfig(AppConfig):
    """No models of its own (they are in goals.models): an app for its management commands."""

    name = "goals.planning"
    label = "goals_planning"
