"""The reviewer's queue: oldest first, approve or return inline, approve several at once."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from goals.models import AuditEntry, Report, Target
from goals.planning import publication
from goals.reporting import services
from tests.builders import HTMX, approved, evidence, make_user
from tests.personas import DAY, as_user


@pytest.fixture
def pending(world, official_own, official_other, media):
    """Two reports, the older on 乙单位's target, the newer (with evidence) on 甲单位's."""
    older = services.submit_report(target=world.other_target, value=4, as_of=DAY, author=official_other)
    Report.objects.filter(pk=older.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    newer = services.submit_report(
        target=world.own_target,
        value=130,
        as_of=DAY,
        author=official_own,
        note="新建两处托育点",
        evidence=evidence("托位照片.png"),
    )
    return older, newer


def test_it_lists_submitted_reports_across_departments_oldest_first(world, reviewer, pending):
    older, newer = pending
    approved(world.own_target, 100, DAY.replace(month=3))
    response = as_user(reviewer).get(reverse("review_queue"))
    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r'<li id="report-(\d+)"', html) == [str(older.pk), str(newer.pk)]
    item = html[html.index(f'id="report-{newer.pk}"') :]
    assert "P1.1" in item and "新增托位" in item and "甲单位" in item
    assert "130个" in item  # the reported value at the target's scale
    assert "100个" in item and "截至 2023-03-30" in item  # the current approved value
    assert "新建两处托育点" in item and "甲填报" in item
    assert reverse("evidence_file", args=[newer.evidence.get().pk]) in item
    assert "共 2 份待审核" in html


def test_it_writes_a_scaled_value_as_the_document_does(world, reviewer, official_own):
    Target.objects.filter(pk=world.own_target.pk).update(scale=10_000, target_value="1.1", unit="名")
    target = Target.objects.get(pk=world.own_target.pk)
    services.submit_report(target=target, value=10450, as_of=DAY, author=official_own)
    html = as_user(reviewer).get(reverse("review_queue")).content.decode()
    assert "1.045万名" in html


def test_it_approves_inline_and_publishes_at_once(
    world, reviewer, pending, django_capture_on_commit_callbacks, client
):
    older, _newer = pending
    stamp = publication.generation()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(reviewer).post(reverse("approve_report", args=[older.pk]), headers=HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li id="report-{older.pk}"') and "<html" not in html
    assert "已通过 P1.2 的报告" in html
    report = Report.objects.get(pk=older.pk)
    assert (report.state, report.reviewer) == (Report.State.APPROVED, reviewer)
    assert Target.objects.get(pk=world.other_target.pk).revision == 1
    assert AuditEntry.objects.filter(action=AuditEntry.Action.APPROVE, report=report, actor=reviewer).exists()
    assert publication.generation() != stamp
    public = client.get(reverse("target", args=["P1.2"]))
    assert public.status_code == 200 and "4家" in public.content.decode()


def test_it_returns_with_a_reason_inline(world, reviewer, pending):
    older, _newer = pending
    response = as_user(reviewer).post(
        reverse("return_report", args=[older.pk]), {"reason": "请附上验收照片"}, headers=HTMX
    )
    assert response.status_code == 200 and "已退回 P1.2 的报告" in response.content.decode()
    report = Report.objects.get(pk=older.pk)
    assert (report.state, report.return_reason, report.reviewer) == (
        Report.State.RETURNED,
        "请附上验收照片",
        reviewer,
    )
    assert AuditEntry.objects.get(action=AuditEntry.Action.RETURN).changes["reason"] == "请附上验收照片"


def test_it_refuses_a_return_without_a_reason_beside_the_field(world, reviewer, pending):
    older, _newer = pending
    response = as_user(reviewer).post(
        reverse("return_report", args=[older.pk]), {"reason": "  "}, headers=HTMX
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert f'id="reason-{older.pk}_error"' in html and "请写明理由" in html
    assert 'aria-invalid="true"' in html
    assert Report.objects.get(pk=older.pk).state == Report.State.SUBMITTED
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.RETURN).exists()


def test_it_falls_back_to_full_page_posts_with_a_message(world, reviewer, pending):
    older, newer = pending
    client = as_user(reviewer)
    response = client.post(reverse("approve_report", args=[older.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("review_queue")
    assert "已通过 P1.2 的报告" in client.get(response["Location"]).content.decode()
    response = client.post(reverse("return_report", args=[newer.pk]), {"reason": ""})
    assert response.status_code == 302
    assert "请写明理由" in client.get(response["Location"]).content.decode()
    assert Report.objects.get(pk=newer.pk).state == Report.State.SUBMITTED


def test_it_refuses_to_let_a_reviewer_approve_their_own_report(world, reviewer):
    from django.contrib.auth.models import Group

    reviewer.groups.add(Group.objects.get(name="填报人员"))
    world.own_department.members.add(reviewer)
    own = services.submit_report(target=world.own_target, value=50, as_of=DAY, author=reviewer)
    client = as_user(reviewer)
    html = client.get(reverse("review_queue")).content.decode()
    assert "须由其他审核人员审核" in html
    assert f'name="report" value="{own.pk}"' not in html  # no checkbox for bulk approval
    response = client.post(reverse("approve_report", args=[own.pk]), headers=HTMX)
    assert response.status_code == 409 and "不能审核通过自己提交的报告" in response.content.decode()
    assert Report.objects.get(pk=own.pk).state == Report.State.SUBMITTED


def test_it_says_when_a_report_was_already_handled(world, reviewer, pending):
    older, _newer = pending
    other_reviewer = make_user("reviewer-2")
    services.approve_report(report=older, reviewer=other_reviewer)
    response = as_user(reviewer).post(reverse("approve_report", args=[older.pk]), headers=HTMX)
    assert response.status_code == 409 and "已被处理" in response.content.decode()
    assert Report.objects.get(pk=older.pk).reviewer == other_reviewer


def test_it_approves_several_at_once_and_says_which_it_skipped(world, reviewer, pending):
    older, newer = pending
    own = services.submit_report(target=world.milestone, value=50, as_of=DAY, author=reviewer)
    handled = services.submit_report(target=world.milestone, value=25, as_of=DAY, author=None)
    services.return_report(report=handled, reviewer=make_user("reviewer-2"), reason="重复")
    ids = [older.pk, newer.pk, own.pk, handled.pk, 999_999, "x"]

    response = as_user(reviewer).post(reverse("bulk_approve"), {"report": ids}, headers=HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="review-queue"')
    assert "已通过 2 份报告" in html
    assert "跳过 3 份" in html and "不能审核通过自己提交的报告" in html and "已被处理" in html
    assert "#999999:没有这份报告" in html
    states = dict(Report.objects.values_list("pk", "state"))
    assert states[older.pk] == states[newer.pk] == Report.State.APPROVED
    assert states[own.pk] == Report.State.SUBMITTED and states[handled.pk] == Report.State.RETURNED
    assert AuditEntry.objects.filter(action=AuditEntry.Action.APPROVE).count() == 2


def test_it_asks_to_pick_reports_before_bulk_approval(world, reviewer, pending):
    response = as_user(reviewer).post(reverse("bulk_approve"), {}, headers=HTMX)
    assert response.status_code == 200 and "请先勾选" in response.content.decode()
    assert not Report.objects.filter(state=Report.State.APPROVED).exists()


def test_it_keeps_the_queue_to_a_fixed_number_of_queries(
    world, reviewer, official_own, django_assert_max_num_queries
):
    for n in range(25):
        services.submit_report(target=world.own_target, value=n, as_of=DAY, author=official_own)
    client = as_user(reviewer)
    client.get(reverse("review_queue"))  # warm the session (saved at most once a minute)
    # 10, and 3 for the open years: the year switcher's plans, and the close-year panel of the
    # one open plan (its last deadline, its waiting reports): a few per open plan, none per report.
    with django_assert_max_num_queries(13):
        assert client.get(reverse("review_queue")).status_code == 200
