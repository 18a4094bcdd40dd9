"""The ten livelihood projects (十大民生实事): groups of targets, like a measure."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from goals.models import TargetGroup


class Project(TargetGroup):
    """One livelihood project, e.g. 常有善育; its targets hang off the TargetGroup row."""

    class Meta:
        verbose_name = _("民生实事项目")
        verbose_name_plural = _("十大民生实事")
        ordering = ["order", "code"]

    def clean(self) -> None:
        super().clean()
        if self.kind != TargetGroup.Kind.PROJECT:
            raise ValidationError({"kind": _("民生实事项目的类别必须为「民生实事」。")})
