"""Progress reports, their evidence, and the audit trail of every change."""

from __future__ import annotations

import datetime
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from goals.rules import plausibility

from .targets import Target


class ReportQuerySet(models.QuerySet):
    def approved(self) -> ReportQuerySet:
        return self.filter(state=Report.State.APPROVED)

    def pending(self) -> ReportQuerySet:
        """Waiting for review (with the sign-off chain: confirmed by the department head)."""
        return self.filter(state=Report.State.SUBMITTED)

    def awaiting_head(self) -> ReportQuerySet:
        """Waiting for the department head's confirmation (the sign-off chain, Plan)."""
        return self.filter(state=Report.State.CONFIRMING)

    def in_flight(self) -> ReportQuerySet:
        """Submitted and not yet decided: waiting for the head or for review."""
        return self.filter(state__in=Report.WAITING)

    def as_of(self, day: datetime.date) -> ReportQuerySet:
        """Reports that stood on `day`: dated on or before it, and approved by its end."""
        return self.filter(as_of__lte=day)

    def for_plan(self, plan) -> ReportQuerySet:
        return self.filter(target__plan=plan)


class Report(models.Model):
    """The cumulative value of a target to date, as one official reported it.

    Appended, never overwritten: a correction is a new report. The target's current
    value is its latest approved report by as-of date (then by creation).

    The sign-off chain (Plan.requires_head_confirmation): a report submitted while it is on
    waits for a department head (CONFIRMING) before review (SUBMITTED); `head` and `head_at`
    record who handled it at that step and when (confirmed, or returned with a reason).
    """

    class State(models.TextChoices):
        CONFIRMING = "confirming", _("待部门确认")
        SUBMITTED = "submitted", _("待审核")
        APPROVED = "approved", _("已通过")
        RETURNED = "returned", _("已退回")

    target = models.ForeignKey(
        Target, on_delete=models.PROTECT, related_name="reports", verbose_name=_("目标")
    )
    value = models.DecimalField(
        _("累计完成值"),
        max_digits=16,
        decimal_places=4,
        help_text=_("截至填报日期的累计实际数(如 10500 人,不按「万」折算);里程碑为完成百分比 0–100"),
    )
    as_of = models.DateField(_("截至日期"))
    note = models.TextField(_("说明"), blank=True, max_length=2000)
    next_steps = models.TextField(_("下阶段计划"), blank=True, max_length=2000)
    plausibility_flags = models.JSONField(
        _("需核实的情况"),
        default=list,
        blank=True,
        help_text=_("提交时发现的异常(如累计值下降、远超目标),填报人已在说明中解释并确认"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("填报人"),
    )
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.SUBMITTED)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_reports",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="headed_reports",
        verbose_name=_("部门负责人"),
        help_text=_("须部门确认时,确认或退回这份报告的部门负责人"),
    )
    head_at = models.DateTimeField(_("部门确认时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)
    revises = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions",
        verbose_name=_("更正的报告"),
    )

    objects = ReportQuerySet.as_manager()

    # Submitted and not yet decided (one figure waits once across both: the unique constraint).
    WAITING = (State.CONFIRMING, State.SUBMITTED)

    class Meta:
        verbose_name = _("进度报告")
        verbose_name_plural = _("进度报告")
        ordering = ["-as_of", "-created_at", "-id"]
        permissions = [
            ("submit_report", _("可以为本单位负责的目标填报进度")),
            ("review_report", _("可以审核各单位提交的报告")),
            ("oversee_reports", _("可以查看并处理所有单位的目标与报告")),
            ("confirm_report", _("可以确认或退回本单位的报告(部门负责人)")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="report_value_not_negative"),
            models.CheckConstraint(
                condition=Q(state__in=["confirming", "submitted", "approved", "returned"]),
                name="report_state_valid",
            ),
            # Decided at review, or returned by the department head (who is recorded).
            models.CheckConstraint(
                condition=Q(state__in=["confirming", "submitted"])
                | (Q(reviewer__isnull=False) & Q(reviewed_at__isnull=False))
                | (Q(state="returned") & Q(head_at__isnull=False)),
                name="report_reviewed_has_reviewer",
            ),
            models.CheckConstraint(
                condition=Q(head__isnull=True) | Q(head_at__isnull=False), name="report_head_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(state="returned") | ~Q(return_reason=""),
                name="report_returned_has_reason",
            ),
            # A figure waits for review once: a double click, a retried request or the same
            # figure sent from the workbook and the web form at once make no second report.
            # Another value or as-of day is a new report, and so is the same figure again
            # once the first has been reviewed (or returned by the department head).
            models.UniqueConstraint(
                fields=["target", "as_of", "value"],
                condition=Q(state__in=["confirming", "submitted"]),
                name="report_one_pending_per_figure",
                violation_error_message=_("这一数据已经提交,正在等待审核,无需重复提交。"),
            ),
        ]
        indexes = [
            models.Index(fields=["target", "state", "as_of"], name="report_target_state_asof_idx"),
            models.Index(fields=["state", "created_at"], name="report_state_created_idx"),
        ]

    def __str__(self) -> str:
        value = format(self.value.normalize(), "f") if self.value is not None else ""
        return f"{self.target.code} {value} @ {self.as_of} ({self.get_state_display()})"

    @property
    def plausibility_labels(self) -> list[str]:
        return plausibility.labels(self.plausibility_flags)

    @property
    def returned_by_head(self) -> bool:
        return self.state == self.State.RETURNED and self.reviewer_id is None and self.head_at is not None

    @property
    def returned_by(self):
        """Who returned it: the department head at the first step, else the reviewer."""
        return self.head if self.returned_by_head else self.reviewer

    @property
    def held_since(self) -> datetime.datetime:
        """Since when the report's current holder has it: the head since submission, the
        reviewers since the head's confirmation (or submission), the official since the return."""
        if self.state == self.State.SUBMITTED:
            return self.head_at or self.created_at
        if self.state == self.State.RETURNED:
            return self.reviewed_at or self.head_at or self.created_at
        if self.state == self.State.APPROVED:
            return self.reviewed_at or self.created_at
        return self.created_at


def evidence_path(instance: Evidence, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()
    return f"evidence/{instance.report.target.plan.year}/{instance.report_id}/{instance.sha256[:16]}{suffix}"


class Evidence(models.Model):
    """A file (image or PDF) backing a report; type and size are checked by the form."""

    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("报告")
    )
    file = models.FileField(_("文件"), upload_to=evidence_path)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小(字节)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name

    # A PDF's first page is previewed in the review queue up to this size (goals.reporting.thumbnails).
    PREVIEW_PDF_MAX_BYTES = 2 * 1024 * 1024

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"

    @property
    def has_preview(self) -> bool:
        """A thumbnail for staff: every image, and a PDF small enough to render its first page."""
        return self.is_image or (self.is_pdf and self.size <= self.PREVIEW_PDF_MAX_BYTES)


class AuditEntry(models.Model):
    """Who changed what, when: submissions, reviews and assignment changes."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("提交报告")
        CONFIRM = "confirm", _("部门确认")
        APPROVE = "approve", _("审核通过")
        RETURN = "return", _("退回报告")
        ASSIGN = "assign", _("调整分工")
        EDIT = "edit", _("修改")
        PUBLISH = "publish", _("发布计划")
        CLOSE = "close", _("计划结项")
        CORRECT = "correct", _("结项后更正")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    target = models.ForeignKey(
        Target,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("目标"),
    )
    report = models.ForeignKey(
        Report,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("报告"),
    )
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()}"
