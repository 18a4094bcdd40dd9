"""Reset a staff member's two-factor sign-in (lost phone): `manage.py reset_2fa USERNAME`."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goals.accounts.two_factor import devices


class Command(BaseCommand):
    help = gettext_lazy("删除该账号的验证器和恢复码;下次登录时需重新设置两步验证。记入操作记录。")

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("没有用户名为 %(name)s 的账号。") % {"name": username})
        removed = devices.reset(user, via="reset_2fa")
        if removed:
            self.stdout.write(
                _("已重置 %(name)s 的两步验证(删除 %(n)s 个设备),下次登录时需重新设置。")
                % {"name": username, "n": removed}
            )
        else:
            self.stdout.write(_("%(name)s 没有启用两步验证,无需重置。") % {"name": username})
