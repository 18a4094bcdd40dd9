"""Residents question a figure (数据问询): the never-cached form, masking, refusals with nothing
stored, email confirmation (real SMTP), the staff list per persona, answering in public,
hiding with a recorded reason, deleting from the email link, purging emails, the open data,
the league columns and the reminders to officials."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from goals.models import AuditEntry, Question
from goals.participation import questions, tokens
from goals.participation.text import add_working_days, has_link, mask
from goals.reminders import services as reminders
from tests.personas import as_user
from tests.test_participation_follow import links, path_of, run_tasks
from tests.test_reminders import (
    html_of,
    smtp,  # noqa: F401 (a fixture)
    text_of,
)

pytestmark = pytest.mark.django_db
MONDAY = datetime.date(2023, 6, 5)
EMAIL = "asker@example.org"


def ask(client, code="P1.1", year=2023, **extra):
    data = {"text": "新增托位 200 个是怎么统计的?", "email": EMAIL, "name": "张三", "website": "", **extra}
    return client.post(f"{reverse('question_ask', args=[code])}?year={year}", data)


@pytest.fixture
def asked(world, today, client, smtp):
    """A question to 甲单位 (own_target's lead), confirmed on Monday 5 June 2023."""
    today(MONDAY)
    response = ask(client, text="托位数是否含 13812345678 张三的 32010219800101123X 家?")
    assert response.status_code == 302
    run_tasks()
    url = path_of(next(u for u in links(smtp.messages[-1][1]) if "/questions/confirm/" in u))
    assert client.post(url).status_code == 200
    smtp.clear()
    return Question.objects.get()


def test_masking_links_and_working_days():
    assert mask("电话 138-1234-5678,身份证 11010519491231002X") == "电话 138****5678,身份证 " + "*" * 18
    assert mask("13912345678") == "139****5678" and mask("订单 213912345678") == "订单 213912345678"
    assert mask("12345678901") == "12345678901"  # not a mobile number
    for text in ("见 http://x.cn", "www.baidu", "看 example.com", "HTTPS://A"):
        assert has_link(text), text
    assert not has_link("新增托位 200 个,达 4.5 个/千人")
    assert add_working_days(datetime.date(2023, 6, 5), 5) == datetime.date(2023, 6, 12)  # Mon → Mon
    assert add_working_days(datetime.date(2023, 6, 9), 1) == datetime.date(2023, 6, 12)  # Fri → Mon


def test_the_form_is_never_cached(client, world):
    response = client.get(reverse("question_ask", args=["P1.1"]) + "?year=2023")
    assert response.status_code == 200 and "no-cache" in response["Cache-Control"]
    assert "csrfmiddlewaretoken" in response.content.decode()
    assert client.get(reverse("question_ask", args=["P9.9"]) + "?year=2023").status_code == 404


def test_it_is_masked_stored_pending_and_confirmed_by_email(asked, world):
    assert "13812345678" not in asked.text and "138****5678" in asked.text
    assert "32010219800101123X" not in asked.text
    assert asked.state == "open" and asked.department == world.own_department
    assert asked.due_on == datetime.date(2023, 6, 12)
    assert AuditEntry.objects.filter(target=world.own_target, changes__question=asked.pk).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"text": "详见 http://example.cn/x"}, "text"),
        ({"text": "请看 www.example"}, "text"),
        ({"text": "去 shop.com 看"}, "text"),
        ({"text": "控制\x07字符"}, "text"),
        ({"text": "长" * 501}, "text"),
        ({"text": ""}, "text"),
        ({"name": "名" * 41}, "name"),
        ({"name": "x.com"}, "name"),
        ({"email": "bad"}, "email"),
        ({"website": "spam"}, "__all__"),
    ],
    ids=[
        "http",
        "www",
        "dotcom",
        "control",
        "too-long",
        "empty",
        "long-name",
        "link-name",
        "email",
        "honeypot",
    ],
)
def test_bad_input_is_refused_beside_the_field_and_nothing_is_stored(client, world, data, field):
    response = ask(client, **data)
    assert response.status_code == 422
    assert response.context["form"].errors.get(field)
    assert not Question.objects.exists() and not DBTaskResult.objects.exists()


def test_a_nul_is_refused_before_the_form(client, world):
    assert ask(client, text="a\x00b").status_code == 400
    assert not Question.objects.exists()


def test_rate_limit(client, world, settings):
    settings.PARTICIPATION_LIMIT_PER_ADDRESS = 1
    assert ask(client).status_code == 302
    assert ask(client).status_code == 429
    assert Question.objects.count() == 1


def test_the_staff_list_follows_the_personas(asked, persona):
    name, user = persona
    response = as_user(user).get(reverse("staff_questions"))
    if user is None:
        assert response.status_code == 302
        return
    html = response.content.decode()
    if name == "official_other":
        assert response.status_code == 200 and "138****5678" not in html
        return
    assert response.status_code == 200 and "138****5678" in html and EMAIL not in html
    assert ("公开答复" in html) == (name in ("official_own", "admin"))
    assert ("隐藏理由" in html) == (name in ("reviewer", "admin"))


def test_the_department_answers_in_public_and_the_resident_is_emailed(
    asked, official_own, client, smtp, today
):
    today(datetime.date(2023, 6, 8))
    response = as_user(official_own).post(
        reverse("staff_question_answer", args=[asked.pk]), {"answer": "按备案托位统计,联系 13900001111。"}
    )
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.state == "answered" and "139****1111" in asked.answer and asked.on_time
    assert AuditEntry.objects.filter(actor=official_own, changes__question=asked.pk).exists()
    html = client.get(reverse("target", args=["P1.1"])).content.decode()
    assert "按备案托位统计" in html and "2023-06-05" in html and "2023-06-08" in html and EMAIL not in html
    earlier = client.get(reverse("target", args=["P1.1"]) + "?as_of=2023-06-07").content.decode()
    assert "按备案托位统计" not in earlier and "待答复,答复期限 2023-06-12" in earlier
    assert run_tasks() == ["sent"]
    ((rcpt, message),) = smtp.messages
    assert rcpt == [EMAIL] and "已答复" in message["Subject"] and "按备案托位统计" in html_of(message)
    assert "/questions/delete/" in text_of(message)
    # Twice: refused, nothing changes.
    as_user(official_own).post(reverse("staff_question_answer", args=[asked.pk]), {"answer": "再答"})
    asked.refresh_from_db()
    assert asked.answer.startswith("按备案")


def test_another_department_cannot_answer(asked, official_other):
    response = as_user(official_other).post(
        reverse("staff_question_answer", args=[asked.pk]), {"answer": "x"}
    )
    assert response.status_code == 404
    asked.refresh_from_db()
    assert asked.state == "open"


def test_a_reviewer_hides_with_a_recorded_reason(asked, reviewer, official_own, client):
    assert "托位数是否含" in client.get(reverse("target", args=["P1.1"])).content.decode()
    url = reverse("staff_question_hide", args=[asked.pk])
    as_user(reviewer).post(url, {"reason": ""})
    asked.refresh_from_db()
    assert asked.state == "open"
    as_user(official_own).post(url, {"reason": "广告"})
    asked.refresh_from_db()
    assert asked.state == "open"
    as_user(reviewer).post(url, {"reason": "含个人信息"})
    asked.refresh_from_db()
    assert asked.state == "hidden" and asked.hidden_reason == "含个人信息"
    assert AuditEntry.objects.filter(actor=reviewer, changes__hidden_reason="含个人信息").exists()
    assert "托位数是否含" not in client.get(reverse("target", args=["P1.1"])).content.decode()


def test_the_resident_deletes_it_from_the_email_link(asked, client):
    url = reverse("question_delete", args=[tokens.make("question-delete", asked.pk)])
    assert client.get(url).status_code == 200 and Question.objects.exists()
    assert client.post(url).status_code == 200 and not Question.objects.exists()
    assert AuditEntry.objects.filter(changes__deleted_by_resident=True).exists()


def test_emails_are_purged_after_the_answer(asked, official_own):
    questions.answer(question=asked, user=official_own, text="已答复")
    day = timezone.localdate()
    assert questions.purge(day + datetime.timedelta(days=10))["emails_cleared"] == 0
    assert questions.purge(day + datetime.timedelta(days=40))["emails_cleared"] == 1
    asked.refresh_from_db()
    assert asked.email == "" and asked.answer == "已答复"


def test_open_data_without_emails(asked, official_own, client):
    questions.answer(question=asked, user=official_own, text="答复内容")
    csv = client.get(reverse("data_questions_csv", args=[2023])).content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("question_id,plan_year,target_code")
    assert "答复内容" in csv and "张三" in csv and EMAIL not in csv and "@" not in csv
    body = json.loads(client.get(reverse("data_questions_json", args=[2023])).content)
    (record,) = body["questions"]
    assert (
        record["answer"] == "答复内容"
        and record["answered_on_time"] is True
        and record["due_on"] == "2023-06-12"
    )


def test_the_league_counts_answers_on_time_and_overdue(asked, official_own, client, today, world):
    today(datetime.date(2023, 6, 20))
    html = client.get(reverse("league")).content.decode()
    assert "问询逾期" in html
    from goals.league.standings import question_tallies

    tally = question_tallies(world.plan, datetime.date(2023, 6, 20))[world.own_department.pk]
    assert (tally.on_time, tally.overdue) == (0, 1)
    assert question_tallies(world.plan, datetime.date(2023, 6, 9))[world.own_department.pk].due == 0
    questions.answer(question=asked, user=official_own, text="迟到的答复")
    tally = question_tallies(world.plan, datetime.date(2023, 6, 20))[world.own_department.pk]
    assert (tally.on_time, tally.overdue) == (0, 1)  # answered late: still overdue


def test_officials_are_reminded_of_overdue_questions(asked, official_own, official_other, smtp, settings):
    official_own.email = "own@example.org"
    official_own.save()
    official_other.email = "other@example.org"
    official_other.save()
    summary = reminders.run(datetime.date(2023, 6, 13))
    sent = [(o.user.username, o.kind) for o in summary.sent if o.kind == "questions"]
    assert sent == [("official-own", "questions")]
    message = next(m for rcpt, m in smtp.messages if "own@example.org" in rcpt and "问询" in m["Subject"])
    assert "/staff/questions/" in text_of(message)


def test_the_audit_trail_says_it_in_words(asked, reviewer):
    from goals.admin import audit_text

    questions.hide(question=asked, user=reviewer, reason="含个人信息")
    entry = AuditEntry.objects.filter(actor=reviewer).get()
    assert sorted(audit_text.lines(entry.changes)) == sorted(  # jsonb keeps no key order
        [f"数据问询:{asked.pk}", "状态:待答复 → 已隐藏", "隐藏理由:含个人信息"]
    )


def test_admins_read_questions_in_the_admin_without_the_email(asked, admin):
    client = as_user(admin)
    html = client.get(reverse("admin:goals_question_change", args=[asked.pk])).content.decode()
    assert "138****5678" in html and EMAIL not in html
    assert client.get(reverse("admin:goals_question_changelist")).status_code == 200
    assert client.get(reverse("admin:goals_question_add")).status_code == 403
