"""Joins the backup-record branch (0006_merge_backups_and_cadence) and the seed-corrections
branch (0006–0008): no operation of its own."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("goals", "0006_merge_backups_and_cadence"),
        ("goals", "0008_seed_corrections"),
    ]

    operations = []
