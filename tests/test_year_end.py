"""The edge of the year: in January 2025 the 2024 plan is still open (December is due on 5
January) while 2025 is published. Staff choose the year, officials report December, reminders
cover both years, and carried targets say where they came from and what is left."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from goals.accounts.permissions import ADMIN, OFFICIAL, REVIEWER, ensure_roles
from goals.models import Department, Plan, Report, Target
from goals.planning import carryover, states
from goals.reporting import services
from tests.builders import approved, report_form_data
from tests.personas import as_user, staff_user

JAN_2 = datetime.date(2025, 1, 2)


@pytest.fixture
def people(seeded):
    ensure_roles()
    yaoguan = Department.objects.get(name="遥观镇")
    Target.objects.filter(plan=seeded, code__in=["P1.3", "P4.1"]).update(lead_department=yaoguan)
    return {
        "official": staff_user("official", OFFICIAL, yaoguan, email="official@example.org"),
        "reviewer": staff_user("reviewer", REVIEWER, email="reviewer@example.org"),
        "admin": staff_user("admin", ADMIN, is_staff=True),
    }


@pytest.fixture
def both_years(seeded, people):
    """2025 carried over from 2024 (P4.1: 1.05 万 of 1.1 万 reached) and published."""
    approved(Target.objects.get(plan=seeded, code="P4.1"), 10500, datetime.date(2024, 11, 30))
    plan = carryover.copy_structure(seeded, 2025)
    carryover.carry(seeded, plan)
    Plan.objects.filter(pk=plan.pk).update(
        title="2025 年工作计划",
        theme="2025 主题",
        adopted_on=datetime.date(2024, 12, 30),
        source="2025 年报道",
    )
    Target.objects.filter(plan=plan).update(proposed_value=None)
    states.publish_plan(Plan.objects.get(pk=plan.pk), actor=people["admin"])
    return seeded, Plan.objects.get(pk=plan.pk)


# --- staff choose the year ------------------------------------------------------------------


def test_the_staff_year_switcher_offers_both_open_years(both_years, people, today):
    today(JAN_2)
    html = as_user(people["official"]).get(reverse("workspace")).content.decode()
    # December's reports of 2024 are still due: the old year is the default.
    assert '<a href="?year=2024" aria-current="page">' in html and '<a href="?year=2025">' in html
    assert "2024 年计划中" in html
    html = as_user(people["official"]).get(reverse("workspace") + "?year=2025").content.decode()
    assert "2025 年计划中" in html and '<a href="?year=2025" aria-current="page">' in html
    for name in ("review_queue", "staff_league", "staff_briefing", "workbook"):
        user = people["reviewer"] if name == "review_queue" else people["official"]
        page = as_user(user).get(reverse(name)).content.decode()
        assert '<a href="?year=2025"' in page and '<a href="?year=2024"' in page, name


def test_once_the_old_year_is_past_its_grace_the_new_one_is_the_default(both_years, people, today):
    today(datetime.date(2025, 2, 10))
    html = as_user(people["official"]).get(reverse("workspace")).content.decode()
    assert '<a href="?year=2025" aria-current="page">' in html and "2025 年计划中" in html
    # …but 2024 can still be reported on until it is closed.
    assert (
        "2024 年计划中"
        in as_user(people["official"]).get(reverse("workspace") + "?year=2024").content.decode()
    )


def test_an_official_reports_december_on_2_january_after_2025_was_published(both_years, people, today):
    old, new = both_years
    today(JAN_2)
    target = Target.objects.get(plan=old, code="P1.3")
    client = as_user(people["official"])
    page = client.get(reverse("workspace")).content.decode()
    assert reverse("report_target", args=["P1.3"]) + "?year=2024" in page  # the form posts to 2024
    response = client.post(
        reverse("report_target", args=["P1.3"]) + "?year=2024",
        report_form_data(target, "180", as_of="2024-12-31", note="12 月累计"),
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("workspace") + "?year=2024")
    report = Report.objects.get(author=people["official"])
    assert report.target == target and report.as_of == datetime.date(2024, 12, 31)
    assert not Report.objects.filter(target__plan=new).exists()


def test_the_report_command_picks_the_plan_of_the_as_of_day(both_years, people):
    old, new = both_years
    out = io.StringIO()
    call_command("report", "P1.3", "180", "--as-of", "2024-12-31", "--by", "official", stdout=out)
    assert Report.objects.get(author=people["official"]).target.plan == old
    call_command("report", "P1.3", "20", "--as-of", "2025-01-31", "--by", "official", stdout=out)
    assert Report.objects.filter(target__plan=new, author=people["official"]).count() == 1


# --- reminders --------------------------------------------------------------------------


def test_reminders_cover_the_old_year_in_january(both_years, people, settings):
    settings.REMINDER_DAYS_BEFORE = 3
    out = io.StringIO()
    call_command("send_reminders", "--dry-run", "--as-of", "2025-01-03", stdout=out)
    text = out.getvalue()
    assert "before 2025-01-05 → official" in text and "P1.3" in text
    # After the year's last deadline: one overdue reminder for December, until the year is closed.
    out = io.StringIO()
    call_command("send_reminders", "--as-of", "2025-01-08", stdout=out)
    assert "after 2025-01-05 → official" in out.getvalue()
    out = io.StringIO()
    call_command("send_reminders", "--as-of", "2025-01-09", stdout=out)
    assert "after 2025-01-05" not in out.getvalue()  # once
    states.close_plan(both_years[0], actor=people["reviewer"], as_of=datetime.date(2025, 1, 25))
    out = io.StringIO()
    call_command("send_reminders", "--dry-run", "--as-of", "2025-01-26", stdout=out)
    assert "2025-01-05" not in out.getvalue()  # a closed year is not reminded of


# --- carried targets ------------------------------------------------------------------------


def test_a_carried_target_knows_where_it_came_from_and_proposes_what_is_left(seeded, people, client):
    approved(Target.objects.get(plan=seeded, code="P4.1"), 10500, datetime.date(2024, 12, 20))
    approved(Target.objects.get(plan=seeded, code="P7.2"), 3100, datetime.date(2024, 12, 20))
    out = io.StringIO()
    call_command("carry_targets", "2024", "2025", "--copy-structure", stdout=out)
    assert "草稿" in out.getvalue() and "P4.1:原目标 1.1,建议 0.05" in out.getvalue()
    new = Plan.objects.get(year=2025)
    carried = Target.objects.get(plan=new, code="P4.1")
    assert carried.predecessor.plan.year == 2024 and carried.proposed_value == Decimal("0.05")
    assert carried.target_value == Decimal("1.1")  # the admin accepts or changes it
    assert Target.objects.get(plan=new, code="P1.3").proposed_value is None  # nothing reported: all left
    assert not Target.objects.filter(plan=new, code="P7.2").exists()  # done: not carried

    admin = as_user(people["admin"])
    admin.post(
        reverse("admin:goals_target_changelist"),
        {"action": "accept_proposed", "_selected_action": [carried.pk]},
    )
    carried.refresh_from_db()
    assert (carried.target_value, carried.proposed_value) == (Decimal("0.05"), None)

    Plan.objects.filter(pk=new.pk).update(status=Plan.Status.PUBLISHED)
    rows = {t["code"]: t for t in client.get("/data/2025/targets.json").json()["targets"]}
    assert rows["P4.1"]["carried_from"] == "2024/P4.1"
    assert "carried_from" in client.get("/data/2025/targets.csv").content.decode()
    html = client.get("/2025/targets/P4.1/").content.decode()
    assert "续办" in html and 'href="/2024/targets/P4.1/"' in html


def test_done_targets_are_carried_only_when_asked(seeded):
    approved(Target.objects.get(plan=seeded, code="P7.2"), 3100, datetime.date(2024, 12, 20))
    call_command("carry_targets", "2024", "2025", "--copy-structure", "--include-done", stdout=io.StringIO())
    carried = Target.objects.get(plan__year=2025, code="P7.2")
    assert carried.predecessor.code == "P7.2" and carried.proposed_value is None


def test_reports_of_the_old_year_can_be_reviewed_while_the_new_one_runs(both_years, people):
    old, _new = both_years
    report = services.submit_report(
        target=Target.objects.get(plan=old, code="P1.3"),
        value=Decimal(180),
        as_of=datetime.date(2024, 12, 31),
        author=people["official"],
    )
    html = as_user(people["reviewer"]).get(reverse("review_queue")).content.decode()
    assert f'id="report-{report.pk}"' in html
    only_2025 = as_user(people["reviewer"]).get(reverse("review_queue") + "?year=2025").content.decode()
    assert f'id="report-{report.pk}"' not in only_2025


def test_a_form_of_a_closed_year_is_refused_not_sent_to_the_new_years_target(both_years, people, today):
    old, new = both_years
    states.close_plan(old, actor=people["reviewer"], as_of=datetime.date(2025, 1, 25))
    today(datetime.date(2025, 2, 1))
    client = as_user(people["official"])
    for year, target in ((2024, Target.objects.get(plan=old, code="P1.3")), (2024, None)):
        data = report_form_data(
            target or Target.objects.get(plan=new, code="P1.3"), "180", as_of="2025-01-31"
        )
        response = client.post(reverse("report_target", args=["P1.3"]) + f"?year={year}", data)
        assert response.status_code == 403 and "已结项" in response.content.decode()
    upload = client.post(reverse("workbook_upload") + "?year=2024", {})
    assert upload.status_code == 403
    assert client.post(reverse("report_target", args=["P1.3"]) + "?year=2031", {}).status_code == 404
    assert not Report.objects.filter(author=people["official"]).exists()


@pytest.mark.parametrize("raw", ["abc", "0", "2023", "9" * 30, "２０２４", "2024%00", " 2025 "])
def test_odd_years_in_the_url_fall_back_to_the_default_and_never_fail(both_years, people, today, raw):
    today(JAN_2)
    for name, user in (("workspace", "official"), ("review_queue", "reviewer"), ("staff_league", "official")):
        response = as_user(people[user]).get(reverse(name), {"year": raw})
        assert response.status_code == 200, (name, raw)
    response = as_user(people["official"]).post(reverse("report_target", args=["P1.3"]) + f"?year={raw}", {})
    assert response.status_code in (400, 404, 422), raw  # 400: the request guard refuses control characters
