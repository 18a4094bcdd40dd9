"""What every admin of public data shares: a save or delete moves the publication stamp,
and text typed in carries no control characters."""

from __future__ import annotations

from django.db import models, transaction

from goals.planning import publication
from goals.rules.text import validate_text


class PlainText:
    """ModelAdmin or inline mixin: text fields refuse control characters beside the field.

    Pasted from another document, a name can carry a bell or a form feed: invisible on a
    page, and fatal to every spreadsheet the app writes (openpyxl refuses such a cell).
    """

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if (
            field is not None
            and isinstance(db_field, models.CharField | models.TextField)
            and not db_field.choices
        ):
            field.validators = [*field.validators, validate_text]
        return field


class PublishesChanges(PlainText):
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
