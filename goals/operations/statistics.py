"""Planner statistics after a bulk load.

PostgreSQL plans queries from table statistics that autovacuum gathers some time after
rows arrive. Right after a bulk load (a plan imported, targets carried over, a backup
restored, a synthetic plan generated) they still say "empty", and the planner may pick
a plan that reads every report once per target: a page took half an hour. So whatever
loads in bulk calls `refresh()` when its rows are committed. SQLite plans without them.
"""

from __future__ import annotations

from django.db import connections, transaction


def refresh(using: str = "default") -> None:
    """ANALYZE the database (PostgreSQL) now and once the current transaction commits;
    nothing on SQLite."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return

    def analyze() -> None:
        with connections[using].cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")  # not a web request: let it finish
            cursor.execute("ANALYZE")
            cursor.execute("RESET statement_timeout")

    if connection.in_atomic_block:
        # Now too: ANALYZE counts the rows this transaction inserted, so what it runs next
        # (the rest of an import, a test's own setup) is planned on the real sizes.
        analyze()
    transaction.on_commit(analyze, using=using)
