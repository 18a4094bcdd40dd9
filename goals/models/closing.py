"""A closed year's final evaluation, stored target by target so that it can no longer drift."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from goals.rules.progress import Light, Status

from .plan import Plan
from .reports import Report
from .targets import Target


class FinalRecord(models.Model):
    """How a target stood when its plan was closed (goals.planning.states.close_plan).

    Every page of a closed year reads status, light, percent and value from here
    (goals.tracking.evaluation.apply_final_records), whatever the rules say later. A
    correction after closing (an admin, with a reason) rewrites the record and says so.
    """

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="final_records", verbose_name=_("工作计划")
    )
    target = models.OneToOneField(
        Target, on_delete=models.PROTECT, related_name="final_record", verbose_name=_("目标")
    )
    report = models.ForeignKey(
        Report,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="final_records",
        verbose_name=_("依据的报告"),
    )
    value = models.DecimalField(_("累计完成值"), max_digits=16, decimal_places=4, null=True, blank=True)
    as_of = models.DateField(_("数据截至"), null=True, blank=True)
    percent = models.DecimalField(_("完成百分比"), max_digits=9, decimal_places=4, null=True, blank=True)
    expected = models.DecimalField(_("应完成百分比"), max_digits=9, decimal_places=4, default=0)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    light = models.CharField(_("亮灯"), max_length=8, choices=Light.choices)
    stale = models.BooleanField(_("长期未更新"), default=False)
    exceeded = models.BooleanField(_("超额完成"), default=False)
    evaluated_on = models.DateField(_("评估日"))
    corrected_on = models.DateField(_("更正日期"), null=True, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="final_corrections",
        verbose_name=_("更正人"),
    )
    correction_reason = models.TextField(_("更正理由"), blank=True)

    class Meta:
        verbose_name = _("结项存档")
        verbose_name_plural = _("结项存档")
        ordering = ["plan", "target__order", "target__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]), name="finalrecord_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(light__in=[light.value for light in Light]), name="finalrecord_light_valid"
            ),
            models.CheckConstraint(
                condition=Q(corrected_on__isnull=True) | ~Q(correction_reason=""),
                name="finalrecord_correction_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0), name="finalrecord_value_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.year} {self.target.code} {self.get_status_display()}"

    @property
    def corrected(self) -> bool:
        return self.corrected_on is not None
