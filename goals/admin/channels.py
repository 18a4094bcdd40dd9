"""Admin of the notification channels (per department) and of their delivery log."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from goals.channels import deliveries
from goals.models import Channel, Delivery


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["department", "name", "kind", "enabled"]
    list_filter = ["kind", "enabled", "department"]
    search_fields = ["name", "department__name"]
    autocomplete_fields = ["department"]
    actions = ["send_test"]

    @admin.action(description=_("发送测试消息"), permissions=["change"])
    def send_test(self, request, queryset):
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
        for channel in queryset:
            title = str(_("【测试】通知渠道"))
            text = f"### {title}\n\n" + str(_("工作目标管理系统的通知渠道已连通(%(at)s)。")) % {"at": stamp}
            delivery = deliveries.queue(
                channel, kind="test", occasion=stamp, title=title, text=text, enqueue=False
            )
            if delivery is not None:
                deliveries.attempt(delivery, retry=False)  # the admin reads the outcome now
                level = messages.SUCCESS if delivery.state == Delivery.State.SENT else messages.ERROR
                self.message_user(
                    request, f"{channel}: {delivery.get_state_display()} {delivery.error}", level
                )


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The log: what went to which channel, and why a message failed."""

    list_display = ["created_at", "channel", "kind", "occasion", "state", "attempts", "error"]
    list_filter = ["state", "kind", "channel__kind", "channel__department"]
    search_fields = ["title", "occasion", "error"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
