"""Residents who take part (goals.participation): following an item by email, and questions
about a figure (数据问询) that the responsible department answers in public.

Email addresses are kept only while needed and never shown: a follow keeps its address while
it lasts; a question's is cleared QUESTION_EMAIL_KEEP_DAYS after the answer (or the hiding).
Question text and names are stored already masked (goals.participation.text.mask).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from goals.models.plan import Department, Plan
from goals.models.targets import Target


class Language(models.TextChoices):
    CHINESE = "zh-hans", _("简体中文")
    ENGLISH = "en", _("English")


class Follow(models.Model):
    """One email address following one item of one plan; nothing is sent before it is confirmed."""

    class Kind(models.TextChoices):
        TARGET = "target", _("目标")
        PROJECT = "project", _("民生实事")
        ACTION = "action", _("重大行动")
        DEPARTMENT = "department", _("责任单位")

    class Frequency(models.TextChoices):
        INSTANT = "instant", _("有变化时通知(每天至多一封)")
        WEEKLY = "weekly", _("每周汇总一次")

    email = models.EmailField(_("邮箱"))
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="follows", verbose_name=_("工作计划")
    )
    kind = models.CharField(_("关注对象"), max_length=12, choices=Kind.choices)
    code = models.CharField(_("编号"), max_length=20, help_text=_("责任单位为其编号(id)"))
    language = models.CharField(
        _("邮件语言"), max_length=8, choices=Language.choices, default=Language.CHINESE
    )
    frequency = models.CharField(
        _("通知频率"), max_length=8, choices=Frequency.choices, default=Frequency.INSTANT
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    # What the follower was last told: {target code: [value, status, light]}.
    snapshot = models.JSONField(_("上次通知时的情况"), default=dict, blank=True)

    class Meta:
        verbose_name = _("关注")
        verbose_name_plural = _("关注")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["email", "plan", "kind", "code"], name="follow_once_per_item"),
            models.CheckConstraint(
                condition=Q(kind__in=["target", "project", "action", "department"]), name="follow_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=["instant", "weekly"]), name="follow_frequency_valid"
            ),
            models.CheckConstraint(condition=Q(language__in=["zh-hans", "en"]), name="follow_language_valid"),
        ]
        indexes = [models.Index(fields=["email"], name="follow_email_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.plan_id}:{self.code}"

    @property
    def item(self) -> str:
        """The item followed, as the sent-log names it."""
        return f"{self.kind}:{self.plan_id}:{self.code}"


class FollowSent(models.Model):
    """One email about one item to one address on one day: the unique constraint is what
    keeps it to one a day, however often the job runs."""

    email = models.EmailField(_("邮箱"))
    item = models.CharField(_("关注对象"), max_length=60)
    day = models.DateField(_("日期"))
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("已发关注通知")
        verbose_name_plural = _("已发关注通知")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["email", "item", "day"], name="followsent_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.day}"


class QuestionQuerySet(models.QuerySet):
    def public(self) -> QuestionQuerySet:
        """Confirmed and not hidden: shown under the target and in the open data."""
        return self.filter(state__in=[Question.State.OPEN, Question.State.ANSWERED])

    def overdue(self, day: datetime.date) -> QuestionQuerySet:
        """Still unanswered after their answer deadline."""
        return self.filter(state=Question.State.OPEN, due_on__lt=day)

    def for_department(self, department_id: int) -> QuestionQuerySet:
        return self.filter(department_id=department_id)


class Question(models.Model):
    """A resident's question about a target's figure, and its department's public answer."""

    class State(models.TextChoices):
        PENDING = "pending", _("待提问人确认")
        OPEN = "open", _("待答复")
        ANSWERED = "answered", _("已答复")
        HIDDEN = "hidden", _("已隐藏")

    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="questions", verbose_name=_("目标")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("答复单位"),
    )
    text = models.TextField(_("问题"), max_length=500)
    name = models.CharField(_("署名"), max_length=40, blank=True)
    email = models.EmailField(_("邮箱"), blank=True)
    language = models.CharField(
        _("邮件语言"), max_length=8, choices=Language.choices, default=Language.CHINESE
    )
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    due_on = models.DateField(_("答复期限"), null=True, blank=True)
    answer = models.TextField(_("答复"), blank=True, max_length=2000)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("答复人"),
    )
    answer_revised_at = models.DateTimeField(
        _("答复修改时间"), null=True, blank=True, help_text=_("答复公开后最近一次修改(历次修改见操作记录)")
    )
    revision_emailed_at = models.DateTimeField(_("修改通知发送时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(
        _("原文删除时间"),
        null=True,
        blank=True,
        help_text=_("提问人删除了已答复问询的原文、署名和邮箱;单位的公开答复保留"),
    )
    hidden_reason = models.TextField(_("隐藏理由"), blank=True)
    hidden_at = models.DateTimeField(_("隐藏时间"), null=True, blank=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("数据问询")
        verbose_name_plural = _("数据问询")
        ordering = ["-confirmed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "open", "answered", "hidden"]), name="question_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(language__in=["zh-hans", "en"]), name="question_language_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state="answered") | (Q(answered_at__isnull=False) & ~Q(answer="")),
                name="question_answered_has_answer",
            ),
        ]
        indexes = [models.Index(fields=["department", "state"], name="question_department_state_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.target_id} {self.get_state_display()}"

    @property
    def asked_on(self) -> datetime.date | None:
        return timezone.localdate(self.confirmed_at) if self.confirmed_at else None

    @property
    def answered_on(self) -> datetime.date | None:
        return timezone.localdate(self.answered_at) if self.answered_at else None

    @property
    def answer_revised_on(self) -> datetime.date | None:
        return timezone.localdate(self.answer_revised_at) if self.answer_revised_at else None

    @property
    def unassigned(self) -> bool:
        """No lead department when it was confirmed: the reviewers (督查室) answer or forward it."""
        return self.department_id is None

    @property
    def on_time(self) -> bool | None:
        if self.answered_on is None or self.due_on is None:
            return None
        return self.answered_on <= self.due_on

    def is_overdue(self, day: datetime.date) -> bool:
        return self.state == self.State.OPEN and self.due_on is not None and self.due_on < day
