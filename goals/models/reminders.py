"""Reminder emails: who chose not to get them, and what was sent to whom (once per occasion)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReminderPreference(models.Model):
    """A staff member's choice about reminder emails (none stored means: get them, in Chinese)."""

    class Language(models.TextChoices):
        CHINESE = "zh-hans", _("简体中文")
        ENGLISH = "en", _("English")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_preference",
        verbose_name=_("用户"),
    )
    opt_out = models.BooleanField(
        _("不接收提醒邮件"),
        default=False,
        help_text=_("管理员将报送截止提醒设为必收时,截止提醒仍会发送。"),
    )
    language = models.CharField(
        _("邮件语言"), max_length=8, choices=Language.choices, default=Language.CHINESE
    )

    class Meta:
        verbose_name = _("提醒设置")
        verbose_name_plural = _("提醒设置")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(language__in=["zh-hans", "en"]), name="reminderpreference_language_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({'opt-out' if self.opt_out else 'opt-in'}, {self.language})"


class ReminderSent(models.Model):
    """One reminder email to one person for one occasion: the unique constraint is what makes
    running the job twice send nothing new."""

    class Kind(models.TextChoices):
        BEFORE_DEADLINE = "before", _("截止前提醒")
        AFTER_DEADLINE = "after", _("逾期提醒")
        REVIEW_WAITING = "review", _("待审核提醒")
        CONFIRM_WAITING = "confirm", _("待部门确认提醒")
        RETURNED_WAITING = "returned", _("退回待修改提醒")
        WEEKLY_DIGEST = "digest", _("每周汇总")
        QUESTIONS_OVERDUE = "questions", _("问询逾期提醒")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminders_sent",
        verbose_name=_("收件人"),
    )
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    occasion = models.CharField(_("事由"), max_length=60, help_text=_("如截止日期或周次"))
    email = models.EmailField(_("邮箱"))
    subject = models.CharField(_("主题"), max_length=200)
    targets = models.JSONField(_("涉及目标"), default=list, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("已发提醒")
        verbose_name_plural = _("已发提醒")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "occasion"], name="remindersent_once_per_occasion"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=["before", "after", "review", "confirm", "returned", "digest", "questions"]
                ),
                name="remindersent_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occasion} → {self.user}"
