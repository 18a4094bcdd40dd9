"""Demo accounts for trying every staff role on a development machine (never with DEBUG off).

Creates, or resets with new passwords: demo-official-a (填报人员, 遥观镇), demo-official-b
(填报人员, 潞城街道), demo-reviewer (审核人员) and demo-admin (管理员, superuser), and makes
遥观镇 and 潞城街道 lead a few seeded targets that no department leads yet, so that each
official's workspace has something in it. Prints the usernames and random passwords.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goals.accounts.permissions import ADMIN, HEAD, OFFICIAL, REVIEWER, ensure_roles
from goals.models import AuditEntry, Department, Plan, Target

# (username, display name, role, department)
ACCOUNTS = [
    ("demo-official-a", "演示填报员(遥观镇)", OFFICIAL, "遥观镇"),
    ("demo-official-b", "演示填报员(潞城街道)", OFFICIAL, "潞城街道"),
    ("demo-head", "演示部门负责人(遥观镇)", HEAD, "遥观镇"),
    ("demo-reviewer", "演示审核员", REVIEWER, None),
    ("demo-admin", "演示管理员", ADMIN, None),
]
DEPARTMENT_KINDS = {"遥观镇": Department.Kind.TOWN, "潞城街道": Department.Kind.SUBDISTRICT}
# Seeded targets each demo department leads: a count, a 万-scaled count or a length, a milestone.
DEMO_TARGETS = {
    "遥观镇": ["P1.3", "P4.1", "P8.1"],
    "潞城街道": ["P4.2", "P9.3", "P10.1"],
}
SEED_YEAR = 2024


class Command(BaseCommand):
    help = gettext_lazy("创建(或重置)五个演示账号并打印随机密码;仅在 DEBUG 开启时可用。")

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                _("create_demo_accounts 只用于开发和演示环境:DEBUG 已关闭,拒绝创建带公开说明的演示账号。")
            )
        with transaction.atomic():
            groups = ensure_roles()
            departments = {
                name: Department.objects.get_or_create(name=name, defaults={"kind": kind})[0]
                for name, kind in DEPARTMENT_KINDS.items()
            }
            rows = [self.account(groups, departments, *spec) for spec in ACCOUNTS]
            assigned = self.assign_targets(departments)

        self.stdout.write(_("演示账号(密码只显示这一次;再次运行本命令会重置密码):"))
        width = max(len(username) for username, _password, _role in rows)
        for username, password, role in rows:
            self.stdout.write(f"  {username.ljust(width)}  {password}  {role}")
        self.stdout.write(_("登录地址:/staff/login/   后台:/admin/(demo-admin)"))
        for line in assigned:
            self.stdout.write(line)

    def account(self, groups, departments, username, name, role, department) -> tuple[str, str, str]:
        user_model = get_user_model()
        user = user_model.objects.filter(username=username).first() or user_model(username=username)
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.first_name = name
        # Reminder emails go to the console under DEBUG: a new user sees them there.
        user.email = user.email or f"{username}@example.org"
        user.is_active = True
        user.is_staff = role == ADMIN
        user.is_superuser = role == ADMIN
        user.save()
        user.groups.set([groups[role]])
        user.departments.set([departments[department]] if department else [])
        label = f"{role}" + (f",{department}" if department else "")
        return username, password, label

    def assign_targets(self, departments) -> list[str]:
        plan = Plan.objects.filter(year=SEED_YEAR).first()
        if plan is None:
            return [
                _("未找到 %(year)s 年计划(先运行 python manage.py seed):演示填报员的工作台暂时为空。")
                % {"year": SEED_YEAR}
            ]
        lines = []
        for name, codes in DEMO_TARGETS.items():
            department = departments[name]
            for target in Target.objects.filter(plan=plan, code__in=codes).select_related("lead_department"):
                names = {"code": target.code, "name": target.name}
                if target.lead_department_id is None:
                    target.lead_department = department
                    target.save(update_fields=["lead_department"])
                    Target.objects.filter(pk=target.pk).update(revision=F("revision") + 1)
                    AuditEntry.objects.create(
                        action=AuditEntry.Action.ASSIGN,
                        target=target,
                        changes={"lead_department": [None, name], "by": "create_demo_accounts"},
                    )
                    lines.append(_("  %(code)s %(name)s → 由 %(dept)s 牵头") % {**names, "dept": name})
                elif target.lead_department_id != department.pk:
                    lines.append(
                        _("  %(code)s 已由 %(dept)s 牵头,未改动") % {**names, "dept": target.lead_department}
                    )
                else:
                    lines.append(_("  %(code)s %(name)s:已由 %(dept)s 牵头") % {**names, "dept": name})
        return [_("演示目标分工:"), *lines]
