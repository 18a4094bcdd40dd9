"""What every admin of public data shares: a save or delete moves the publication stamp."""

from __future__ import annotations

from django.db import transaction

from goals.planning import publication


class PublishesChanges:
    """ModelAdmin mixin: a save or delete here changes what the public sees."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(publication.bump)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(publication.bump)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        transaction.on_commit(publication.bump)
