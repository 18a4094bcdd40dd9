"""A record of every backup archive: what `manage.py status` reports as the last backup."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class BackupRecord(models.Model):
    """An archive written by `manage.py backup`, or the archive a restore came from.

    The backup command writes the row after the archive is complete, so the archive itself
    never holds its own row; a restore adds the row of the archive it restored (with
    `restored_at`), so the restored database knows where it came from.
    """

    created_at = models.DateTimeField(_("备份时间"), db_index=True)
    path = models.CharField(_("备份文件"), max_length=1000)
    size = models.BigIntegerField(_("大小(字节)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    database_vendor = models.CharField(_("数据库"), max_length=20)
    file_count = models.PositiveIntegerField(_("佐证文件数"))
    restored_at = models.DateTimeField(
        _("恢复时间"), null=True, blank=True, help_text=_("由恢复命令记下时,为本库从该备份恢复的时间")
    )

    class Meta:
        verbose_name = _("备份记录")
        verbose_name_plural = _("备份记录")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(size__gte=0), name="backup_size_not_negative")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.path}"
