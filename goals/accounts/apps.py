from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """No models of its own (they are in goals.models): an app for its management commands."""

    name = "goals.accounts"
    label = "goals_accounts"
