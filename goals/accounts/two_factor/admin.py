"""The user admin with two-factor status and the "reset two-factor" action (lost phone)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from goals.accounts.two_factor import devices

User = get_user_model()


class TwoFactorUserAdmin(UserAdmin):
    list_display = [*UserAdmin.list_display, "two_factor"]
    actions = ["reset_two_factor"]

    def get_queryset(self, request):
        enrolled = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_two_factor=Exists(enrolled))

    @admin.display(description=_("两步验证"), boolean=True, ordering="has_two_factor")
    def two_factor(self, user) -> bool:
        return user.has_two_factor

    @admin.action(description=_("重置两步验证(删除验证器和恢复码)"), permissions=["change"])
    def reset_two_factor(self, request, queryset):
        names = []
        for user in queryset:
            if devices.reset(user, actor=request.user, via="admin"):
                names.append(user.get_username())
        if names:
            message = ngettext(
                "已重置 %(n)s 个账号的两步验证:%(names)s。他们下次登录时需重新设置。",
                "已重置 %(n)s 个账号的两步验证:%(names)s。他们下次登录时需重新设置。",
                len(names),
            ) % {"n": len(names), "names": "、".join(names)}
            self.message_user(request, message, messages.SUCCESS)
        else:
            self.message_user(request, _("所选账号都没有启用两步验证,无需重置。"), messages.WARNING)


admin.site.unregister(User)
admin.site.register(User, TwoFactorUserAdmin)
