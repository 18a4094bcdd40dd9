from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """No models of its own (they are in goals.models): an app for its management commands."""

    name = "goals.reporting"
    label = "goals_reporting"
