from django.apps import AppConfig


class BriefingsConfig(AppConfig):
    """No models of its own (they are in goals.models): an app for its management commands."""

    name = "goals.briefings"
    label = "goals_briefings"
