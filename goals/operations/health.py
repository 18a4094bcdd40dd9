"""Is this instance ready to serve, and what is it running? For /readyz and `manage.py status`.

Each check returns an empty string when all is well, else the reason (in the active
language). They never raise: a probe must answer even when everything behind it is down.
"""

from __future__ import annotations

import subprocess  # noqa: S404 (git, fixed arguments)
import tomllib
import uuid
from functools import cache as memoize
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

CACHE_PROBE_KEY = "goals:readyz-probe"


@memoize
def app_version() -> str:
    """The version in pyproject.toml, with the git commit when the code is a git checkout."""
    base = Path(settings.BASE_DIR)
    try:
        version = tomllib.loads((base / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        version = "unknown"
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=base,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        commit = result.stdout.strip() if result.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{version} ({commit})" if commit else version


def check_database(using: str = DEFAULT_DB_ALIAS) -> str:
    try:
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 (any failure means not ready)
        return _("数据库无法连接:%(error)s") % {"error": type(error).__name__}
    return ""


def unapplied_migrations(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    executor = MigrationExecutor(connections[using])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def check_migrations(using: str = DEFAULT_DB_ALIAS) -> str:
    try:
        missing = unapplied_migrations(using)
    except Exception as error:  # noqa: BLE001
        return _("无法读取迁移状态:%(error)s") % {"error": type(error).__name__}
    if missing:
        return _("有 %(count)s 个数据库迁移尚未执行(%(first)s 等),请运行 migrate。") % {
            "count": len(missing),
            "first": missing[0],
        }
    return ""


def check_cache() -> str:
    value = uuid.uuid4().hex
    try:
        cache = caches["default"]
        cache.set(CACHE_PROBE_KEY, value, 30)
        ok = cache.get(CACHE_PROBE_KEY) == value
    except Exception as error:  # noqa: BLE001
        return _("缓存无法使用:%(error)s") % {"error": type(error).__name__}
    return "" if ok else _("缓存没有保存写入的值。")


def readiness() -> dict[str, str]:
    """{check: "" or the reason it failed}; migrations are not checked without a database."""
    database = check_database()
    return {
        "database": database,
        "migrations": check_migrations() if not database else _("未检查(数据库无法连接)"),
        "cache": check_cache(),
    }
