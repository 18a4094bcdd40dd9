"""A figure waits for review once, however it is sent: twenty identical web submissions at
the same moment, or the web form and a workbook confirm together, leave one pending report.

On PostgreSQL the requests run at once, each thread on its own database connection (the
test's data is committed: ``transaction=True``). SQLite takes one writer at a time, so
there the same requests run one after another.
"""

from __future__ import annotations

import datetime
import threading
from functools import partial

import pytest
from django.db import connection, connections
from django.urls import reverse

from goals.models import AuditEntry, Report
from tests.builders import report_form_data
from tests.personas import as_user
from tests.test_workbook_department import download, fill, upload

pytestmark = pytest.mark.django_db(transaction=True)

DAY = datetime.date(2023, 6, 30)


def all_at_once(calls: list) -> list:
    """Run `calls` at the same moment (threads released by one barrier) on PostgreSQL, one
    after another on SQLite; return what each returned, or the exception it raised."""
    if connection.vendor != "postgresql":
        return [call() for call in calls]
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as error:  # reported by the test, not lost in the thread
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_twenty_identical_web_submissions_make_one_report(world, official_own):
    target = world.own_target
    clients = [as_user(official_own) for _ in range(20)]
    data = report_form_data(target, "120", note="已完成一期")
    url = reverse("report_target", args=[target.code])

    responses = all_at_once([lambda c=c: c.post(url, data) for c in clients])

    assert [r for r in responses if isinstance(r, Exception)] == []
    assert {r.status_code for r in responses} == {302}  # each one lands back in the workspace
    report = Report.objects.get()
    assert (report.value, report.as_of, report.state) == (120, DAY, Report.State.SUBMITTED)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SUBMIT).count() == 1


def test_the_web_form_and_a_workbook_sent_together_make_one_report(world, official_own):
    target = world.own_target
    web, book = as_user(official_own), as_user(official_own)
    template = download(book, world.own_department)
    url = reverse("report_target", args=[target.code])
    for round_ in range(10):
        value = 100 + round_  # a new figure each round
        preview = upload(book, world.own_department, fill(template, {"P1.1": {"value": value, "as_of": DAY}}))
        assert preview.status_code == 200, preview.content.decode()[:2000]
        digest = preview.context["digest"]

        responses = all_at_once(
            [
                partial(web.post, url, report_form_data(target, str(value))),
                partial(book.post, reverse("workbook_confirm"), {"digest": digest}),
            ]
        )

        assert [r for r in responses if isinstance(r, Exception)] == []
        assert [r.status_code for r in responses] == [302, 302]
        assert Report.objects.filter(target=target, value=value, state=Report.State.SUBMITTED).count() == 1, (
            f"round {round_}"
        )
    assert Report.objects.count() == 10


def test_the_migration_returns_duplicates_left_from_before_the_constraint(world, official_own):
    """Pending copies of one figure (made before the constraint) keep the first; the others
    are returned, saying so, with an audit entry: nothing is deleted and migrate succeeds."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    before, after = [("goals", "0009_merge")], executor.loader.graph.leaf_nodes()  # back to the latest
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        OldReport = old.get_model("goals", "Report")
        copies = [
            OldReport.objects.create(
                target_id=world.own_target.pk, value=120, as_of=DAY, author_id=official_own.pk
            )
            for _ in range(3)
        ]
        other = OldReport.objects.create(target_id=world.own_target.pk, value=130, as_of=DAY)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
    states = dict(Report.objects.values_list("pk", "state"))
    assert states == {
        copies[0].pk: "submitted",
        copies[1].pk: "returned",
        copies[2].pk: "returned",
        other.pk: "submitted",
    }
    returned = Report.objects.get(pk=copies[1].pk)
    assert f"#{copies[0].pk}" in returned.return_reason and returned.reviewer == official_own
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.RETURN)
    assert sorted(e.report_id for e in entries) == [copies[1].pk, copies[2].pk]
    assert all(e.changes["duplicate_of"] == copies[0].pk for e in entries)
