"""Joins the two branches of 0004 (backup records; reporting cadence and reminders) and gives
the admin role (管理员) the permissions of BackupRecord, as goals.permissions.ensure_roles does."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant_admins(apps, schema_editor):
    app_config = apps.get_app_config("goals")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admin = Group.objects.filter(name="管理员").first()
    if admin is not None:
        admin.permissions.add(
            *Permission.objects.filter(content_type__app_label="goals", content_type__model="backuprecord")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("goals", "0004_backuprecord"),
        ("goals", "0005_reminders"),
    ]

    operations = [migrations.RunPython(grant_admins, migrations.RunPython.noop)]
