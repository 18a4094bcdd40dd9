"""Configuration errors said in one or two lines, not a 60-line traceback.

manage.py (and so scripts/serve, which runs it before gunicorn) wraps every command in
``explained_errors()``: a setting that cannot be read (ImproperlyConfigured, raised by
config/settings.py naming the variable), a PostgreSQL server that cannot be reached, or a
SQLite file that cannot be opened or written becomes a short message naming the variable
and the fix, and exit status 2. ``--traceback`` or ``LOG_LEVEL=DEBUG`` shows the traceback.
Any other error is raised as usual: only mistakes in the environment are explained here.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

EXIT_CONFIGURATION = 2

FIXES = {
    "SECRET_KEY": "export SECRET_KEY=… (a long random string: python3 -c 'import secrets; "
    "print(secrets.token_urlsafe(50))'), or DEBUG=1 on a development machine (scripts/run sets it).",
    "ALLOWED_HOSTS": "export ALLOWED_HOSTS=goals.example.org (the site's host names, comma-separated), "
    "or DEBUG=1 on a development machine.",
    "DATABASE_URL": "export DATABASE_URL=sqlite:///db.sqlite3 or postgres://user:password@host:5432/name.",
}
SQLITE_PROBLEMS = ("unable to open database file", "readonly database", "disk I/O error")


def wants_traceback(argv: Sequence[str]) -> bool:
    return "--traceback" in argv or os.environ.get("LOG_LEVEL", "").strip().upper() == "DEBUG"


def explain(error: BaseException) -> str | None:
    """The message for a configuration error, or None when `error` is not one."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db.utils import OperationalError

    if isinstance(error, ImproperlyConfigured):
        message = str(error)
        variable = next((name for name in FIXES if message.startswith(name)), None)
        fix = FIXES.get(
            variable, "correct that environment variable (docs/operators.md, Configuration, lists them all)."
        )
        return f"Configuration error: {message}\n  Fix: {fix}"
    if isinstance(error, OperationalError):
        return explain_database(error)
    return None


def explain_database(error: BaseException) -> str | None:
    from django.db import connections

    connection = connections["default"]
    params = connection.settings_dict
    first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
    if connection.vendor == "sqlite":
        if not any(problem in first_line for problem in SQLITE_PROBLEMS):
            return None
        return (
            f"Database error: cannot open or write the SQLite database {params['NAME']} ({first_line}).\n"
            "  Fix: make that file and its directory writable by this user, or point DATABASE_URL "
            "elsewhere (sqlite:////absolute/path/db.sqlite3)."
        )
    if connection.connection is not None:
        return None  # connected: a problem with a query, not with the configuration
    where = f"database {params['NAME']!r} as {params['USER'] or 'the current user'!r} on {params['HOST'] or 'localhost'}"
    if params.get("PORT"):
        where += f":{params['PORT']}"
    return (
        f"Database error: cannot connect to PostgreSQL ({where}): {first_line}\n"
        "  Fix: start the database server, or correct DATABASE_URL (postgres://user:password@host:5432/name)."
    )


@contextmanager
def explained_errors(argv: Sequence[str]) -> Iterator[None]:
    try:
        yield
    except Exception as error:
        message = None if wants_traceback(argv) else explain(error)
        if message is None:
            raise
        sys.stderr.write(f"{message} (--traceback shows the details)\n")
        sys.exit(EXIT_CONFIGURATION)
