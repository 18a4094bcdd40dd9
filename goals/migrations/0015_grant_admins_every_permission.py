from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant_admins(apps, schema_editor):
    """The admin role (管理员) holds every permission of goals, as
    goals.accounts.permissions.ensure_roles gives it: add those of the models added since
    (final records, residents' follows and questions, and any other)."""
    app_config = apps.get_app_config("goals")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admin = Group.objects.filter(name="管理员").first()
    if admin is not None:
        admin.permissions.add(*Permission.objects.filter(content_type__app_label="goals"))


class Migration(migrations.Migration):
    dependencies = [("goals", "0014_merge_participation")]

    operations = [migrations.RunPython(grant_admins, migrations.RunPython.noop)]
