from django.apps import AppConfig


class RemindersConfig(AppConfig):
    """No models of its own (they are in goals.models): an app for its management commands."""

    name = "goals.reminders"
    label = "goals_reminders"
