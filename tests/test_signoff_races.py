"""Two people at the same step of the sign-off chain at once: nothing is silently dropped.

On PostgreSQL the requests run at the same moment, each on its own connection; the row lock
(select_for_update) makes one wait for the other, which then finds the report handled and
says so (409). SQLite takes one writer at a time: there they run one after another.
"""

from __future__ import annotations

from functools import partial

import pytest
from django.urls import reverse

from goals.accounts.permissions import HEAD
from goals.models import AuditEntry, Report
from goals.reporting import services
from tests.builders import HTMX
from tests.personas import DAY, as_user, staff_user
from tests.test_report_races import all_at_once

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def heads(world):
    world.plan.requires_head_confirmation = True
    world.plan.save(update_fields=["requires_head_confirmation"])
    return [staff_user(f"head-{n}", HEAD, world.own_department) for n in range(2)]


def test_two_heads_confirming_and_returning_at_once_leave_one_decision(world, official_own, heads):
    for round_ in range(8):
        report = services.submit_report(
            target=world.own_target, value=100 + round_, as_of=DAY, author=official_own
        )
        confirm, give_back = as_user(heads[0]), as_user(heads[1])
        responses = all_at_once(
            [
                partial(confirm.post, reverse("confirm_report", args=[report.pk]), headers=HTMX),
                partial(
                    give_back.post,
                    reverse("head_return_report", args=[report.pk]),
                    {"reason": "请核实"},
                    headers=HTMX,
                ),
            ]
        )
        assert [r for r in responses if isinstance(r, Exception)] == []
        assert sorted(r.status_code for r in responses) == [200, 409], f"round {round_}"
        stored = Report.objects.get(pk=report.pk)
        decided = AuditEntry.objects.filter(
            report=report, action__in=[AuditEntry.Action.CONFIRM, AuditEntry.Action.RETURN]
        )
        assert decided.count() == 1
        winner = decided.get()
        assert stored.head == winner.actor
        assert stored.state == (
            Report.State.SUBMITTED if winner.action == AuditEntry.Action.CONFIRM else Report.State.RETURNED
        )


def test_a_head_and_a_reviewer_at_once_either_both_count_or_one_is_told(world, official_own, heads, reviewer):
    for round_ in range(8):
        report = services.submit_report(
            target=world.own_target, value=200 + round_, as_of=DAY, author=official_own
        )
        head, review = as_user(heads[0]), as_user(reviewer)
        responses = all_at_once(
            [
                partial(head.post, reverse("confirm_report", args=[report.pk]), headers=HTMX),
                partial(review.post, reverse("approve_report", args=[report.pk]), headers=HTMX),
            ]
        )
        assert [r for r in responses if isinstance(r, Exception)] == []
        confirmed, approved = responses
        assert confirmed.status_code == 200, f"round {round_}"
        stored = Report.objects.get(pk=report.pk)
        assert AuditEntry.objects.filter(report=report, action=AuditEntry.Action.CONFIRM).count() == 1
        approvals = AuditEntry.objects.filter(report=report, action=AuditEntry.Action.APPROVE).count()
        if approved.status_code == 200:  # the reviewer came after the confirmation
            assert (stored.state, approvals) == (Report.State.APPROVED, 1)
        else:  # the reviewer came first: told to wait for the head
            assert approved.status_code == 409 and "尚待部门负责人确认" in approved.content.decode()
            assert (stored.state, approvals) == (Report.State.SUBMITTED, 0)
        assert stored.head == heads[0]
