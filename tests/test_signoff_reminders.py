"""Reminders in the sign-off chain: a department head holding a report to confirm more than
SIGNOFF_REMINDER_DAYS working days hears of it by email (a real SMTP server) and in the
department's DingTalk group (the fake robot of test_channels.py, checking the signature);
reviewers count their waiting days from the head's confirmation; residents who follow a
target hear of nothing before the reviewer's approval."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from goals.accounts.permissions import HEAD, OFFICIAL, REVIEWER, ensure_roles
from goals.channels import deliveries
from goals.models import Channel, Delivery, Department, Report, Target
from goals.participation import updates
from goals.reminders import services as reminders
from goals.reporting import services
from tests.builders import make_user
from tests.test_channels import SECRET, robot  # noqa: F401 (the fake robot fixture)
from tests.test_participation_follow import JULY as FOLLOW_DAY
from tests.test_participation_follow import confirmed_follow, site  # noqa: F401 (the site fixture)
from tests.test_reminders import SITE, html_of, make_staff, smtp, text_of  # noqa: F401 (the smtp fixture)

SUBMITTED_ON = datetime.datetime(2024, 7, 1, 10, tzinfo=datetime.UTC)  # a Monday
WEDNESDAY, THURSDAY = datetime.date(2024, 7, 3), datetime.date(2024, 7, 4)


@pytest.fixture
def chain(seeded, settings):
    settings.SIGNOFF_REMINDER_DAYS = 2
    seeded.requires_head_confirmation = True
    seeded.save(update_fields=["requires_head_confirmation"])
    people = make_staff(seeded)
    groups = ensure_roles()
    yaoguan = Department.objects.get(name="遥观镇")
    for name in ("head-a", "head-b"):
        head = make_user(name, email=f"{name}@example.org", first_name=name)
        head.groups.add(groups[HEAD])
        yaoguan.members.add(head)
        people[name] = head
    people["head-b"].groups.add(groups[OFFICIAL])
    return people


def submit(plan, code: str, author, when=SUBMITTED_ON) -> Report:
    report = services.submit_report(
        target=Target.objects.get(plan=plan, code=code),
        value=Decimal(5000),
        as_of=datetime.date(2024, 6, 30),
        author=author,
    )
    Report.objects.filter(pk=report.pk).update(created_at=when)
    report.refresh_from_db()
    return report


def test_a_head_holding_a_report_too_long_is_reminded_once_a_day(smtp, chain, seeded):  # noqa: F811
    submit(seeded, "P4.1", chain["a"])
    own = submit(seeded, "P1.3", chain["head-b"])  # head-b wrote it: only head-a may confirm
    reminders.run(WEDNESDAY)  # two working days: not yet
    assert smtp.to("head-a@example.org") == [] and smtp.to("head-b@example.org") == []
    reminders.run(THURSDAY)
    [message] = smtp.to("head-a@example.org")
    assert message["Subject"] == "【确认提醒】2 份报告等待部门负责人确认已超过 2 个工作日"
    body = text_of(message)
    assert "P4.1" in body and "P1.3" in body and f"{SITE}/staff/confirm/" in body
    assert "P4.1" in html_of(message)
    [message] = smtp.to("head-b@example.org")
    assert "P4.1" in text_of(message) and "P1.3" not in text_of(message)
    assert smtp.to("reviewer@example.org") == []  # nothing waits for review yet
    smtp.clear()
    reminders.run(THURSDAY)
    assert smtp.to("head-a@example.org") == []
    assert Report.objects.get(pk=own.pk).state == Report.State.CONFIRMING


def test_a_confirmed_report_waits_for_the_reviewers_from_its_confirmation(smtp, chain, seeded):  # noqa: F811
    report = submit(seeded, "P4.1", chain["a"])
    head = chain["head-a"]
    head.groups.add(ensure_roles()[REVIEWER])  # also a reviewer
    services.confirm_report(report=report, head=head)
    Report.objects.filter(pk=report.pk).update(head_at=datetime.datetime(2024, 7, 4, 10, tzinfo=datetime.UTC))
    reminders.run(datetime.date(2024, 7, 7))  # three days after the confirmation: not yet
    assert smtp.to("reviewer@example.org") == []
    reminders.run(datetime.date(2024, 7, 8))
    [review] = smtp.to("reviewer@example.org")
    assert review["Subject"] == "【审核提醒】1 份报告等待审核已超过 3 天"
    # The head who confirmed it may not approve it: they are not asked to.
    assert [m for m in smtp.to("head-a@example.org") if "审核提醒" in m["Subject"]] == []
    assert [m for m in smtp.to("head-a@example.org") if "确认提醒" in m["Subject"]] == []


def test_the_departments_dingtalk_group_gets_a_signed_reminder(chain, seeded, robot):  # noqa: F811
    submit(seeded, "P4.1", chain["a"])
    yaoguan = Department.objects.get(name="遥观镇")
    channel = Channel.objects.create(
        department=yaoguan, kind="dingtalk", url=robot.url + "/dingtalk?access_token=t", secret=SECRET
    )
    Channel.objects.create(
        department=Department.objects.get(name="潞城街道"), kind="wecom", url=robot.url + "/x"
    )
    assert [m for m in reminders.channel_messages(WEDNESDAY) if m.kind == "confirm"] == []
    found = [m for m in reminders.channel_messages(THURSDAY) if m.kind == "confirm"]
    assert [(m.channel, m.occasion) for m in found] == [(channel, "2024-07-04")]
    assert reminders.send_to_channels(THURSDAY) >= 1
    assert reminders.send_to_channels(THURSDAY) == 0  # once per channel and day
    delivery = Delivery.objects.get(kind="confirm")
    assert deliveries.attempt(delivery) is True
    (got,) = [r for r in robot.received if "确认提醒" in r["json"]["markdown"]["title"]]
    assert got["path"] == "/dingtalk" and got["signature_ok"] and got["fresh"]
    assert got["json"]["markdown"]["title"] == "【确认提醒】1 份报告等待部门负责人确认已超过 2 个工作日"
    text = got["json"]["markdown"]["text"]
    assert "**遥观镇**" in text and "**P4.1**" in text and "已等待 3 天" in text and "/staff/confirm/" in text


def test_a_report_confirmed_in_time_reminds_nobody(smtp, chain, seeded):  # noqa: F811
    report = submit(seeded, "P4.1", chain["a"])
    services.confirm_report(report=report, head=chain["head-a"])
    reminders.run(THURSDAY)
    assert [m for _to, m in smtp.messages if "确认提醒" in m["Subject"]] == []
    assert [m for m in reminders.channel_messages(THURSDAY) if m.kind == "confirm"] == []


def test_a_follower_hears_nothing_until_the_reviewer_approves(client, site, smtp):  # noqa: F811
    """Residents' follow emails read approved figures only: a report confirmed by the head
    and waiting for review is in none of them."""
    plan = site["plan"]
    plan.requires_head_confirmation = True
    plan.save(update_fields=["requires_head_confirmation"])
    confirmed_follow(client, smtp)
    groups = ensure_roles()
    official, head, reviewer = (make_user(name) for name in ("official-f", "head-f", "reviewer-f"))
    official.groups.add(groups[OFFICIAL])
    head.groups.add(groups[HEAD])
    reviewer.groups.add(groups[REVIEWER])
    site["unit"].members.add(official, head)
    report = services.submit_report(
        target=Target.objects.get(plan=plan, code="P4.1"),
        value=Decimal(10450),
        as_of=datetime.date(2024, 6, 30),
        author=official,
    )
    services.confirm_report(report=report, head=head)
    assert updates.run(FOLLOW_DAY).sent == [] and smtp.messages == []
    services.approve_report(report=report, reviewer=reviewer)
    assert len(updates.run(FOLLOW_DAY).sent) == 1
    assert "1.045万名" in text_of(smtp.messages[0][1])


@pytest.mark.parametrize("step", ["head", "reviewer"])
def test_an_official_holding_a_returned_report_is_reminded_until_they_correct_it(smtp, chain, seeded, step):  # noqa: F811
    # Whoever holds a report too long hears of it: after a return, the official who must correct it.
    report = submit(seeded, "P4.1", chain["a"])
    if step == "head":
        services.return_by_head(report=report, head=chain["head-a"], reason="附件与数值不符")
        Report.objects.filter(pk=report.pk).update(head_at=SUBMITTED_ON)
    else:
        services.confirm_report(report=report, head=chain["head-a"])
        services.return_report(report=report, reviewer=chain["reviewer"], reason="附件与数值不符")
        Report.objects.filter(pk=report.pk).update(head_at=SUBMITTED_ON, reviewed_at=SUBMITTED_ON)
    reminders.run(WEDNESDAY)  # returned on Monday: two working days, not yet
    assert returned_reminders(smtp) == []
    reminders.run(THURSDAY)
    [message] = returned_reminders(smtp)
    assert message["Subject"] == "【退回提醒】1 份被退回的报告已超过 2 个工作日未修改重报"
    body = text_of(message)
    assert "P4.1" in body and "附件与数值不符" in body and f"{SITE}/staff/" in body
    assert "附件与数值不符" in html_of(message)
    assert [m for _rcpt, m in smtp.messages if "退回提醒" in m["Subject"]] == [message]  # to nobody else
    smtp.clear()
    reminders.run(THURSDAY)  # once a day
    assert returned_reminders(smtp) == []
    # Corrected (a new report of the target): the returned one is held by nobody any more.
    submit(seeded, "P4.1", chain["a"], when=datetime.datetime(2024, 7, 4, 12, tzinfo=datetime.UTC))
    reminders.run(datetime.date(2024, 7, 8))
    assert returned_reminders(smtp) == []


def returned_reminders(smtp) -> list:  # noqa: F811
    return [m for m in smtp.to("official-a@example.org") if m["Subject"].startswith("【退回提醒】")]
