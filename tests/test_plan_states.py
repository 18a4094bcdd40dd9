"""A plan's year: a draft only staff see, publishing it, closing the year (its final evaluation
stored and read by every public page), and corrections after closing."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Q
from django.urls import reverse

from goals.accounts.permissions import ADMIN, OFFICIAL, REVIEWER, ensure_roles
from goals.models import AuditEntry, Department, FinalRecord, Plan, Report, Target
from goals.planning import states
from goals.reporting import services
from goals.tracking.evaluation import evaluate_plan
from tests.builders import approved, report_form_data
from tests.personas import as_user, staff_user

CLOSING_DAY = datetime.date(2025, 1, 25)  # last deadline 5 January + 15 days' grace: from the 21st


@pytest.fixture
def people(seeded):
    ensure_roles()
    yaoguan = Department.objects.get(name="遥观镇")
    Target.objects.filter(plan=seeded, code__in=["P1.3", "P4.1"]).update(lead_department=yaoguan)
    return {
        "official": staff_user("official", OFFICIAL, yaoguan),
        "reviewer": staff_user("reviewer", REVIEWER),
        "admin": staff_user("admin", ADMIN, is_staff=True),
    }


@pytest.fixture
def draft(seeded, people):
    """2025 carried over from 2024: a draft (P4.1 half done: 1.05 万 of 1.1 万)."""
    approved(Target.objects.get(plan=seeded, code="P4.1"), 10500, datetime.date(2024, 12, 20))
    call_command("carry_targets", "2024", "2025", "--copy-structure", stdout=io.StringIO())
    return Plan.objects.get(year=2025)


def make_own(plan: Plan) -> None:
    """What an admin fills in before publishing: the year's own title, theme, date, source."""
    Plan.objects.filter(pk=plan.pk).update(
        title="2025 年工作计划",
        theme="2025 主题",
        adopted_on=datetime.date(2024, 12, 30),
        source="2025 年报道",
    )
    Target.objects.filter(plan=plan).update(proposed_value=None)


# --- a draft ------------------------------------------------------------------------------


def test_a_draft_is_invisible_to_the_public(draft, client, settings):
    settings.PUBLIC_YEAR_REDIRECT = True
    assert draft.status == Plan.Status.DRAFT
    home = client.get("/")
    assert home.status_code == 200
    html = home.content.decode()
    assert 'href="/2024/targets/"' in html and "/2025/" not in html  # no year switcher entry either
    assert "/2025/" not in client.get("/2024/").content.decode()
    assert client.get("/2025/").status_code == 404
    assert client.get("/2025/targets/P1.3/").status_code == 404
    assert client.get("/data/2025/targets.json").status_code == 404
    assert client.get("/data/2025/targets.csv").status_code == 404
    assert client.get("/targets/P1.3/")["Location"] == "/2024/targets/P1.3/"
    assert client.get("/en/league/")["Location"] == "/en/2024/league/"


def test_staff_who_prepare_it_see_the_draft_with_a_banner_and_officials_do_not(draft, people, today):
    today(datetime.date(2025, 1, 2))
    html = as_user(people["admin"]).get(reverse("workspace") + "?year=2025").content.decode()
    assert "草稿" in html and "只有工作人员能看到" in html
    assert '<a href="?year=2025" aria-current="page">' in html and '<a href="?year=2024">' in html
    official = as_user(people["official"]).get(reverse("workspace") + "?year=2025").content.decode()
    assert "只有工作人员能看到" not in official and '<a href="?year=2025"' not in official
    assert "2024 年计划中" in official  # the draft year is not offered: the open one is shown


def test_a_draft_takes_no_reports(draft, people):
    target = Target.objects.get(plan=draft, code="P1.3")
    with pytest.raises(services.WorkflowError, match="尚未发布"):
        services.submit_report(
            target=target, value=Decimal(1), as_of=datetime.date(2025, 1, 31), author=people["official"]
        )
    assert not Report.objects.filter(target=target).exists()


# --- publishing ---------------------------------------------------------------------------


def test_publishing_is_refused_while_the_plan_is_still_last_years(draft, people, client):
    with pytest.raises(CommandError) as refused:
        call_command("publish_plan", "2025", "--by", "admin", stdout=io.StringIO())
    message = str(refused.value)
    assert "标题" in message and "与 2024 年计划相同" in message
    assert "主题活动" in message and "通过日期" in message and "来源" in message
    assert "P4.1" in message  # the proposed remainder is not settled yet
    draft.refresh_from_db()
    assert draft.status == Plan.Status.DRAFT and not AuditEntry.objects.filter(action="publish").exists()

    Plan.objects.filter(pk=draft.pk).update(title="2025 年工作计划", theme="新主题", source="新报道")
    with pytest.raises(CommandError, match="通过日期"):
        call_command("publish_plan", "2025", stdout=io.StringIO())

    make_own(draft)
    out = io.StringIO()
    call_command("publish_plan", "2025", "--by", "admin", stdout=out)
    assert "已发布" in out.getvalue()
    draft.refresh_from_db()
    assert draft.status == Plan.Status.PUBLISHED and draft.published_at is not None
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PUBLISH)
    assert entry.actor == people["admin"] and entry.changes["plan"] == 2025
    assert client.get("/2025/").status_code == 200
    assert client.get("/data/2025/targets.json").json()["plan"]["status"] == "published"


def test_an_official_may_not_publish_and_a_published_plan_is_not_published_again(draft, people):
    make_own(draft)
    with pytest.raises(CommandError, match="没有发布工作计划的权限"):
        call_command("publish_plan", "2025", "--by", "official", stdout=io.StringIO())
    with pytest.raises(CommandError, match="不是草稿"):
        call_command("publish_plan", "2024", stdout=io.StringIO())


def test_the_admin_action_publishes_and_says_why_it_refuses(draft, people):
    client = as_user(people["admin"])
    url = reverse("admin:goals_plan_changelist")
    response = client.post(url, {"action": "publish_selected", "_selected_action": [draft.pk]}, follow=True)
    assert "与 2024 年计划相同" in response.content.decode()
    assert Plan.objects.get(pk=draft.pk).status == Plan.Status.DRAFT
    make_own(draft)
    client.post(url, {"action": "publish_selected", "_selected_action": [draft.pk]})
    assert Plan.objects.get(pk=draft.pk).status == Plan.Status.PUBLISHED
    assert AuditEntry.objects.get(action="publish").actor == people["admin"]


# --- closing ------------------------------------------------------------------------------


def test_closing_waits_for_the_grace_period_and_for_every_pending_report(seeded, people):
    pending = services.submit_report(
        target=Target.objects.get(plan=seeded, code="P1.3"),
        value=Decimal(150),
        as_of=datetime.date(2024, 12, 31),
        author=people["official"],
    )
    with pytest.raises(CommandError, match="2025-01-21 起才能结项"):
        call_command("close_plan", "2024", "--as-of", "2025-01-10", stdout=io.StringIO())
    with pytest.raises(CommandError) as refused:
        call_command("close_plan", "2024", "--as-of", "2025-01-25", "--by", "reviewer", stdout=io.StringIO())
    assert "还有 1 份 2024 年的报告等待审核(P1.3)" in str(refused.value)
    assert not FinalRecord.objects.exists() and Plan.objects.get(pk=seeded.pk).status == "published"

    services.approve_report(report=pending, reviewer=people["reviewer"])
    out = io.StringIO()
    call_command("close_plan", "2024", "--as-of", "2025-01-25", "--by", "reviewer", stdout=out)
    plan = Plan.objects.get(pk=seeded.pk)
    assert plan.status == Plan.Status.CLOSED and plan.closed_as_of == CLOSING_DAY
    assert plan.closed_by == people["reviewer"]
    assert FinalRecord.objects.filter(plan=plan).count() == Target.objects.filter(plan=plan).count()
    record = FinalRecord.objects.get(target__code="P1.3", plan=plan)
    assert (record.value, record.status, record.percent) == (Decimal(150), "missed", Decimal(75))
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CLOSE)
    assert entry.actor == people["reviewer"] and entry.changes["as_of"] == "2025-01-25"
    with pytest.raises(CommandError, match="只有已发布的计划才能结项"):
        call_command("close_plan", "2024", "--as-of", "2025-01-26", stdout=io.StringIO())


def test_an_official_may_not_close_a_year(seeded, people):
    with pytest.raises(CommandError, match="没有为工作计划结项的权限"):
        call_command("close_plan", "2024", "--as-of", "2025-01-25", "--by", "official", stdout=io.StringIO())


def test_a_closed_years_pages_read_the_stored_record(seeded, people, client, settings, today):
    target = Target.objects.get(plan=seeded, code="P1.3")
    approved(target, 150, datetime.date(2024, 6, 30))
    states.close_plan(seeded, actor=people["reviewer"], as_of=CLOSING_DAY)
    today(datetime.date(2026, 3, 1))
    before = client.get("/targets/P1.3/").content.decode()
    assert "未完成" in before and "75%" in before and "2025-01-25 存档的最终评估" in before
    # After closing the rules change, and the target is edited: the closed year does not move.
    settings.LIGHT_RED_POINTS, settings.LIGHT_YELLOW_POINTS, settings.PACE_TOLERANCE_POINTS = 90, 80, 50
    Target.objects.filter(pk=target.pk).update(target_value=150)
    seeded.refresh_from_db()
    live = evaluate_plan(seeded, datetime.date(2024, 12, 31)).targets[target.pk]  # a day before closing
    assert live.status == "done"  # what the changed target would now say
    stored = evaluate_plan(seeded, datetime.date(2026, 3, 1)).targets[target.pk]
    assert (stored.status, stored.percent, stored.light) == ("missed", Decimal(75), "red")
    # From the very day it was closed as of: that day's evaluation is the one stored.
    on_the_day = evaluate_plan(seeded, CLOSING_DAY).targets[target.pk]
    assert (on_the_day.status, on_the_day.final.evaluated_on) == ("missed", CLOSING_DAY)
    after = client.get("/targets/P1.3/").content.decode()
    assert "未完成" in after and "75%" in after and "红灯" in after and "已完成" not in after
    row = next(t for t in client.get("/data/2024/targets.json").json()["targets"] if t["code"] == "P1.3")
    assert (row["status"], row["percent"], row["light"]) == ("missed", 75, "red")
    assert (
        client.get("/targets/P1.3/?as_of=2024-12-31").content.decode().count("已完成")
    )  # live before closing
    for url in ("/", "/projects/P1/", "/league/", "/departments/"):
        assert "2024 年计划已结项,以下为 2025-01-25 存档的最终评估" in client.get(url).content.decode(), url
    assert "存档的最终评估" not in client.get("/?as_of=2024-06-30").content.decode()  # a day of the year
    assert client.get("/data/2024/targets.json").json()["plan"] == {
        "year": 2024,
        "title": seeded.title,
        "status": "closed",
        "closed_as_of": "2025-01-25",
    }


def test_a_page_of_part_of_a_closed_year_reads_the_stored_record_of_each_target_it_shows(seeded, people):
    """A page that leaves some of the year's targets out (more than a page's few, so every
    record is read) still shows each of its own targets' stored records."""
    plan = states.close_plan(seeded, actor=people["reviewer"], as_of=CLOSING_DAY)
    first = Target.objects.filter(plan=seeded).order_by("order", "code").first()
    part = evaluate_plan(plan, datetime.date(2026, 3, 1), targets=~Q(pk=first.pk))
    assert len(part.targets) > 100 and first.pk not in part.targets
    assert all(tp.final is not None for tp in part.targets.values())


def test_a_closed_year_takes_no_reports(seeded, people, today):
    states.close_plan(seeded, actor=people["reviewer"], as_of=CLOSING_DAY)
    target = Target.objects.get(plan=seeded, code="P1.3")
    with pytest.raises(services.WorkflowError, match="已结项"):
        services.submit_report(
            target=target, value=Decimal(1), as_of=datetime.date(2024, 12, 31), author=people["official"]
        )
    today(datetime.date(2025, 2, 1))
    response = as_user(people["official"]).post(
        reverse("report_target", args=["P1.3"]) + "?year=2024",
        report_form_data(target, "180", as_of="2024-12-31"),
    )
    assert response.status_code == 403 and "已结项,不再接受报告" in response.content.decode()
    assert not Report.objects.filter(target=target).exists()


def test_a_correction_after_closing_needs_an_admin_and_a_reason_and_shows_publicly(
    seeded, people, client, today
):
    target = Target.objects.get(plan=seeded, code="P1.3")
    approved(target, 150, datetime.date(2024, 12, 31))
    states.close_plan(seeded, actor=people["reviewer"], as_of=CLOSING_DAY)
    with pytest.raises(states.StateError, match="只能由管理员"):
        states.correct_final(target, actor=people["reviewer"], value=Decimal(200), reason="漏报")
    with pytest.raises(states.StateError, match="理由"):
        states.correct_final(target, actor=people["admin"], value=Decimal(200), reason="  ")
    admin = as_user(people["admin"])
    record = FinalRecord.objects.get(target=target)
    url = reverse("admin:goals_finalrecord_correct", args=[record.pk])
    assert admin.post(url, {"value": "-3", "reason": "x"}).status_code == 200  # the form says why
    assert "数值过大" in admin.post(url, {"value": "1e400", "reason": "x"}).content.decode()
    assert FinalRecord.objects.get(pk=record.pk).corrected_on is None
    today(datetime.date(2025, 3, 3))
    response = admin.post(url, {"value": "200", "reason": "12 月数据漏报,经核实补正"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.value, record.status, record.corrected_on) == (
        Decimal(200),
        "done",
        datetime.date(2025, 3, 3),
    )
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CORRECT)
    assert entry.actor == people["admin"] and entry.changes["value"] == ["150", "200"]
    html = client.get("/targets/P1.3/").content.decode()
    assert "结项后更正" in html and "2025-03-03" in html and "12 月数据漏报" in html and "已完成" in html


def test_reviewers_close_a_year_from_the_staff_pages_after_confirming(seeded, people, today):
    today(datetime.date(2025, 1, 10))
    reviewer = as_user(people["reviewer"])
    assert "年度结项" not in reviewer.get(reverse("review_queue")).content.decode()  # not yet
    page = reviewer.get(reverse("close_plan", args=[2024])).content.decode()
    assert "2025-01-21 起才能结项" in page and 'name="confirm"' not in page
    today(CLOSING_DAY)
    reviewer = as_user(people["reviewer"])  # (the session of 10 January has expired)
    assert "结项 2024 年计划…" in reviewer.get(reverse("review_queue")).content.decode()
    assert 'name="confirm"' in reviewer.get(reverse("close_plan", args=[2024])).content.decode()
    refused = reviewer.post(reverse("close_plan", args=[2024]), {})
    assert refused.status_code == 409 and Plan.objects.get(pk=seeded.pk).status == "published"
    official = as_user(people["official"])
    assert official.post(reverse("close_plan", args=[2024]), {"confirm": "yes"}).status_code == 403
    response = reviewer.post(reverse("close_plan", args=[2024]), {"confirm": "yes"})
    assert response.status_code == 302
    plan = Plan.objects.get(pk=seeded.pk)
    assert (
        plan.status == "closed" and plan.closed_as_of == CLOSING_DAY and plan.closed_by == people["reviewer"]
    )


def test_closing_from_the_staff_pages_checks_the_csrf_token(seeded, people, today):
    from django.test import Client

    today(CLOSING_DAY)
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["reviewer"])
    assert client.post(reverse("close_plan", args=[2024]), {"confirm": "yes"}).status_code == 403
    assert Plan.objects.get(pk=seeded.pk).status == "published"


def test_plan_states_are_kept_by_the_database(seeded):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.filter(pk=seeded.pk).update(status="closed")  # closed without a date
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.filter(pk=seeded.pk).update(status="archived")


def test_carrying_over_builds_a_draft_with_its_own_fields_blank(draft):
    assert draft.status == Plan.Status.DRAFT
    assert (draft.theme, draft.source, draft.adopted_on) == ("", "", None)
    assert states.publication_problems(draft)
