"""django-axes under a name the admin can show in the user's language ("AXES" otherwise)."""

from axes.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AppConfig):
    verbose_name = _("登录锁定")
