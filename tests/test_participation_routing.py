"""Residents' questions beyond the simple case (goals.participation): a target with no lead
department (unassigned: the reviewers' 督查室 queue, forwarding, the league and the
reminders), corrections of a published answer (history kept, 修改于, one email), a resident
withdrawing an answered question (the answer stays), the weekly admin digest's question
columns, draft and closed plans, and the per-client limit behind trusted proxies."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from goals.admin import audit_text
from goals.league.standings import question_tallies
from goals.models import AuditEntry, Follow, Plan, Question, Target
from goals.participation import follows, questions, tokens
from goals.reminders import services as reminders
from tests.builders import make_project, make_target
from tests.personas import as_user
from tests.test_participation_follow import follow, links, path_of, run_tasks
from tests.test_participation_questions import EMAIL, MONDAY, ask
from tests.test_reminders import (
    html_of,
    smtp,  # noqa: F401 (a fixture)
    text_of,
)

pytestmark = pytest.mark.django_db


def confirm_by_email(client, smtp) -> Question:  # noqa: F811
    run_tasks()
    url = path_of(next(u for u in links(smtp.messages[-1][1]) if "/questions/confirm/" in u))
    assert client.post(url).status_code == 200
    smtp.clear()
    return Question.objects.order_by("-id").first()


@pytest.fixture
def orphan(world):
    """P1.4: a target of the world's plan that no department leads (as most seeded targets)."""
    return make_target(world.own_target.group, "P1.4", value=5, name="无牵头目标", lead_department=None)


@pytest.fixture
def unassigned(world, orphan, today, client, smtp):  # noqa: F811
    today(MONDAY)
    assert ask(client, code="P1.4").status_code == 302
    run_tasks()
    url = path_of(next(u for u in links(smtp.messages[-1][1]) if "/questions/confirm/" in u))
    assert "已转给督查室" in client.post(url).content.decode()  # the resident is told who answers
    smtp.clear()
    return Question.objects.get()


@pytest.fixture
def answered(world, today, client, smtp, official_own):  # noqa: F811
    """A question to 甲单位, confirmed on Monday and answered on Wednesday."""
    today(MONDAY)
    assert ask(client).status_code == 302
    question = confirm_by_email(client, smtp)
    today(datetime.date(2023, 6, 7))
    questions.answer(question=question, user=official_own, text="按备案托位统计。")
    run_tasks()
    smtp.clear()
    question.refresh_from_db()
    return question


# --- unassigned: a target with no lead department ------------------------------------------


def test_an_unassigned_question_says_who_answers_it(world, orphan, client):
    page = client.get(reverse("question_ask", args=["P1.4"]) + "?year=2023").content.decode()
    assert "尚未分配牵头单位" in page and "督查室" in page and "5 个工作日" in page
    target_page = client.get(reverse("target", args=["P1.4"])).content.decode()
    assert "问询由督查室" in target_page


def test_it_reaches_the_reviewers_marked_unassigned(unassigned, reviewer, official_own, admin, client):
    assert unassigned.state == "open" and unassigned.department is None and unassigned.unassigned
    html = as_user(reviewer).get(reverse("staff_questions")).content.decode()
    assert "未分配牵头单位" in html and "公开答复" in html and "转交答复单位" in html
    assert "新增托位 200 个" in html  # the question's text
    assert "新增托位 200 个" not in as_user(official_own).get(reverse("staff_questions")).content.decode()
    public = client.get(reverse("target", args=["P1.4"])).content.decode()
    assert "未分配牵头单位,由督查室答复" in public


def test_a_reviewer_answers_it_in_public_as_the_office(unassigned, reviewer, client, smtp, today):  # noqa: F811
    today(datetime.date(2023, 6, 8))
    response = as_user(reviewer).post(
        reverse("staff_question_answer", args=[unassigned.pk]), {"answer": "已向统计部门核实。"}
    )
    assert response.status_code == 302
    unassigned.refresh_from_db()
    assert unassigned.state == "answered" and unassigned.answered_by == reviewer
    public = client.get(reverse("target", args=["P1.4"])).content.decode()
    assert "督查室 于 2023-06-08 答复" in public and "已向统计部门核实" in public
    run_tasks()
    ((_rcpt, message),) = smtp.messages
    assert "督查室 于 2023-06-08 答复如下" in text_of(message)


def test_a_reviewer_forwards_it_and_the_department_answers(
    unassigned, reviewer, official_own, official_other, world
):
    url = reverse("staff_question_forward", args=[unassigned.pk])
    own = world.own_department
    for who, data in ((official_own, {"department": own.pk}), (reviewer, {})):
        as_user(who).post(url, data)  # an official may not forward; a reviewer must pick a unit
        unassigned.refresh_from_db()
        assert unassigned.department is None
    for junk in ("1' OR 1=1", "9" * 30, "²", "-1", "99999"):
        assert as_user(reviewer).post(url, {"department": junk}).status_code == 302, junk
        unassigned.refresh_from_db()
        assert unassigned.department is None
    response = as_user(reviewer).post(url, {"department": own.pk})
    assert response.status_code == 302
    unassigned.refresh_from_db()
    assert unassigned.department == own and unassigned.due_on == datetime.date(2023, 6, 12)
    entry = AuditEntry.objects.filter(actor=reviewer, changes__question=unassigned.pk).get()
    assert "答复单位:未分配牵头单位 → 甲单位" in audit_text.lines(entry.changes)
    assert "新增托位 200 个" in as_user(official_own).get(reverse("staff_questions")).content.decode()
    assert (
        as_user(official_other)
        .post(reverse("staff_question_answer", args=[unassigned.pk]), {"answer": "x"})
        .status_code
        == 404
    )
    as_user(official_own).post(
        reverse("staff_question_answer", args=[unassigned.pk]), {"answer": "甲单位答复"}
    )
    unassigned.refresh_from_db()
    assert unassigned.state == "answered"


def test_the_league_and_the_reminders_count_unassigned_ones(unassigned, reviewer, client, today, world, smtp):  # noqa: F811
    tallies = question_tallies(world.plan, datetime.date(2023, 6, 20))
    assert (tallies[None].overdue, tallies[None].open, tallies[None].on_time) == (1, 1, 0)
    today(datetime.date(2023, 6, 20))
    html = client.get(reverse("league")).content.decode()
    assert "未分配牵头单位的目标收到的问询" in html and "逾期 1,待答复 1" in html
    reviewer.email = "reviewer@example.org"
    reviewer.save()
    summary = reminders.run(datetime.date(2023, 6, 13))
    assert [(o.user.username, o.kind) for o in summary.sent if o.kind == "questions"] == [
        ("reviewer", "questions")
    ]


# --- corrections of a published answer -----------------------------------------------------


def test_a_correction_keeps_the_history_shows_the_date_and_emails_once(
    answered,
    official_own,
    official_other,
    client,
    smtp,
    today,
    settings,  # noqa: F811
):
    url = reverse("staff_question_revise", args=[answered.pk])
    today(datetime.date(2023, 6, 9))
    # Refused, nothing changes: no note, no change, another department, over-long.
    for who, data in (
        (official_own, {"answer": "按备案托位统计(含普惠托位)。", "note": ""}),
        (official_own, {"answer": "按备案托位统计。", "note": "无"}),
        (official_own, {"answer": "长" * 2001, "note": "过长"}),
        (official_own, {"answer": "含\x07控制字符", "note": "控制"}),
    ):
        as_user(who).post(url, data)
    assert as_user(official_other).post(url, {"answer": "别的", "note": "x"}).status_code == 404
    answered.refresh_from_db()
    assert answered.answer == "按备案托位统计。" and answered.answer_revised_at is None
    response = as_user(official_own).post(url, {"answer": "按备案托位统计(含普惠托位)。", "note": "补充口径"})
    assert response.status_code == 302
    answered.refresh_from_db()
    assert answered.answer == "按备案托位统计(含普惠托位)。" and answered.answer_revised_on == datetime.date(
        2023, 6, 9
    )
    entry = AuditEntry.objects.filter(actor=official_own, changes__revision_note="补充口径").get()
    assert entry.changes["answer"] == ["按备案托位统计。", "按备案托位统计(含普惠托位)。"]
    assert "答复:按备案托位统计。 → 按备案托位统计(含普惠托位)。" in audit_text.lines(entry.changes)
    page = client.get(reverse("target", args=["P1.1"])).content.decode()
    assert "修改于 2023-06-09" in page and "含普惠托位" in page and "2023-06-07 答复" in page
    record = json.loads(client.get(reverse("data_questions_json", args=[2023])).content)["questions"][0]
    assert record["answer_revised_on"] == "2023-06-09" and record["answered_on"] == "2023-06-07"
    assert run_tasks() == ["sent"]
    ((rcpt, message),) = smtp.messages
    assert rcpt == [EMAIL] and "已修改" in message["Subject"] and "含普惠托位" in html_of(message)
    # A second correction: on the page and in the trail, no second email.
    today(datetime.date(2023, 6, 12))
    as_user(official_own).post(url, {"answer": "第三版答复。", "note": "再次更正"})
    answered.refresh_from_db()
    assert answered.answer == "第三版答复。" and run_tasks() == [] and len(smtp.messages) == 1
    assert AuditEntry.objects.filter(changes__has_key="revision_note").count() == 2
    assert "修改于 2023-06-12" in client.get(reverse("target", args=["P1.1"])).content.decode()


def test_no_correction_email_when_switched_off_or_the_email_is_gone(answered, official_own, settings, smtp):  # noqa: F811
    settings.QUESTION_EMAIL_ON_REVISION = False
    _question, email = questions.revise(question=answered, user=official_own, text="改一", note="n")
    assert email is False
    settings.QUESTION_EMAIL_ON_REVISION = True
    Question.objects.filter(pk=answered.pk).update(email="")
    answered.refresh_from_db()
    _question, email = questions.revise(question=answered, user=official_own, text="改二", note="n")
    assert email is False and run_tasks() == []


def test_only_a_published_answer_can_be_corrected(world, official_own, client, today, smtp):  # noqa: F811
    today(MONDAY)
    ask(client)
    question = confirm_by_email(client, smtp)
    with pytest.raises(questions.QuestionError):
        questions.revise(question=question, user=official_own, text="x", note="y")
    question.refresh_from_db()
    assert question.state == "open" and question.answer == ""


# --- the resident deletes: an answered question keeps its answer ---------------------------


def test_deleting_an_answered_question_keeps_the_answer_without_the_words(answered, client):
    url = reverse("question_delete", args=[tokens.make("question-delete", answered.pk)])
    assert "会保留在目标页面上" in client.get(url).content.decode()
    assert client.post(url).status_code == 200
    answered.refresh_from_db()
    assert (answered.text, answered.name, answered.email) == ("", "", "")
    assert answered.withdrawn_at is not None and answered.answer == "按备案托位统计。"
    page = client.get(reverse("target", args=["P1.1"])).content.decode()
    assert "提问人已删除问题原文" in page and "按备案托位统计" in page and "新增托位 200 个" not in page
    assert "张三" not in page
    record = json.loads(client.get(reverse("data_questions_json", args=[2023])).content)["questions"][0]
    assert record["question"] == "" and record["asked_by"] == "" and record["question_withdrawn"] is True
    assert AuditEntry.objects.filter(changes__withdrawn_by_resident=True).exists()
    assert client.get(url).status_code == 404  # the link has done its work


def test_deleting_everything_withdraws_answered_and_deletes_open_ones(answered, world, client, smtp, today):  # noqa: F811
    ask(client, code="P1.2")
    open_one = confirm_by_email(client, smtp)
    assert follow(client, code="P1.1", year=2023, email=EMAIL).status_code == 302
    counts = follows.delete_everything(EMAIL)
    assert counts == {"follows": 1, "questions": 2}
    assert not Question.objects.filter(pk=open_one.pk).exists()
    answered.refresh_from_db()
    assert answered.withdrawn_at is not None and answered.answer and answered.email == ""
    assert not Follow.objects.exists() and not Question.objects.exclude(email="").exists()


# --- draft and closed plans -----------------------------------------------------------------


@pytest.fixture
def draft(world):
    plan = Plan.objects.create(year=2025, title="2025 草稿", status=Plan.Status.DRAFT)
    make_target(make_project(plan, "P1"), "P1.1", value=1, name="草稿目标")
    return plan


def test_a_draft_plan_exposes_nothing_to_residents(draft, client):
    for url in (
        reverse("follow", args=["target", "P1.1"]) + "?year=2025",
        reverse("follow", args=["project", "P1"]) + "?year=2025",
        reverse("question_ask", args=["P1.1"]) + "?year=2025",
        reverse("target_feed", args=[2025, "P1.1"]),
        reverse("project_feed", args=[2025, "P1"]),
        reverse("data_questions_csv", args=[2025]),
        reverse("data_questions_json", args=[2025]),
    ):
        assert client.get(url).status_code == 404, url
    data = {"email": EMAIL, "frequency": "instant", "website": "", "text": "问", "name": ""}
    assert client.post(reverse("follow", args=["target", "P1.1"]) + "?year=2025", data).status_code == 404
    assert client.post(reverse("question_ask", args=["P1.1"]) + "?year=2025", data).status_code == 404
    # A question stored on a draft's target anyhow never reaches the open data of a public year.
    Question.objects.create(
        target=Target.objects.get(plan=draft), text="x", state="open", confirmed_at=timezone.now()
    )
    body = json.loads(client.get(reverse("data_questions_json", args=[2023])).content)
    assert body["questions"] == []
    assert not Follow.objects.exists()


def test_a_closed_plan_takes_questions_but_no_new_follows(world, client, smtp):  # noqa: F811
    Plan.objects.filter(pk=world.plan.pk).update(
        status=Plan.Status.CLOSED, closed_at=timezone.now(), closed_as_of=datetime.date(2024, 1, 31)
    )
    target_page = client.get(reverse("target", args=["P1.1"])).content.decode()
    assert "不再接受关注" in target_page and "仍可就其提出问询" in target_page
    assert reverse("follow", args=["target", "P1.1"]) not in target_page
    form = client.get(reverse("follow", args=["target", "P1.1"]) + "?year=2023")
    assert (
        form.status_code == 200
        and "已结项" in form.content.decode()
        and "csrfmiddlewaretoken" not in form.content.decode()
    )
    assert follow(client, code="P1.1", year=2023).status_code == 200
    assert not Follow.objects.exists()
    ask_page = client.get(reverse("question_ask", args=["P1.1"]) + "?year=2023").content.decode()
    assert "已结项" in ask_page and "仍可就这些数据提出问询" in ask_page
    assert ask(client).status_code == 302 and Question.objects.count() == 1


# --- the weekly admin digest ----------------------------------------------------------------


def test_the_weekly_digest_has_question_columns(unassigned, answered, admin, smtp, world):  # noqa: F811
    admin.email = "admin@example.org"
    admin.save()
    monday = datetime.date(2023, 6, 19)
    reminders.run(monday)
    message = next(
        m for rcpt, m in smtp.messages if rcpt == ["admin@example.org"] and "每周汇总" in m["Subject"]
    )
    text, html = text_of(message), html_of(message)
    assert "问询待答复 / 逾期 / 按时答复" in text
    assert "- 甲单位:" in text and "· 0 / 0 / 1/1" in text
    assert "未分配牵头单位(督查室):问询 1 / 1 / 0/1" in text
    assert '<th scope="col">问询逾期</th>' in html and "未分配牵头单位(督查室)" in html


# --- the per-client limit behind trusted proxies ---------------------------------------------


def test_the_client_limit_counts_the_address_the_proxies_report(world, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PARTICIPATION_LIMIT_PER_IP = 2
    settings.PARTICIPATION_LIMIT_PER_ADDRESS = 100

    def from_(client_ip: str, n: int, forged: str = ""):
        chain = f"{forged}, {client_ip}" if forged else client_ip
        data = {"text": "怎么统计的?", "email": f"r{n}@example.org", "name": "", "website": ""}
        url = reverse("question_ask", args=["P1.1"]) + "?year=2023"
        return client.post(url, data, HTTP_X_FORWARDED_FOR=chain, REMOTE_ADDR="10.0.0.1")

    assert from_("203.0.113.5", 1).status_code == 302
    assert from_("203.0.113.5", 2).status_code == 302
    # What the client writes itself (further left) does not give it a fresh count.
    assert from_("203.0.113.5", 3, forged="198.51.100.9").status_code == 429
    # Another resident behind the same proxy (same REMOTE_ADDR) is counted on their own.
    assert from_("203.0.113.77", 4).status_code == 302
    assert Question.objects.count() == 3


@pytest.mark.parametrize("name", ["revise", "forward"])
def test_the_new_staff_urls_per_persona(answered, persona, world, name):
    """Signed out → sign-in; GET → 405; another department → 404; nothing changes when refused."""
    who, user = persona
    url = reverse(f"staff_question_{name}", args=[answered.pk])
    data = {"answer": "新答复", "note": "说明", "department": world.other_department.pk}
    response = as_user(user).post(url, data)
    answered.refresh_from_db()
    if user is None:
        assert response.status_code == 302 and "/staff/login/" in response["Location"]
    elif who == "official_other":
        assert response.status_code == 404
    else:
        assert response.status_code == 302
    revised = answered.answer == "新答复"
    assert revised == (name == "revise" and who in ("official_own", "admin"))
    assert answered.department == world.own_department  # an answered question is never forwarded
    if user is not None:
        assert as_user(user).get(url).status_code == 405


def test_a_closed_years_overdue_questions_are_still_reminded_of(world, official_own, client, today, smtp):  # noqa: F811
    official_own.email = "own@example.org"
    official_own.save()
    Plan.objects.filter(pk=world.plan.pk).update(
        status=Plan.Status.CLOSED, closed_at=timezone.now(), closed_as_of=datetime.date(2024, 1, 31)
    )
    today(MONDAY)
    ask(client)
    confirm_by_email(client, smtp)
    summary = reminders.run(datetime.date(2023, 6, 13))
    assert [(o.user.username, o.kind) for o in summary.sent] == [("official-own", "questions")]
