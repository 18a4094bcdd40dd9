"""Copying the database out and back in, consistently while the site runs.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies a consistent snapshot
page by page; a restore checks the copy (`PRAGMA integrity_check`) and renames it over the
database file. PostgreSQL: `pg_dump --format=custom` (one snapshot); a restore turns the
dump into SQL with `pg_restore` and runs it with `psql` in a single transaction, after a
prelude that refuses a database with tables (or, with --force, drops them), so a failed
restore leaves the database as it was. Never dumpdata/loaddata: they cut timestamps to
milliseconds, which changes the Atom feed.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess  # noqa: S404 (fixed PostgreSQL tools, arguments as lists)
from pathlib import Path

from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext as _

# Options Django reads from DATABASES[...]["OPTIONS"] itself; the rest are libpq's.
DJANGO_ONLY_OPTIONS = {"pool", "server_side_binding", "isolation_level", "assume_role", "cursor_factory"}
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
SESSIONS_TABLE = "django_session"  # its rows are never backed up

# Runs in the restore's transaction, before the dump's SQL: refuse a database that has
# tables (checked again here, atomically), or drop every table, view and sequence in it.
PRELUDE_REFUSE = """
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')) THEN
    RAISE EXCEPTION 'goals-restore: target database is not empty';
  END IF;
END $$;
"""
PRELUDE_DROP = """
DO $$
DECLARE r record;
BEGIN
  -- Tables first (their identity sequences go with them), then whatever is left.
  FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'f', 'v', 'm')
           ORDER BY c.relkind IN ('v', 'm')
  LOOP
    EXECUTE format('DROP %s IF EXISTS public.%I CASCADE',
      CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
        WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, r.relname);
  END LOOP;
  FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind = 'S'
  LOOP
    EXECUTE format('DROP SEQUENCE IF EXISTS public.%I CASCADE', r.relname);
  END LOOP;
END $$;
"""


class DatabaseError(Exception):
    """A dump or restore that could not be made; the message says why, in Chinese."""


def suffix(vendor: str) -> str:
    return {"sqlite": "sqlite3", "postgresql": "pgdump"}[vendor]


def check_vendor(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor not in ("sqlite", "postgresql"):
        raise DatabaseError(_("不支持备份 %(vendor)s 数据库。") % {"vendor": connection.vendor})


def is_empty(connection: BaseDatabaseWrapper) -> bool:
    """No tables at all: a SQLite file that is missing or empty, a PostgreSQL database just created."""
    if connection.vendor == "sqlite":
        path = Path(connection.settings_dict["NAME"])
        if not path.exists() or path.stat().st_size == 0:
            return True
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            return db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    return not connection.introspection.table_names(include_views=True)


def describe(connection: BaseDatabaseWrapper) -> str:
    """Vendor and name (and host), never the password."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite {settings['NAME']}"
    where = settings.get("HOST") or "localhost"
    if settings.get("PORT"):
        where += f":{settings['PORT']}"
    return f"PostgreSQL {settings['NAME']} @ {where}"


# --- SQLite ------------------------------------------------------------------------------------


def dump_sqlite(connection: BaseDatabaseWrapper, destination: Path) -> None:
    if connection.in_atomic_block:
        # sqlite3's backup() would wait forever for this connection's own write lock.
        raise DatabaseError(_("数据库连接正处于事务中,无法备份;请在事务外运行。"))
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(destination)) as target:
        connection.connection.backup(target)
        # The copy keeps the sessions table, empty: live session keys would let anyone
        # holding the archive sign in. VACUUM leaves no trace of the rows in free pages.
        if target.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [SESSIONS_TABLE]).fetchone():
            target.execute(f"DELETE FROM {SESSIONS_TABLE}")  # noqa: S608 (a constant)
            target.commit()
            target.execute("VACUUM")


def sqlite_migrations(path: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        rows = db.execute("SELECT app, name FROM django_migrations").fetchall()
    return sorted(f"{app}.{name}" for app, name in rows)


def restore_sqlite(connection: BaseDatabaseWrapper, dump: Path, *, force: bool) -> None:
    """Move the checked copy next to the database file, then rename it over the file."""
    target = Path(connection.settings_dict["NAME"])
    try:
        with contextlib.closing(sqlite3.connect(f"file:{dump}?mode=ro", uri=True)) as db:
            result = db.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        result = str(error)
    if result != "ok":
        raise DatabaseError(_("备份中的 SQLite 数据库已损坏:%(error)s") % {"error": result})
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(dump, temporary)
    connection.close()
    if not force and not is_empty(connection):
        temporary.unlink()
        raise DatabaseError(
            _("目标数据库不是空的(%(db)s);确认要覆盖请加 --force。") % {"db": describe(connection)}
        )
    # A journal left by the old file would be replayed into the new one.
    for side in SQLITE_SIDE_FILES:
        Path(f"{target}{side}").unlink(missing_ok=True)
    os.replace(temporary, target)


# --- PostgreSQL ----------------------------------------------------------------------------------


def _major(version_text: str) -> int:
    match = re.search(r"\(PostgreSQL\) (\d+)", version_text)
    return int(match.group(1)) if match else 0


def find_tool(name: str, server_major: int) -> Path:
    """The newest `name` (pg_dump, pg_restore, psql) of at least the server's major version.

    Looks in $PG_BINDIR, then /usr/lib/postgresql/*/bin (newest first), then the PATH.
    """
    candidates = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]) / name)
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates += [folder / name for folder in versions]
    if found := shutil.which(name):
        candidates.append(Path(found))
    seen = []
    for path in candidates:
        if not (path.is_file() and os.access(path, os.X_OK)):
            continue
        version = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout  # noqa: S603
        if _major(version) >= server_major:
            return path
        seen.append(version.strip())
    raise DatabaseError(
        _(
            "找不到版本不低于服务器(PostgreSQL %(major)s)的 %(name)s;请安装 postgresql-client-%(major)s,或用 PG_BINDIR 指明目录。"
        )
        % {"major": server_major, "name": name}
    )


def _libpq(connection: BaseDatabaseWrapper) -> tuple[str, dict[str, str]]:
    """A conninfo string for the PostgreSQL tools, and an environment with the password."""
    from psycopg.conninfo import make_conninfo

    settings = connection.settings_dict
    params = {
        "dbname": settings["NAME"],
        "host": settings.get("HOST") or None,
        "port": settings.get("PORT") or None,
        "user": settings.get("USER") or None,
    }
    options = {k: v for k, v in (settings.get("OPTIONS") or {}).items() if k not in DJANGO_ONLY_OPTIONS}
    # A dump or a restore takes as long as the data: the web's statement timeout is not theirs.
    options["options"] = f"{options.get('options', '')} -c statement_timeout=0".strip()
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]  # never on the command line, where ps shows it
    return make_conninfo(**{k: v for k, v in params.items() if v is not None}, **options), env


def _server_major(connection: BaseDatabaseWrapper) -> int:
    connection.ensure_connection()
    return connection.pg_version // 10000


def _run(command: list, env: dict, failure: str) -> str:
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    if result.returncode != 0:
        raise DatabaseError(f"{failure}\n{result.stderr.strip()}")
    return result.stdout


def dump_postgresql(connection: BaseDatabaseWrapper, destination: Path) -> str:
    """Run pg_dump (custom format); returns its version line."""
    tool = find_tool("pg_dump", _server_major(connection))
    conninfo, env = _libpq(connection)
    _run(
        [
            tool,
            "--format=custom",
            "--no-sync",
            f"--exclude-table-data={SESSIONS_TABLE}",
            f"--file={destination}",
            f"--dbname={conninfo}",
        ],
        env,
        _("pg_dump 失败:"),
    )
    return _run([tool, "--version"], env, "pg_dump --version").strip()


def postgresql_migrations(connection: BaseDatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        return sorted(f"{app}.{name}" for app, name in cursor.fetchall())


def restore_postgresql(connection: BaseDatabaseWrapper, dump: Path, *, force: bool) -> None:
    major = _server_major(connection)
    pg_restore, psql = find_tool("pg_restore", major), find_tool("psql", major)
    conninfo, env = _libpq(connection)
    script = dump.with_suffix(".sql")
    prelude = dump.with_suffix(".prelude.sql")
    _run(
        [pg_restore, "--no-owner", "--no-privileges", f"--file={script}", dump],
        env,
        _("pg_restore 无法读取备份中的数据库转储:"),
    )
    prelude.write_text(PRELUDE_DROP if force else PRELUDE_REFUSE, encoding="utf-8")
    connection.close()
    result = subprocess.run(  # noqa: S603
        [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", f"--dbname={conninfo}"]
        + ["-f", prelude, "-f", script],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        if "goals-restore: target database is not empty" in result.stderr:
            raise DatabaseError(
                _("目标数据库不是空的(%(db)s);确认要覆盖请加 --force。") % {"db": describe(connection)}
            )
        raise DatabaseError(_("恢复 PostgreSQL 数据库失败,数据库未改动:") + "\n" + result.stderr.strip())
