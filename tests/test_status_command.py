"""`manage.py status`: version, database, plan, review queue, last approval, last backup."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.utils import load_backend

from goals.models import Target
from goals.operations.backups.databases import describe
from goals.reporting import services
from tests.builders import make_user

pytestmark = pytest.mark.django_db


def status() -> str:
    out = io.StringIO()
    call_command("status", stdout=out)
    return out.getvalue()


def lines(text: str) -> dict[str, str]:
    return dict(line.split(":", 1) for line in text.splitlines())


def test_it_reports_an_empty_instance(db):
    shown = lines(status())
    assert shown["版本"].startswith("0.1.0")
    assert shown["数据库"] == describe(connection)
    assert shown["数据库迁移"] == "全部已执行"
    assert "尚未载入" in shown["公开的计划"]
    assert shown["待审核报告"] == "0"
    assert shown["待部门确认报告"] == "0"
    assert shown["最近一次审核通过"] == "尚无"
    assert shown["最近一次备份"] == "尚无备份记录"


@pytest.mark.django_db(transaction=True)  # a backup runs outside any transaction
def test_it_reports_the_plan_the_queue_the_last_approval_and_the_last_backup(seeded_live, settings, tmp_path):
    seeded = seeded_live
    settings.MEDIA_ROOT = tmp_path / "media"
    author, reviewer = make_user("author"), make_user("reviewer")
    for code, day in (("P4.1", datetime.date(2024, 3, 31)), ("P7.1", datetime.date(2024, 5, 31))):
        report = services.submit_report(
            target=Target.objects.get(plan=seeded, code=code), value=Decimal(10), as_of=day, author=author
        )
        approved = services.approve_report(report=report, reviewer=reviewer)
    services.submit_report(
        target=Target.objects.get(plan=seeded, code="P1.1"),
        value=Decimal(5),
        as_of=datetime.date(2024, 4, 1),
        author=author,
    )
    call_command("backup", str(tmp_path / "nightly.tar.gz"), stdout=io.StringIO())

    shown = lines(status())
    count = Target.objects.filter(plan=seeded).count()
    assert shown["公开的计划"] == f"2024 年 {seeded.title},{count} 个目标"
    assert shown["各年度计划"] == "2024 已发布"
    assert shown["待审核报告"] == "1"
    assert f"P7.1 {approved.target.name}(报告 #{approved.pk})" in shown["最近一次审核通过"]
    assert str(tmp_path / "nightly.tar.gz") in shown["最近一次备份"]
    assert "恢复" not in shown["最近一次备份"]


def test_it_never_shows_the_database_password():
    settings_dict = {
        **connection.settings_dict,
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "goals",
        "USER": "goals",
        "PASSWORD": "s3cret-pass",
        "HOST": "db.internal",
        "PORT": "5432",
    }
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "other")
    assert describe(wrapper) == "PostgreSQL goals @ db.internal:5432"


def test_it_says_when_migrations_are_missing(db):
    from django.db.migrations.recorder import MigrationRecorder

    (app, name), *_ = MigrationLoader(connection).graph.leaf_nodes("goals")
    MigrationRecorder.Migration.objects.filter(app=app, name=name).delete()
    assert lines(status())["数据库迁移"] == "1 个尚未执行,请运行 migrate"


@pytest.mark.parametrize("case", ["postgres-unreachable", "sqlite-unwritable"])
def test_an_unreachable_database_is_said_in_two_lines_with_exit_2(case):
    """As README ("Configuration") promises for every command: no CommandError, no traceback."""
    from tests.test_config_errors import BAD, manage

    env, expected = BAD[case]
    result = manage("status", **env)
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and lines[1].lstrip().startswith("Fix: "), result.stderr
    assert "CommandError" not in result.stderr and "Traceback" not in result.stderr
    for text in expected:
        assert text in result.stderr


def test_a_database_that_answers_but_cannot_be_read_is_one_line(db, monkeypatch):
    """Connected, but a query fails (say, tables missing): one line, exit 1, as before."""
    from django.core.management import CommandError
    from django.db import DatabaseError

    from goals.operations import health

    def broken(*args, **kwargs):
        connection.ensure_connection()
        raise DatabaseError("relation goals_plan does not exist")

    monkeypatch.setattr(health, "unapplied_migrations", broken)
    with pytest.raises(CommandError, match="数据库无法读取"):
        status()
