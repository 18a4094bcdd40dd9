"""The sign-off chain's pages: the department head's queue (待我确认) with confirm and return,
who holds each report in the reviewer's queue and for how long, what the official sees, the
admin's switch, and nothing public before the last step."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from goals.accounts import permissions
from goals.accounts.permissions import HEAD, REVIEWER
from goals.models import AuditEntry, Report
from goals.reporting import services
from tests.builders import HTMX, evidence, make_user
from tests.personas import DAY, as_user, staff_user

MONDAY = datetime.datetime(2024, 7, 1, 9, 0, tzinfo=datetime.UTC)
THURSDAY = MONDAY + datetime.timedelta(days=3)


@pytest.fixture
def chain(world):
    world.plan.requires_head_confirmation = True
    world.plan.save(update_fields=["requires_head_confirmation"])
    return world


@pytest.fixture
def head_own(world):
    return staff_user("head-own", HEAD, world.own_department, first_name="甲负责人")


@pytest.fixture
def head_other(world):
    return staff_user("head-other", HEAD, world.other_department, first_name="乙负责人")


@pytest.fixture
def waiting(chain, official_own, official_other, media, time_machine):
    """Submitted on Monday 1 July 2024: one report on each department's target; now Thursday."""
    time_machine.move_to(MONDAY)
    own = services.submit_report(
        target=chain.own_target,
        value=130,
        as_of=DAY,
        author=official_own,
        note="新建两处托育点",
        evidence=evidence("托位照片.png"),
    )
    other = services.submit_report(target=chain.other_target, value=4, as_of=DAY, author=official_other)
    time_machine.move_to(THURSDAY)
    return own, other


# --- the head's queue ---------------------------------------------------------------------


def test_the_head_sees_their_departments_reports_waiting_with_how_long(waiting, head_own):
    own, other = waiting
    response = as_user(head_own).get(reverse("confirm_queue"))
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    html = response.content.decode()
    assert re.findall(r'<li id="report-(\d+)"', html) == [str(own.pk)]
    item = html[html.index(f'id="report-{own.pk}"') :]
    assert "P1.1" in item and "130个" in item and "新建两处托育点" in item and "甲填报" in item
    assert "部门负责人 甲负责人" in item and "已等待 3 天" in item and "超时" in item
    assert reverse("evidence_file", args=[own.evidence.get().pk]) in item
    assert "共 1 份待确认" in html
    assert as_user(head_own).get(reverse("evidence_file", args=[own.evidence.get().pk])).status_code == 200


def test_a_head_only_account_lands_on_their_queue(waiting, head_own):
    response = as_user(head_own).get(reverse("workspace"))
    assert response.status_code == 302 and response["Location"] == reverse("confirm_queue")
    assert "待我确认" in as_user(head_own).get(reverse("confirm_queue")).content.decode()


def test_the_head_confirms_inline_and_the_report_goes_to_review(waiting, head_own, reviewer, client):
    own, _other = waiting
    response = as_user(head_own).post(reverse("confirm_report", args=[own.pk]), headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li id="report-{own.pk}"') and "<html" not in html
    assert "已确认 P1.1 的报告" in html and "审核通过后才公开" in html
    stored = Report.objects.get(pk=own.pk)
    assert (stored.state, stored.head) == (Report.State.SUBMITTED, head_own)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CONFIRM, actor=head_own, report=own).exists()
    # Nothing public yet: not on the target page, the reports CSV or the feed.
    assert "130个" not in client.get(reverse("target", args=["P1.1"])).content.decode()
    assert "P1.1" not in client.get(reverse("data_reports_csv", args=[2023])).content.decode()
    assert "P1.1" not in client.get(reverse("data_feed")).content.decode()
    # The reviewer sees who confirmed it, and that it has waited for them since today.
    queue = as_user(reviewer).get(reverse("review_queue")).content.decode()
    item = queue[queue.index(f'id="report-{own.pk}"') :]
    assert "部门确认" in item and "甲负责人 · 2024-07-04" in item
    assert "审核人员 · 已等待 0 天" in re.sub(r"\s+", " ", item)
    assert reverse("approve_report", args=[own.pk]) in item
    # Approved: the row says so, and nobody holds it any more.
    done = as_user(reviewer).post(reverse("approve_report", args=[own.pk]), headers=HTMX).content.decode()
    assert "已通过 P1.1 的报告" in done and "当前经办" not in done


def test_the_head_returns_with_a_reason_and_the_official_sees_it(waiting, head_own, official_own):
    own, _other = waiting
    response = as_user(head_own).post(
        reverse("head_return_report", args=[own.pk]), {"reason": "请补充验收照片"}, headers=HTMX
    )
    assert response.status_code == 200 and "已退回 P1.1 的报告" in response.content.decode()
    stored = Report.objects.get(pk=own.pk)
    assert (stored.state, stored.return_reason, stored.head, stored.reviewer) == (
        Report.State.RETURNED,
        "请补充验收照片",
        head_own,
        None,
    )
    workspace = as_user(official_own).get(reverse("workspace")).content.decode()
    assert "部门负责人 甲负责人 退回" in workspace and "请补充验收照片" in workspace
    assert reverse("resubmit_report", args=[own.pk]) in workspace


@pytest.mark.parametrize(
    ("reason", "error"),
    [("  ", "请写明理由"), ("长" * 2001, "最多 2000 字"), ("请\x07补充", "控制字符")],
)
def test_a_bad_reason_is_refused_beside_the_field(waiting, head_own, reason, error):
    own, _other = waiting
    response = as_user(head_own).post(
        reverse("head_return_report", args=[own.pk]), {"reason": reason}, headers=HTMX
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert f'id="reason-{own.pk}_error"' in html and error in html and 'aria-invalid="true"' in html
    assert Report.objects.get(pk=own.pk).state == Report.State.CONFIRMING
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.RETURN).exists()


def test_without_javascript_the_forms_post_and_come_back_with_a_message(waiting, head_own):
    own, _other = waiting
    client = as_user(head_own)
    response = client.post(reverse("head_return_report", args=[own.pk]), {"reason": ""})
    assert response.status_code == 302 and response["Location"] == reverse("confirm_queue")
    assert "请写明理由" in client.get(response["Location"]).content.decode()
    response = client.post(reverse("confirm_report", args=[own.pk]))
    assert response.status_code == 302
    assert "已确认 P1.1 的报告" in client.get(response["Location"]).content.decode()


def test_a_second_click_or_a_stale_page_says_it_was_handled(waiting, head_own):
    own, _other = waiting
    client = as_user(head_own)
    client.post(reverse("confirm_report", args=[own.pk]), headers=HTMX)
    for url, data in (
        (reverse("confirm_report", args=[own.pk]), {}),
        (reverse("head_return_report", args=[own.pk]), {"reason": "x"}),
    ):
        response = client.post(url, data, headers=HTMX)
        assert response.status_code == 409 and "已被处理" in response.content.decode()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CONFIRM).count() == 1


def test_another_departments_report_is_404_and_untouched(waiting, head_own):
    _own, other = waiting
    client = as_user(head_own)
    for url in (reverse("confirm_report", args=[other.pk]), reverse("head_return_report", args=[other.pk])):
        response = client.post(url, {"reason": "x"}, headers=HTMX)
        assert response.status_code == 404
    assert client.post(reverse("confirm_report", args=[999_999])).status_code == 404
    assert Report.objects.get(pk=other.pk).state == Report.State.CONFIRMING


@pytest.mark.parametrize("who", ["official_own", "reviewer"])
def test_roles_without_the_head_step_are_refused(waiting, request, who):
    own, _other = waiting
    client = as_user(request.getfixturevalue(who))
    assert client.get(reverse("confirm_queue")).status_code == 403
    assert client.post(reverse("confirm_report", args=[own.pk])).status_code == 403
    assert Report.objects.get(pk=own.pk).state == Report.State.CONFIRMING


def test_signed_out_and_wrong_methods(waiting, head_own):
    own, _other = waiting
    response = as_user(None).post(reverse("confirm_report", args=[own.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert as_user(None).post(reverse("confirm_report", args=[own.pk]), headers=HTMX).status_code == 401
    assert as_user(head_own).get(reverse("confirm_report", args=[own.pk])).status_code == 405
    assert Report.objects.get(pk=own.pk).state == Report.State.CONFIRMING


def test_a_head_who_reported_it_must_leave_it_to_another_head(chain, head_own, media):
    head_own.groups.add(permissions.ensure_roles()[permissions.OFFICIAL])
    own = services.submit_report(target=chain.own_target, value=5, as_of=DAY, author=head_own)
    client = as_user(head_own)
    html = client.get(reverse("confirm_queue")).content.decode()
    assert "须由本单位其他负责人确认" in html and reverse("confirm_report", args=[own.pk]) not in html
    response = client.post(reverse("confirm_report", args=[own.pk]), headers=HTMX)
    assert response.status_code == 409 and "不能确认自己提交的报告" in response.content.decode()


def test_an_admin_may_step_in_for_any_department(waiting, admin):
    _own, other = waiting
    html = as_user(admin).get(reverse("confirm_queue")).content.decode()
    assert f'id="report-{other.pk}"' in html and "共 2 份待确认" in html
    assert as_user(admin).post(reverse("confirm_report", args=[other.pk]), headers=HTMX).status_code == 200


def test_the_head_queue_takes_a_fixed_number_of_queries(
    chain, head_own, official_own, django_assert_max_num_queries
):
    for n in range(25):
        services.submit_report(target=chain.own_target, value=n, as_of=DAY, author=official_own)
    client = as_user(head_own)
    client.get(reverse("confirm_queue"))  # warm the session
    with django_assert_max_num_queries(16):
        response = client.get(reverse("confirm_queue"))
    assert response.status_code == 200 and "共 25 份待确认" in response.content.decode()


# --- the reviewer's queue: who holds what ------------------------------------------------------


def test_the_reviewer_sees_who_holds_each_report_in_flight(waiting, reviewer, head_own, head_other):
    own, other = waiting
    services.return_by_head(report=own, head=head_own, reason="数据口径不对")
    html = as_user(reviewer).get(reverse("review_queue")).content.decode()
    assert "没有待审核的报告" in html and reverse("approve_report", args=[other.pk]) not in html
    section = re.sub(r"\s+", " ", html[html.index('id="in-flight-heading"') :])
    row = section[section.index(f'id="in-flight-{other.pk}"') :]
    assert "待部门确认" in row and "部门负责人 乙负责人" in row and "已等待 3 天" in row and "超时" in row
    row = section[section.index(f'id="in-flight-{own.pk}"') :]
    assert "已退回" in row and "数据口径不对" in row and "填报人 甲填报" in row and "已等待 0 天" in row


def test_a_department_without_a_head_is_shown_as_stuck(waiting, reviewer):
    html = as_user(reviewer).get(reverse("review_queue")).content.decode()
    assert "本单位尚无部门负责人账号" in html


def test_the_reviewer_who_confirmed_as_head_cannot_approve(waiting, head_own):
    own, _other = waiting
    head_own.groups.add(permissions.ensure_roles()[REVIEWER])
    services.confirm_report(report=own, head=head_own)
    client = as_user(head_own)
    html = client.get(reverse("review_queue")).content.decode()
    assert "您已作为部门负责人确认过这份报告" in html
    assert reverse("approve_report", args=[own.pk]) not in html
    assert f'name="report" value="{own.pk}"' not in html
    response = client.post(reverse("approve_report", args=[own.pk]), headers=HTMX)
    assert response.status_code == 409 and "须由其他审核人员审核通过" in response.content.decode()
    response = client.post(reverse("bulk_approve"), {"report": [own.pk]}, headers=HTMX)
    assert "须由其他审核人员审核通过" in response.content.decode()
    assert Report.objects.get(pk=own.pk).state == Report.State.SUBMITTED


def test_a_report_waiting_for_the_head_cannot_be_approved_by_a_forged_post(waiting, reviewer):
    own, _other = waiting
    response = as_user(reviewer).post(reverse("approve_report", args=[own.pk]), headers=HTMX)
    assert response.status_code == 409 and "尚待部门负责人确认" in response.content.decode()
    response = as_user(reviewer).post(reverse("bulk_approve"), {"report": [own.pk]}, headers=HTMX)
    assert "尚待部门负责人确认" in response.content.decode()
    assert Report.objects.get(pk=own.pk).state == Report.State.CONFIRMING


def test_the_review_queue_with_reports_in_flight_takes_a_fixed_number_of_queries(
    chain, reviewer, head_own, official_own, django_assert_max_num_queries
):
    for n in range(25):
        report = services.submit_report(target=chain.own_target, value=n, as_of=DAY, author=official_own)
        if n % 2:
            services.confirm_report(report=report, head=head_own)
    client = as_user(reviewer)
    client.get(reverse("review_queue"))
    # The existing 13, and the reports in flight (1) with their heads (3).
    with django_assert_max_num_queries(17):
        html = client.get(reverse("review_queue")).content.decode()
    assert "共 12 份待审核" in html and len(re.findall(r'id="in-flight-\d+"', html)) == 13


# --- the official, and the admin's switch ---------------------------------------------------


def test_the_official_is_told_where_the_report_went(chain, official_own):
    client = as_user(official_own)
    target = chain.own_target
    data = {f"t{target.pk}-value": "120", f"t{target.pk}-as_of": "2023-06-30", f"t{target.pk}-revision": 0}
    response = client.post(reverse("report_target", args=[target.code]), data, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "等待部门负责人确认" in html and "待部门确认" in html


def test_the_admin_turns_the_chain_on_and_it_is_audited(world, admin):
    url = reverse("admin:goals_plan_change", args=[world.plan.pk])
    client = as_user(admin)
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        title=world.plan.title,
        year=world.plan.year,
        reporting_cycle=world.plan.reporting_cycle,
        report_due_day=world.plan.report_due_day,
        requires_head_confirmation="on",
    )
    data.pop("deadline_reminders_mandatory", None)
    data.pop("adopted_on", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    world.plan.refresh_from_db()
    assert world.plan.requires_head_confirmation
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EDIT)
    assert (entry.actor, entry.changes) == (
        admin,
        {"plan": 2023, "requires_head_confirmation": [False, True]},
    )
    trail = as_user(admin).get(reverse("admin:goals_auditentry_changelist")).content.decode()
    assert "须部门负责人确认:否 → 是" in trail
    make_user("nobody")  # a save without a change records nothing more
    client.post(url, data)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EDIT).count() == 1


def test_a_department_workbook_goes_to_the_head_too(chain, official_own):
    from tests.test_workbook_department import FILLED, confirm, download, fill, upload

    client = as_user(official_own)
    preview = upload(client, chain.own_department, fill(download(client, chain.own_department), FILLED))
    response = confirm(client, preview)
    assert response.status_code == 302
    assert "已提交 2 条进度报告,等待部门负责人确认" in client.get(response["Location"]).content.decode()
    assert set(Report.objects.values_list("state", flat=True)) == {Report.State.CONFIRMING}
