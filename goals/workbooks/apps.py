from django.apps import AppConfig


class WorkbooksConfig(AppConfig):
    """No models of its own (they are in goals.models): an app for its management commands."""

    name = "goals.workbooks"
    label = "goals_workbooks"
