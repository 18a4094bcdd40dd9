from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    """No models of its own (they are in goals.models): an app for its management command."""

    name = "goals.participation"
    label = "goals_participation"
