"""The three staff roles as groups: 填报人员 (official), 审核人员 (reviewer), 管理员 (admin).

Idempotent (get_or_create, permissions added, never removed) and reversible (the reverse
deletes the three groups). The role definitions are frozen here as data; goals.permissions holds
the live copy that create_demo_accounts and the tests use, and a test checks they agree.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

OFFICIAL, REVIEWER, ADMIN = "填报人员", "审核人员", "管理员"
ROLES = {
    OFFICIAL: [("goals", "submit_report"), ("goals", "view_target")],
    REVIEWER: [("goals", "review_report"), ("goals", "view_report"), ("goals", "view_target")],
}
# Admins get every permission of these apps (models and the custom report permissions).
ADMIN_APPS = ["goals", "projects", "auth", "axes"]


def create_roles(apps, schema_editor):
    # Permissions are normally created after the whole migrate run (post_migrate); create
    # them now so that the groups can hold them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in perms:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    admin, _ = Group.objects.get_or_create(name=ADMIN)
    admin.permissions.add(*Permission.objects.filter(content_type__app_label__in=ADMIN_APPS))


def delete_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[OFFICIAL, REVIEWER, ADMIN]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("goals", "0002_report_permissions"),
        ("projects", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(create_roles, delete_roles)]
