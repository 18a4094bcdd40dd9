"""Reminder emails through a real SMTP server (aiosmtpd, started here on a loopback port):
recipients, subjects, absolute links, once per person per occasion, opt-outs, done targets,
the English version, the command, and the background worker (django-tasks-db)."""

from __future__ import annotations

import datetime
import email
import email.policy
import socket
from decimal import Decimal
from io import StringIO

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from goals.accounts.permissions import ADMIN, OFFICIAL, REVIEWER, ensure_roles
from goals.models import Department, ReminderPreference, ReminderSent, Report, Target
from goals.reminders import services as reminders
from goals.reporting import services
from tests.builders import make_user
from tests.personas import as_user

pytestmark = pytest.mark.django_db
SITE = "https://goals.example.gov.cn"
BEFORE = datetime.date(2024, 7, 2)  # June's reports are due on 5 July: 3 days ahead
AFTER = datetime.date(2024, 7, 8)  # a Monday, past that deadline: the weekly digest too


class Inbox:
    """Collects what the SMTP server receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=email.policy.default
        )
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for rcpt, m in self.messages if address in rcpt]

    def clear(self) -> None:
        self.messages.clear()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "use_tls": False, "timeout": 10},
        }
    }
    settings.SITE_URL = SITE
    settings.DIGEST_WEEKDAY = 0
    settings.REMINDER_DAYS_BEFORE = 3
    settings.REVIEW_REMINDER_AFTER_DAYS = 3
    try:
        yield inbox
    finally:
        controller.stop()


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


@pytest.fixture
def staff(seeded):
    return make_staff(seeded)


def make_staff(seeded) -> dict:
    """遥观镇 leads P4.1 and P1.3, 潞城街道 leads P9.3; one official each, a reviewer, an admin."""
    groups = ensure_roles()
    yaoguan, lucheng = Department.objects.get(name="遥观镇"), Department.objects.get(name="潞城街道")
    Target.objects.filter(plan=seeded, code__in=["P4.1", "P1.3"]).update(lead_department=yaoguan)
    Target.objects.filter(plan=seeded, code="P9.3").update(lead_department=lucheng)

    def user(name, role, department=None, **kw):
        u = make_user(name, email=f"{name}@example.org", first_name=name, **kw)
        u.groups.add(groups[role] if role in groups else Group.objects.get(name=role))
        if department:
            department.members.add(u)
        return u

    people = {
        "a": user("official-a", OFFICIAL, yaoguan),
        "b": user("official-b", OFFICIAL, lucheng),
        "reviewer": user("reviewer", REVIEWER),
        "admin": user("admin", ADMIN, is_staff=True),
    }
    make_user("no-email", first_name="无邮箱").groups.add(groups[OFFICIAL])
    return people


def approve(plan, code: str, value, as_of: datetime.date, author, reviewer, on: datetime.date) -> Report:
    target = Target.objects.get(plan=plan, code=code)
    report = services.submit_report(target=target, value=Decimal(value), as_of=as_of, author=author)
    moment = datetime.datetime.combine(on, datetime.time(10), tzinfo=datetime.UTC)
    Report.objects.filter(pk=report.pk).update(created_at=moment)
    return services.approve_report(report=report, reviewer=reviewer)


def test_it_reminds_officials_before_the_deadline_once(smtp, staff, seeded):
    # P1.3 is done already: nothing is owed for it.
    approve(
        seeded,
        "P1.3",
        200,
        datetime.date(2024, 6, 20),
        staff["a"],
        staff["reviewer"],
        datetime.date(2024, 6, 20),
    )
    summary = reminders.run(BEFORE)
    assert {(o.user.username, o.kind) for o in summary.sent} == {
        ("official-a", "before"),
        ("official-b", "before"),
    }
    [message] = smtp.to("official-a@example.org")
    assert message["Subject"] == "【报送提醒】1 项目标须于 2024-07-05 前报送进度"
    body = text_of(message)
    assert "P4.1" in body and "P1.3" not in body and "2024-06 期" in body
    assert f"{SITE}/staff/" in body and f'href="{SITE}/staff/"' in html_of(message)
    assert f"{SITE}/staff/reminders/" in body
    assert len(smtp.messages) == 2
    smtp.clear()
    again = reminders.run(BEFORE)
    assert again.sent == [] and len(again.already) == 2
    assert smtp.messages == []
    assert ReminderSent.objects.filter(kind="before", occasion="2024-07-05").count() == 2


def test_after_the_deadline_only_those_still_missing_are_reminded(smtp, staff, seeded):
    approve(
        seeded,
        "P9.3",
        2,
        datetime.date(2024, 6, 30),
        staff["b"],
        staff["reviewer"],
        datetime.date(2024, 7, 1),
    )
    reminders.run(AFTER)
    [late] = [m for m in smtp.to("official-a@example.org") if "逾期" in m["Subject"]]
    assert late["Subject"] == "【逾期提醒】2 项目标 2024-07-05 截止的进度尚未报送"
    assert "P4.1" in text_of(late) and "P1.3" in text_of(late)
    assert [m for m in smtp.to("official-b@example.org") if "逾期" in m["Subject"]] == []


def test_nothing_goes_to_those_who_opted_out_unless_deadline_reminders_are_mandatory(smtp, staff, seeded):
    ReminderPreference.objects.create(user=staff["b"], opt_out=True)
    reminders.run(BEFORE)
    assert smtp.to("official-b@example.org") == []
    assert smtp.to("official-a@example.org") != []
    seeded.deadline_reminders_mandatory = True
    seeded.save()
    reminders.run(AFTER)
    assert [m["Subject"][:6] for m in smtp.to("official-b@example.org")] == ["【逾期提醒】"]


def test_reviewers_hear_about_reports_waiting_too_long_and_admins_get_a_weekly_digest(smtp, staff, seeded):
    target = Target.objects.get(plan=seeded, code="P4.1")
    report = services.submit_report(
        target=target, value=Decimal(5000), as_of=datetime.date(2024, 6, 30), author=staff["a"]
    )
    Report.objects.filter(pk=report.pk).update(
        created_at=datetime.datetime(2024, 7, 3, 10, tzinfo=datetime.UTC)
    )
    reminders.run(datetime.date(2024, 7, 6))  # waited 3 days: not yet
    assert smtp.to("reviewer@example.org") == []
    reminders.run(datetime.date(2024, 7, 7))
    [review] = smtp.to("reviewer@example.org")
    assert review["Subject"] == "【审核提醒】1 份报告等待审核已超过 3 天"
    assert "P4.1" in text_of(review) and f"{SITE}/staff/review/" in text_of(review)
    # Admins review too (they hear about waiting reports), but a Sunday brings no digest.
    assert [m for m in smtp.to("admin@example.org") if "每周汇总" in m["Subject"]] == []
    reminders.run(AFTER)
    [digest] = [m for m in smtp.to("admin@example.org") if "每周汇总" in m["Subject"]]
    assert digest["Subject"] == "【每周汇总】2024 年工作目标亮灯情况(2024-W28)"
    body = text_of(digest)
    assert "遥观镇" in body and "潞城街道" in body and "红灯" in body and f"{SITE}/staff/league/" in body
    assert "<table>" in html_of(digest)
    smtp.clear()
    reminders.run(AFTER)
    assert smtp.messages == []  # one digest per week, one review reminder per day


def test_english_for_users_who_chose_it(smtp, staff, seeded):
    ReminderPreference.objects.create(user=staff["a"], language="en")
    reminders.run(BEFORE)
    [message] = smtp.to("official-a@example.org")
    assert message["Subject"].startswith("[Reporting reminder]")
    assert f"{SITE}/en/staff/" in text_of(message)


def test_the_command_dry_runs_and_sends_and_the_admin_lists_what_was_sent(smtp, staff, seeded, client):
    out = StringIO()
    call_command("send_reminders", "--as-of", "2024-07-02", "--dry-run", stdout=out)
    assert "将发送 2 封" in out.getvalue() and smtp.messages == [] and not ReminderSent.objects.exists()
    out = StringIO()
    call_command("send_reminders", "--as-of", "2024-07-02", stdout=out)
    assert "已发送 2 封" in out.getvalue() and len(smtp.messages) == 2
    admin = make_user("superuser", is_staff=True, is_superuser=True)
    html = as_user(admin).get(reverse("admin:goals_remindersent_changelist")).content.decode()
    assert "official-a" in html and "2024-07-05" in html


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_enqueued_job(smtp, seeded_live):
    # A real transaction: the worker closes connections between jobs, as in production.
    make_staff(seeded_live)
    out = StringIO()
    call_command("send_reminders", "--enqueue", "--as-of", "2024-07-02", stdout=out)
    assert "已加入后台任务队列" in out.getvalue() and smtp.messages == []
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())
    assert len(smtp.messages) == 2


def test_the_staff_can_opt_out_in_the_staff_pages(staff):
    client = as_user(staff["a"])
    response = client.get(reverse("reminder_preferences"))
    assert response.status_code == 200 and "official-a@example.org" in response.content.decode()
    response = client.post(reverse("reminder_preferences"), {"opt_out": "on", "language": "en"})
    assert response.status_code == 302
    preference = ReminderPreference.objects.get(user=staff["a"])
    assert preference.opt_out and preference.language == "en"
    assert as_user(None).get(reverse("reminder_preferences")).status_code == 302


def test_demo_accounts_get_addresses_and_their_reminders_show_on_the_console(seeded, settings, capsys):
    settings.DEBUG = True
    settings.SITE_URL = ""
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    call_command("create_demo_accounts", stdout=StringIO())
    call_command("send_reminders", "--as-of", "2024-07-02", stdout=StringIO())
    printed = capsys.readouterr().out
    assert "To: demo-official-a@example.org" in printed and "To: demo-official-b@example.org" in printed
    assert reminders.site_origin() == "http://127.0.0.1:8000"  # the documented fallback under DEBUG
    settings.DEBUG, settings.ALLOWED_HOSTS = False, ["goals.example.org"]
    assert reminders.site_origin() == "https://goals.example.org"


@pytest.mark.parametrize("command", ["send_reminders", "send_follow_updates"])
def test_the_daily_commands_refuse_a_bad_day_and_a_dry_run_they_would_enqueue(command, db):
    from django.core.management.base import CommandError
    from django_tasks_db.models import DBTaskResult

    with pytest.raises(CommandError, match="2024-13-01.*YYYY-MM-DD"):
        call_command(command, "--as-of", "2024-13-01", stdout=StringIO())
    with pytest.raises(CommandError, match="--enqueue 不能与 --dry-run"):
        call_command(command, "--enqueue", "--dry-run", stdout=StringIO())
    assert not DBTaskResult.objects.exists()
    out = StringIO()
    call_command(command, "--enqueue", "--as-of", "2024-07-02", stdout=out)
    row = DBTaskResult.objects.get()
    assert str(row.id) in out.getvalue() and row.args_kwargs["kwargs"] == {"as_of": "2024-07-02"}
