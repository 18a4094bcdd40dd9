"""The department league table (督查通报): public and staff, sortable, as of any day."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from goals.models import Department, Report, Target
from goals.reporting import services
from tests.builders import make_user
from tests.personas import *  # noqa: F403
from tests.personas import as_user

pytestmark = pytest.mark.django_db


def submitted_on(report: Report, day: datetime.date) -> Report:
    moment = datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC)
    Report.objects.filter(pk=report.pk).update(created_at=moment)
    return report


@pytest.fixture
def league_world(seeded):
    """Two departments leading two targets each; reports for June 2024, one late."""
    fast, slow = Department.objects.get(name="遥观镇"), Department.objects.get(name="潞城街道")
    Target.objects.filter(plan=seeded, code__in=["P4.1", "P7.1"]).update(lead_department=fast)
    Target.objects.filter(plan=seeded, code__in=["P1.3", "P9.3"]).update(lead_department=slow)
    author, reviewer = make_user("author"), make_user("reviewer")

    def publish(code, value, as_of, on):
        target = Target.objects.get(plan=seeded, code=code)
        report = services.submit_report(target=target, value=Decimal(value), as_of=as_of, author=author)
        submitted_on(report, on)
        return services.approve_report(report=report, reviewer=reviewer)

    june = datetime.date(2024, 6, 30)
    publish("P4.1", 5500, june, datetime.date(2024, 7, 3))  # on time, on pace
    publish("P7.1", 500, june, datetime.date(2024, 7, 4))  # on time, 17 % of 3000: red
    publish("P1.3", 100, june, datetime.date(2024, 7, 20))  # late
    return fast, slow


def row(html: str, department) -> str:
    return re.search(rf'<tr id="league-{department.pk}">(.*?)</tr>', html, re.S).group(1)


def cells(html: str, department) -> list[str]:
    return [
        re.sub(r"<[^>]+>", " ", c).split()[0]
        for c in re.findall(r"<td[^>]*>(.*?)</td>", row(html, department), re.S)
    ]


def test_it_lists_lights_on_time_rate_and_overdue_per_department(client, league_world):
    fast, slow = league_world
    html = client.get(reverse("league"), {"as_of": "2024-07-31"}).content.decode()
    assert "2024-06 期(截止 2024-07-05)" in html
    # total, red, yellow, green, grey, percent, on-time rate, overdue
    fast_cells = cells(html, fast)
    assert fast_cells[0] == "2" and fast_cells[1] == "1" and fast_cells[3] == "1"
    assert fast_cells[6] == "100.0%"
    slow_cells = cells(html, slow)
    assert slow_cells[0] == "2" and slow_cells[6] == "0.0%"  # one late, one never reported
    assert "0/2 按时,1 逾期,1 未报" in row(html, slow)
    assert slow_cells[7] == "1"  # P9.3 owes June, past its deadline


def test_it_sorts_by_each_column(client, league_world):
    fast, slow = league_world
    url = reverse("league")

    def order(sort: str) -> list[str]:
        html = client.get(url, {"sort": sort, "as_of": "2024-07-31"}).content.decode()
        return [int(pk) for pk in re.findall(r'<tr id="league-(\d+)">', html)]

    assert order("on_time") == [slow.pk, fast.pk]
    assert order("overdue") == [slow.pk, fast.pk]
    assert order("red")[0] in (fast.pk, slow.pk)
    assert client.get(url, {"sort": "nonsense"}).status_code == 200


def test_as_of_an_earlier_day_the_late_report_had_not_come_in(client, league_world):
    fast, slow = league_world
    html = client.get(reverse("league"), {"as_of": "2024-07-10"}).content.decode()
    assert "0/2 按时,0 逾期,2 未报" in row(html, slow)


def test_a_finished_year_reads_plainly(client, league_world):
    fast, slow = league_world
    html = client.get(reverse("league")).content.decode()  # today: long after 2024
    assert "2024-12 期(截止 2025-01-05)" in html
    # December was never reported: 逾期未报 says what 未报 says, also once the year is over.
    assert "0/2 按时,0 逾期,2 未报" in row(html, slow)
    assert cells(html, slow)[7] == "2"
    assert "灰灯" in html and cells(html, fast)[4] == "0"


def test_the_staff_league_counts_pending_reports_and_needs_a_role(world, official_own, reviewer):
    assert as_user(official_own).get(reverse("staff_league")).status_code == 200
    assert as_user(reviewer).get(reverse("staff_league")).status_code == 200
    assert as_user(make_user("nobody")).get(reverse("staff_league")).status_code == 403
    assert as_user(None).get(reverse("staff_league")).status_code == 302


def test_a_held_ceiling_confirmed_on_time_counts_as_reported(client, league_world, seeded):
    fast, slow = league_world
    ceiling = Target.objects.get(plan=seeded, code="A6.1")
    Target.objects.filter(pk=ceiling.pk).update(lead_department=fast)
    author, reviewer = make_user("ceiling-author"), make_user("ceiling-reviewer")
    report = services.submit_report(
        target=ceiling, value=Decimal(0), as_of=datetime.date(2024, 6, 30), author=author
    )
    submitted_on(report, datetime.date(2024, 7, 2))
    services.approve_report(report=report, reviewer=reviewer)
    html = client.get(reverse("league"), {"as_of": "2024-07-31"}).content.decode()
    assert "3/3 按时,0 逾期,0 未报" in row(html, fast)
    assert cells(html, fast)[6] == "100.0%" and cells(html, fast)[7] == "0"
    # Not confirmed for July by 5 August: it owes a report like any target.
    html = client.get(reverse("league"), {"as_of": "2024-08-06"}).content.decode()
    assert "0 逾期,3 未报" in row(html, fast) and cells(html, fast)[7] == "3"
