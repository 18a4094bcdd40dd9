from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """No models of its own (they are in goals.models): an app for its management commands."""

    name = "goals.operations"
    label = "goals_operations"
