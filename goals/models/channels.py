"""Notification channels besides email: group robots (WeCom, DingTalk) and a generic webhook
(an SMS gateway), per department, and the log of every delivery attempt."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .plan import Department


class Channel(models.Model):
    class Kind(models.TextChoices):
        WECOM = "wecom", _("企业微信群机器人")
        DINGTALK = "dingtalk", _("钉钉群机器人")
        WEBHOOK = "webhook", _("通用 Webhook(JSON)")

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="channels", verbose_name=_("责任单位")
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100, blank=True, help_text=_("如 遥观镇督查工作群"))
    url = models.URLField(_("Webhook 地址"), max_length=500)
    secret = models.CharField(
        _("加签密钥"),
        max_length=200,
        blank=True,
        help_text=_("钉钉机器人「加签」的密钥(SEC 开头);通用 Webhook 填写时以 X-Signature 头签名。"),
    )
    enabled = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("通知渠道")
        verbose_name_plural = _("通知渠道")
        ordering = ["department__order", "department__name", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["wecom", "dingtalk", "webhook"]), name="channel_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.name or self.get_kind_display()}"


class Delivery(models.Model):
    """One message to one channel: queued, then sent or failed (with every attempt counted)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("待发送")
        SENT = "sent", _("已发送")
        RETRYING = "retrying", _("重试中")
        FAILED = "failed", _("发送失败")

    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("通知渠道")
    )
    kind = models.CharField(_("提醒类型"), max_length=20)
    occasion = models.CharField(_("场合"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("内容(Markdown)"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("渠道发送记录")
        verbose_name_plural = _("渠道发送记录")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "kind", "occasion"], name="delivery_once_per_occasion"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["queued", "sent", "retrying", "failed"]), name="delivery_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} · {self.title}"
