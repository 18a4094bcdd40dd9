"""The official's workspace: their departments' targets, filters, sorting, query budget."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals.models import Target
from goals.reporting import services
from tests.builders import HTMX, approved, make_project, make_target, make_user
from tests.conftest import CHINA
from tests.personas import DAY, as_user


@pytest.fixture
def today(time_machine):
    """Pin the staff pages' "today" (the clock: the day the pages evaluate the plan at,
    goals.planning.publication.evaluation_day) to a day of the 2023 plan."""

    def pin(day: datetime.date) -> datetime.date:
        time_machine.move_to(datetime.datetime.combine(day, datetime.time(10), tzinfo=CHINA))
        return day

    return pin


def codes(html: str) -> list[str]:
    return re.findall(r'<span class="code">([^<]+)</span>', html)


def test_it_lists_only_the_targets_of_the_officials_departments(world, official_own):
    response = as_user(official_own).get(reverse("workspace"))
    assert response.status_code == 200
    assert codes(response.content.decode()) == ["P1.1", "P1.3"]


def test_it_includes_targets_a_department_co_leads(world, official_other):
    world.own_target.co_departments.add(world.other_department)
    html = as_user(official_other).get(reverse("workspace")).content.decode()
    assert codes(html) == ["P1.1", "P1.2"]


def submitted_on(report, day: datetime.date):
    """Backdate a report's submission (created_at is set to now on creation)."""
    moment = datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC)
    type(report).objects.filter(pk=report.pk).update(created_at=moment)
    return report


def row_of(html: str, target) -> str:
    row = html[html.index(f'id="target-{target.pk}"') :]
    return row[: row.index("</tbody>")]


def test_it_shows_status_percent_stale_and_the_last_approved_value(world, official_own, today):
    approved(world.own_target, 150, DAY)
    today(datetime.date(2023, 9, 30))
    row = row_of(as_user(official_own).get(reverse("workspace")).content.decode(), world.own_target)
    assert "150个" in row and "截至 2023-06-30" in row
    assert "75%" in row
    assert 'class="status status-on_track"' in row and "绿灯" in row  # 75 % of 200, 74.8 % expected
    assert "久未更新" in row  # no approved report for more than STALE_AFTER_DAYS
    today(datetime.date(2024, 3, 1))
    row = row_of(as_user(official_own).get(reverse("workspace")).content.decode(), world.own_target)
    assert 'class="status status-missed"' in row and "红灯" in row  # 2023 is over and 150 < 200
    assert "久未更新" not in row  # stale is judged only while the year runs
    assert "报送已结束" in row


def test_it_shows_when_the_next_report_is_due_per_row_and_at_the_top(world, official_own, today):
    submitted_on(approved(world.own_target, 100, datetime.date(2023, 6, 30)), datetime.date(2023, 7, 1))
    today(datetime.date(2023, 7, 2))
    html = as_user(official_own).get(reverse("workspace")).content.decode()
    # P1.1 reported June: July's report is due on 5 August; P1.3 owes June by 5 July.
    assert "34 天后截止" in row_of(html, world.own_target) and "2023-08-05" in row_of(html, world.own_target)
    assert "3 天后截止" in row_of(html, world.milestone)
    assert "2023-06 期报送 3 天后截止" in html
    today(datetime.date(2023, 7, 9))
    html = as_user(official_own).get(reverse("workspace")).content.decode()
    assert "逾期 4 天" in row_of(html, world.milestone)
    assert "2023-06 期报送已逾期 4 天" in html and "逾期未报 1 项" in html
    assert codes(as_user(official_own).get(reverse("workspace"), {"overdue": "on"}).content.decode()) == [
        "P1.3"
    ]
    assert codes(as_user(official_own).get(reverse("workspace"), {"sort": "due"}).content.decode()) == [
        "P1.3",
        "P1.1",
    ]


def test_a_pending_report_counts_as_reported_for_the_deadline(world, official_own, today):
    today(datetime.date(2023, 7, 9))
    report = services.submit_report(
        target=world.milestone, value=50, as_of=datetime.date(2023, 6, 30), author=official_own
    )
    submitted_on(report, datetime.date(2023, 7, 8))
    html = as_user(official_own).get(reverse("workspace")).content.decode()
    assert "逾期" not in row_of(html, world.milestone) and "27 天后截止" in row_of(html, world.milestone)


def test_it_shows_the_forecast_for_numeric_targets_only(world, official_own, today):
    approved(world.own_target, 100, datetime.date(2023, 3, 31))
    approved(world.milestone, 50, datetime.date(2023, 3, 31))
    today(datetime.date(2023, 4, 1))
    html = as_user(official_own).get(reverse("workspace")).content.decode()
    assert "预计到期 406个" in row_of(html, world.own_target)  # 100 × 365 ÷ 90 = 405.56: whole 个
    assert "预计到期" not in row_of(html, world.milestone) and "每月尚需" not in row_of(html, world.milestone)


def test_it_shows_colleagues_pending_reports_but_not_other_departments(world, official_own, official_other):
    colleague = make_user("colleague", first_name="同事")
    world.own_department.members.add(colleague)
    services.submit_report(target=world.own_target, value=77, as_of=DAY, author=colleague)
    services.submit_report(target=world.other_target, value=5, as_of=DAY, author=official_other)
    html = as_user(official_own).get(reverse("workspace")).content.decode()
    assert "77个" in html and "同事" in html and "待审核" in html
    assert "5家" not in html and "乙填报" not in html


def test_it_filters_by_text_status_department_and_stale(world, official_own, admin, today):
    today(datetime.date(2023, 9, 30))
    approved(world.own_target, 200, DAY)
    client = as_user(official_own)
    assert codes(client.get(reverse("workspace"), {"q": "服务中心"}).content.decode()) == ["P1.3"]
    assert codes(client.get(reverse("workspace"), {"q": "p1.1"}).content.decode()) == ["P1.1"]
    assert codes(client.get(reverse("workspace"), {"status": "done"}).content.decode()) == ["P1.1"]
    assert codes(client.get(reverse("workspace"), {"stale": "on"}).content.decode()) == ["P1.3"]
    admin_html = as_user(admin).get(reverse("workspace"), {"department": world.other_department.pk})
    assert codes(admin_html.content.decode()) == ["P1.2"]


def test_it_reports_a_bad_filter_and_lists_everything(world, official_own, official_other):
    # official_own cannot pick 乙单位: the choice is refused, not silently applied.
    html = as_user(official_own).get(reverse("workspace"), {"department": world.other_department.pk})
    html = html.content.decode()
    assert "选择一个有效的选项" in html
    assert codes(html) == ["P1.1", "P1.3"]


def test_it_sorts_by_percent(world, official_own):
    approved(world.milestone, 90, DAY)
    approved(world.own_target, 20, DAY)
    html = as_user(official_own).get(reverse("workspace"), {"sort": "percent"}).content.decode()
    assert codes(html) == ["P1.1", "P1.3"]
    html = as_user(official_own).get(reverse("workspace")).content.decode()
    assert codes(html) == ["P1.1", "P1.3"]
    approved(world.own_target, 100, DAY.replace(day=29))  # older than the 20: not current
    html = as_user(official_own).get(reverse("workspace"), {"sort": "percent"}).content.decode()
    assert codes(html) == ["P1.1", "P1.3"]


def test_it_answers_a_filter_request_from_htmx_with_the_table_only(world, official_own):
    response = as_user(official_own).get(reverse("workspace"), {"q": "托位"}, headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="workspace-table"')
    assert "<html" not in html and codes(html) == ["P1.1"]
    assert "HX-Request" in response["Vary"]


def test_it_sends_a_reviewer_to_the_queue_and_refuses_a_user_without_a_role(world, reviewer):
    response = as_user(reviewer).get(reverse("workspace"))
    assert response.status_code == 302 and response["Location"] == reverse("review_queue")
    nobody = make_user("nobody")
    assert as_user(nobody).get(reverse("workspace")).status_code == 403


def test_it_says_so_when_no_target_is_assigned(world):
    from django.contrib.auth.models import Group

    lonely = make_user("lonely")
    lonely.groups.add(Group.objects.get(name="填报人员"))
    html = as_user(lonely).get(reverse("workspace")).content.decode()
    assert "没有负责的目标" in html


def test_it_renders_the_staff_chrome(world, official_own):
    html = as_user(official_own).get(reverse("workspace")).content.decode()
    assert 'data-hx-headers=\'{"X-CSRFToken": "' in html
    assert f'action="{reverse("logout")}"' in html and "退出登录" in html
    assert "甲填报" in html and reverse("password_change") in html
    assert reverse("review_queue") not in html  # not a reviewer
    assert "<script>" not in html and ' style="' not in html


def test_it_keeps_to_a_fixed_number_of_queries_whatever_the_number_of_targets(world, official_own, reviewer):
    client = as_user(official_own)
    services.submit_report(target=world.own_target, value=1, as_of=DAY, author=official_own)
    client.get(reverse("workspace"))  # warm the session

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("workspace")).status_code == 200
        return len(queries)

    small = count()
    project = make_project(world.plan, "P9")
    for n in range(30):
        target = make_target(project, f"P9.{n}", lead_department=world.own_department)
        report = services.submit_report(target=target, value=n, as_of=DAY, author=official_own)
        if n % 2:
            services.return_report(report=report, reviewer=reviewer, reason="请补充")
    assert Target.objects.count() == 33
    assert count() == small
    assert small <= 17  # 15, the schedule facts (goals.tracking.schedule), and the second-factor check


def test_it_serves_english_under_en(world, official_own):
    response = as_user(official_own).get("/en/staff/")
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
