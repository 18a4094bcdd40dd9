"""Residents follow an item by email (goals.participation): the never-cached form, double
opt-in, updates through a real SMTP server (aiosmtpd) when an approved figure, status or light
changes, at most one a day per item, the weekly digest, one-click unsubscribe, the list of
what one follows, deleting everything, and the command. Abuse: honeypot, rate limits, bad input."""

from __future__ import annotations

import datetime
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from goals.models import Department, Follow, FollowSent, Target
from goals.participation import follows, tokens, updates
from tests.test_reminders import (
    SITE,
    html_of,
    smtp,  # noqa: F401 (a fixture)
    text_of,
)

pytestmark = pytest.mark.django_db
JULY = datetime.date(2024, 7, 10)  # a Wednesday
EMAIL = "resident@example.org"


def run_tasks() -> list:
    """Run what the views enqueued, as `manage.py db_worker` would, and return the results."""
    results = []
    for row in DBTaskResult.objects.order_by("enqueued_at"):
        results.append(row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"]))
        row.delete()
    return results


def links(message) -> list[str]:
    return re.findall(rf"{re.escape(SITE)}[^\s<>\"]+", text_of(message))


def path_of(url: str) -> str:
    return url.removeprefix(SITE)


def follow(client, kind="target", code="P4.1", email=EMAIL, year=2024, prefix="", **extra):
    data = {"email": email, "frequency": "instant", "website": "", "year": str(year), **extra}
    return client.post(f"{prefix}{reverse('follow', args=[kind, code])}?year={year}", data)


def confirmed_follow(client, smtp, **kw) -> Follow:
    assert follow(client, **kw).status_code == 302
    run_tasks()
    confirm_url = next(u for u in links(smtp.messages[-1][1]) if "/follow/confirm/" in u)
    assert client.post(path_of(confirm_url)).status_code == 200
    smtp.clear()
    return Follow.objects.get(email=kw.get("email", EMAIL))


@pytest.fixture
def site(seeded, today, publish):
    today(JULY)
    unit = Department.objects.get(name="遥观镇")
    Target.objects.filter(plan=seeded, code__in=["P4.1", "P4.2"]).update(lead_department=unit)
    publish("P4.1", 5000, datetime.date(2024, 5, 31))
    return {"plan": seeded, "unit": unit, "publish": publish}


def test_the_follow_page_is_never_cached_and_carries_the_form(client, site):
    response = client.get(reverse("follow", args=["target", "P4.1"]) + "?year=2024")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] and "csrfmiddlewaretoken" in response.content.decode()
    assert "P4.1" in response.content.decode()
    assert client.get(reverse("follow", args=["target", "NOPE"]) + "?year=2024").status_code == 404
    assert client.get(reverse("follow", args=["pillar", "S1"]) + "?year=2024").status_code == 404
    assert client.get(reverse("follow", args=["target", "P4.1"]) + "?year=1999").status_code == 404


def test_the_public_pages_link_to_it_without_a_token(client, site):
    for url, kind, code in [
        (reverse("target", args=["P4.1"]), "target", "P4.1"),
        (reverse("project", args=["P4"]), "project", "P4"),
        (reverse("action", args=["A1"]), "action", "A1"),
        (reverse("department", args=[site["unit"].pk]), "department", str(site["unit"].pk)),
    ]:
        html = client.get(url).content.decode()
        assert f"{reverse('follow', args=[kind, code])}?year=2024" in html, url
        assert "csrfmiddlewaretoken" not in html


def test_nothing_is_sent_but_the_confirmation_until_confirmed(client, site, smtp):
    response = follow(client)
    assert response.status_code == 302 and response["Location"] == reverse("participation_sent")
    found = Follow.objects.get()
    assert found.confirmed_at is None and found.language == "zh-hans"
    assert smtp.messages == []  # sent by the worker, never in the request
    assert run_tasks() == ["sent"]
    ((rcpt, message),) = smtp.messages
    assert rcpt == [EMAIL] and "请确认关注" in message["Subject"]
    # A new approved figure: the pending follow hears nothing.
    site["publish"]("P4.1", 6000, datetime.date(2024, 6, 30))
    smtp.clear()
    assert updates.run(JULY).sent == [] and smtp.messages == []


def test_the_confirmation_link_asks_before_it_confirms(client, site, smtp):
    follow(client)
    run_tasks()
    url = path_of(next(u for u in links(smtp.messages[0][1]) if "/follow/confirm/" in u))
    page = client.get(url)
    assert (
        page.status_code == 200 and Follow.objects.get().confirmed_at is None
    )  # a link scanner confirms nothing
    assert client.post(url).status_code == 200
    found = Follow.objects.get()
    assert found.confirmed_at is not None and found.snapshot["P4.1"][0] == "0.5万名"
    assert client.get("/follow/confirm/forged:token/").status_code == 400


def test_an_approval_sends_exactly_one_email_with_one_click_unsubscribe(client, site, smtp):
    found = confirmed_follow(client, smtp)
    assert updates.run(JULY).sent == []  # nothing changed since confirming
    site["publish"]("P4.1", 10450, datetime.date(2024, 6, 30))
    summary = updates.run(JULY)
    assert len(summary.sent) == 1
    ((rcpt, message),) = smtp.messages
    assert rcpt == [EMAIL] and "P4.1" in message["Subject"]
    assert "1.045万名" in text_of(message) and "此前 0.5万名" in text_of(message)
    assert "1.045万名" in html_of(message)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith(SITE + "/follow/unsubscribe/")
    # Once a day per item, however often the job runs.
    site["publish"]("P4.1", 10500, datetime.date(2024, 7, 5))
    assert updates.run(JULY).sent == [] and len(smtp.messages) == 1
    assert FollowSent.objects.filter(email=EMAIL, day=JULY).count() == 1
    # One click (RFC 8058: a POST without any cookie or CSRF token).
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(path_of(unsubscribe), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and not Follow.objects.filter(pk=found.pk).exists()


def test_the_unsubscribe_link_in_the_body_works(client, site, smtp):
    confirmed_follow(client, smtp)
    site["publish"]("P4.1", 10450, datetime.date(2024, 6, 30))
    updates.run(JULY)
    url = path_of(next(u for u in links(smtp.messages[0][1]) if "/follow/unsubscribe/" in u))
    assert client.get(url).status_code == 200 and Follow.objects.exists()
    assert "已退订" in client.post(url).content.decode()
    assert not Follow.objects.exists()


def test_a_follower_in_english_gets_english(client, site, smtp):
    confirmed_follow(client, smtp, prefix="/en")
    assert Follow.objects.get().language == "en"
    site["publish"]("P4.1", 10450, datetime.date(2024, 6, 30))
    updates.run(JULY)
    ((_rcpt, message),) = smtp.messages
    assert "Update" in message["Subject"] and "/en/2024/targets/P4.1/" in text_of(message)


def test_a_project_and_a_department_follow_hear_of_their_targets(client, site, smtp):
    confirmed_follow(client, smtp, kind="project", code="P4")
    confirmed_follow(client, smtp, kind="department", code=str(site["unit"].pk), email="b@example.org")
    site["publish"]("P4.2", 3, datetime.date(2024, 6, 30))
    updates.run(JULY)
    assert {tuple(rcpt) for rcpt, _m in smtp.messages} == {(EMAIL,), ("b@example.org",)}
    for _rcpt, message in smtp.messages:
        assert "P4.2" in text_of(message)


def test_the_weekly_digest_waits_for_the_digest_day(client, site, smtp, settings):
    settings.DIGEST_WEEKDAY = 0
    confirmed_follow(client, smtp, frequency="weekly")
    assert Follow.objects.get().frequency == "weekly"
    site["publish"]("P4.1", 10450, datetime.date(2024, 6, 30))
    assert updates.run(JULY).sent == []  # a Wednesday
    monday = datetime.date(2024, 7, 15)
    assert len(updates.run(monday).sent) == 1
    assert "每周" in smtp.messages[0][1]["Subject"]


def test_the_manage_page_lists_and_deletes_everything(client, site, smtp):
    confirmed_follow(client, smtp)
    manage = reverse("follow_manage", args=[tokens.make("manage", EMAIL)])
    html = client.get(manage).content.decode()
    assert "P4.1" in html and EMAIL not in html
    response = client.post(reverse("follow_delete_all", args=[tokens.make("manage", EMAIL)]))
    assert response.status_code == 200 and not Follow.objects.exists()
    assert client.get(reverse("follow_manage", args=["bad"])).status_code == 400


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "a\x07b@example.org"}, "email"),
        ({"email": "x" * 250 + "@example.org"}, "email"),
        ({"frequency": "hourly"}, "frequency"),
        ({"website": "http://spam.example"}, None),
    ],
    ids=["email", "control-char", "too-long", "frequency", "honeypot"],
)
def test_bad_input_is_refused_beside_the_field_and_nothing_is_stored(client, site, data, field):
    response = follow(client, **data)
    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors.get(field if field else "__all__")
    assert not Follow.objects.exists() and not DBTaskResult.objects.exists()


def test_rate_limits_per_address_and_per_client(client, site, settings):
    settings.PARTICIPATION_LIMIT_PER_ADDRESS = 2
    settings.PARTICIPATION_LIMIT_PER_IP = 3
    for code in ("P4.1", "P4.2"):
        assert follow(client, code=code).status_code == 302
    refused = follow(client, code="P4.3")
    assert refused.status_code == 429 and "过于频繁" in refused.content.decode()
    assert follow(client, code="P4.3", email="other@example.org").status_code == 302
    assert follow(client, code="P4.4", email="third@example.org").status_code == 429  # the client's 4th
    assert Follow.objects.count() == 3
    assert not Follow.objects.filter(code="P4.4").exists()


def test_the_command_runs_the_same_and_purges(client, site, smtp):
    confirmed_follow(client, smtp)
    follow(client, code="P4.2", email="late@example.org")  # never confirmed
    Follow.objects.filter(email="late@example.org").update(
        created_at=datetime.datetime(2024, 6, 1, tzinfo=datetime.UTC)
    )
    site["publish"]("P4.1", 10450, datetime.date(2024, 6, 30))
    out = StringIO()
    call_command("send_follow_updates", "--as-of", "2024-07-10", "--dry-run", stdout=out)
    assert "将发送 1 封" in out.getvalue() and smtp.messages == []
    call_command("send_follow_updates", "--as-of", "2024-07-10", stdout=out)
    assert len(smtp.messages) == 1 and not Follow.objects.filter(email="late@example.org").exists()
    call_command("send_follow_updates", "--as-of", "2024-07-10", stdout=out)
    assert len(smtp.messages) == 1


def test_following_again_does_not_duplicate(site):
    item = follows.states.find(site["plan"], "target", "P4.1")
    first, send = follows.request_follow(item=item, email="A@Example.org", language="en", frequency="weekly")
    again, send_again = follows.request_follow(
        item=item, email="a@example.org", language="zh-hans", frequency="instant"
    )
    assert first.pk == again.pk and send and send_again and again.frequency == "instant"
    follows.confirm(again)
    _same, send_third = follows.request_follow(
        item=item, email="a@example.org", language="en", frequency="weekly"
    )
    assert not send_third and Follow.objects.count() == 1


@pytest.mark.parametrize(
    ("kind", "code"), [("target", "P5.2"), ("project", "P4"), ("action", "A1"), ("department", "unit")]
)
def test_each_kind_covers_its_targets_as_the_whole_plan_reads_them(site, kind, code):
    from goals.participation import states
    from goals.tracking.evaluation import evaluate_plan

    code = str(site["unit"].pk) if code == "unit" else code
    plan = site["plan"]
    whole = states.states(evaluate_plan(plan, JULY), kind, code)
    expected = {
        "target": Target.objects.filter(plan=plan, code__startswith="P5.2"),
        "project": Target.objects.filter(plan=plan, group__code="P4"),
        "action": Target.objects.filter(plan=plan, group__measure__action__code="A1"),
        "department": Target.objects.filter(plan=plan, lead_department=site["unit"]),
    }[kind]
    assert set(whole) == set(expected.values_list("code", flat=True)) and whole
    # The cheap evaluation at confirmation gives the very same states.
    assert states.states(states.evaluate_item(plan, kind, code, JULY), kind, code) == whole


def test_an_item_told_today_waits_but_the_others_still_go(client, site, smtp):
    """At most one email per person per day per item: a second run the same day leaves out
    the items already told, not the whole email."""
    for code in ("P4.1", "P4.2"):
        assert follow(client, code=code).status_code == 302
        run_tasks()
        client.post(path_of(next(u for u in links(smtp.messages[-1][1]) if "/follow/confirm/" in u)))
    smtp.clear()
    assert Follow.objects.filter(confirmed_at__isnull=False).count() == 2
    site["publish"]("P4.1", 10450, datetime.date(2024, 6, 30))
    assert len(updates.run(JULY).sent) == 1
    site["publish"]("P4.1", 10500, datetime.date(2024, 7, 5))
    site["publish"]("P4.2", 100, datetime.date(2024, 6, 30))
    summary = updates.run(JULY)
    ((outgoing,),) = [summary.sent]
    assert [c.item.code for c in outgoing.changes] == ["P4.2"]
    assert len(smtp.messages) == 2 and "P4.1" not in smtp.messages[1][1]["Subject"]
    assert updates.run(JULY).sent == []
    later = updates.run(JULY + datetime.timedelta(days=1))  # the next day, P4.1's news
    assert [c.item.code for o in later.sent for c in o.changes] == ["P4.1"]
