"""No query may hang: statistics are gathered after every bulk load (PostgreSQL plans from
them; with none, one page ran a query for half an hour), and PostgreSQL cancels a statement
after DATABASE_STATEMENT_TIMEOUT_MS. SQLite has neither, and runs no ANALYZE."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from config.env import database_from_url
from goals.models import Target
from goals.operations.backups import databases
from goals.planning import carryover
from goals.workbooks import plan_import
from projects.management.commands.synthesize import generate

POSTGRES = connection.vendor == "postgresql"


def analyzed(run, using=connection) -> bool:
    """Whether `run()` made the database ANALYZE (after its transaction committed)."""
    seen = []

    def watch(execute, sql, params, many, context):
        seen.append(sql.strip().upper())
        return execute(sql, params, many, context)

    with using.execute_wrapper(watch):
        run()
    return "ANALYZE" in seen


@pytest.fixture
def committing(django_capture_on_commit_callbacks):
    """Run `call()` and then what waits for its transaction to commit (the test's own never does)."""

    def run(call):
        def both():
            with django_capture_on_commit_callbacks(execute=True):
                call()

        return both

    return run


@pytest.mark.django_db
def test_importing_a_plan_analyzes_on_postgresql_only(seeded, tmp_path, committing):
    path = tmp_path / "plan.xlsx"
    call_command("export_plan", "2024", str(path), stdout=io.StringIO())
    data = path.read_bytes()
    assert analyzed(committing(lambda: plan_import.import_plan(data, year=2025))) is POSTGRES
    assert analyzed(committing(lambda: plan_import.import_plan(data, year=2026, dry_run=True))) is False


@pytest.mark.django_db
def test_carrying_over_seeding_and_synthesizing_analyze_on_postgresql_only(seeded, committing):
    new = carryover.copy_structure(seeded, 2025)
    assert analyzed(committing(lambda: carryover.carry(seeded, new))) is POSTGRES
    assert analyzed(committing(lambda: generate(year=9000, projects=2, actions=1))) is POSTGRES
    assert analyzed(committing(lambda: call_command("seed", "--force", stdout=io.StringIO()))) is POSTGRES


def test_a_bulk_load_inside_a_transaction_is_planned_on_its_real_size(db):
    """Tests (and an import's later steps) run inside the loading transaction, where no
    commit comes: the statistics already count the rows it inserted."""
    generate(year=9000, projects=3, actions=2)
    if not POSTGRES:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'goals_target'")
        assert cursor.fetchone()[0] >= Target.objects.count() > 0


@pytest.mark.django_db(transaction=True)
def test_a_synthetic_plan_leaves_its_tables_analyzed(db):
    generate(year=9000, projects=3, actions=2)
    if not POSTGRES:
        return  # SQLite keeps no such statistics; the test above shows it runs no ANALYZE
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE relname IN ('goals_target', 'goals_report')"
            " AND last_analyze IS NOT NULL"
        )
        assert sorted(row[0] for row in cursor.fetchall()) == ["goals_report", "goals_target"]


@pytest.mark.django_db(transaction=True)
def test_a_restore_analyzes_the_restored_database(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "goals.tar.gz"
    call_command("backup", str(path), stdout=io.StringIO())
    from tests.test_backup import RestoreTarget

    target = RestoreTarget(tmp_path)
    try:
        with target.use():
            restored = analyzed(
                lambda: call_command("restore", str(path), stdout=io.StringIO()), target.connection
            )
    finally:
        target.close()
    assert restored is POSTGRES


# --- the statement timeout --------------------------------------------------------------------


def test_the_statement_timeout_goes_into_the_connection_options():
    db = database_from_url(
        "postgres://app@db/goals?options=-c%20search_path%3Dgoals", statement_timeout_ms=30000
    )
    assert db["OPTIONS"] == {"options": "-c search_path=goals -c statement_timeout=30000"}
    assert database_from_url("postgres://app@db/goals", statement_timeout_ms=0)["OPTIONS"] == {}
    assert "OPTIONS" not in database_from_url("sqlite:///x.sqlite3", statement_timeout_ms=30000)


def test_the_setting_has_a_default_and_reads_the_environment():
    from tests.test_infra import start_django

    assert settings.DATABASE_STATEMENT_TIMEOUT_MS == 30000  # also in the tests
    result = start_django(DEBUG="1", DATABASE_STATEMENT_TIMEOUT_MS="soon")
    assert "DATABASE_STATEMENT_TIMEOUT_MS must be a whole number" in result.stderr


@pytest.mark.django_db
def test_the_statement_timeout_reaches_the_database_connection():
    if not POSTGRES:
        assert "OPTIONS" not in settings.DATABASES["default"] or not settings.DATABASES["default"]["OPTIONS"]
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "30s"


def test_the_backup_tools_lift_the_statement_timeout():
    """pg_dump and psql run as long as the data needs, whatever the web's limit."""
    from django.db import connections

    conninfo, _env = databases._libpq(connections["default"])
    if POSTGRES:
        assert conninfo.endswith("statement_timeout=0'") or "statement_timeout=0" in conninfo
        assert conninfo.rindex("statement_timeout=0") > conninfo.find("statement_timeout=30000")


def test_no_test_can_hang_forever(pytestconfig, request):
    """pytest-timeout ends a test that runs past its limit: 300 s unless a marker says more."""
    assert pytestconfig.pluginmanager.hasplugin("timeout")
    assert float(pytestconfig.getini("timeout")) == 300
    assert request.node.get_closest_marker("timeout") is None
