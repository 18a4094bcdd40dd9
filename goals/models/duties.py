"""The assignment of duties (分工方案) beyond the departments: the responsible leaders (分管领导)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LeaderManager(models.Manager["Leader"]):
    def get_by_natural_key(self, name: str) -> Leader:
        return self.get(name=name)


class Leader(models.Model):
    """A leader in charge (分管领导) of targets: shown on the public target pages by name and
    title; when linked to a user account, that user's workspace lists the targets."""

    name = models.CharField(_("姓名"), max_length=50, unique=True)
    title = models.CharField(_("职务"), max_length=100, blank=True, help_text=_("如 管委会副主任"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leader",
        verbose_name=_("登录账号"),
        help_text=_("关联后,该账号的工作台列出其分管的目标。"),
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = LeaderManager()

    class Meta:
        verbose_name = _("分管领导")
        verbose_name_plural = _("分管领导")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return f"{self.name}({self.title})" if self.title else self.name

    def natural_key(self) -> tuple[str]:
        return (self.name,)
