"""Plausibility checks at submission: a falling total, a jump far past the target, a
percentage outside 0–100. Confirmed with a note (inline, without JavaScript, and in the
`report` command), flagged for the reviewer."""

from __future__ import annotations

import datetime
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from goals.models import Report
from goals.rules import plausibility
from goals.rules.plausibility import Flag
from tests.builders import approved, make_project, make_target
from tests.personas import *  # noqa: F403
from tests.personas import DAY, as_user

HTMX = {"HX-Request": "true"}


def check(value, previous=None, goal=D(200), unit="个", kind="at_least"):
    return plausibility.check(kind=kind, unit=unit, goal=goal, value=D(value), previous=previous, factor=D(2))


class TestRules:
    def test_it_flags_a_total_lower_than_the_last_approved_one(self):
        assert check(90, previous=D(100)) == [Flag.DECREASE]
        assert check(100, previous=D(100)) == []

    def test_it_flags_a_jump_past_the_target_times_the_factor(self):
        assert check(400) == []
        assert check("400.01") == [Flag.OVERSHOOT]
        assert check(1000, kind="milestone", goal=None) == []
        assert check(5, kind="at_most", goal=D(0)) == []

    def test_it_flags_a_percentage_above_100(self):
        assert check(101, unit="%", goal=D(77), kind="level") == [Flag.PERCENT_RANGE]
        assert check(100, unit="%", goal=D(77), kind="level") == []

    def test_flags_read_as_words(self):
        assert plausibility.labels(["decrease", "unknown"]) == [str(Flag.DECREASE.label), "unknown"]


def data(target, value, as_of="2023-06-30", **extra) -> dict:
    fields = {"value": value, "as_of": as_of, "revision": target.revision, **extra}
    return {f"t{target.pk}-{key}": item for key, item in fields.items()}


def url(target) -> str:
    return reverse("report_target", args=[target.code])


@pytest.fixture
def rate(world):
    project = make_project(world.plan, "P2")
    return make_target(
        project, "P2.1", kind="level", value=77, unit="%", name="签约率", lead_department=world.own_department
    )


def test_it_asks_to_confirm_a_falling_total_inline_and_saves_nothing(world, official_own):
    target = world.own_target
    approved(target, 150, datetime.date(2023, 5, 31))
    client = as_user(official_own)
    response = client.post(url(target), data(target, "120"), headers=HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "数据看起来有异常" in html and "低于 2023-05-31 审核通过的 150个" in html
    assert f'name="t{target.pk}-confirm"' in html
    assert Report.objects.count() == 1
    # Confirmed without a note: still refused.
    response = client.post(url(target), data(target, "120", confirm="on"), headers=HTMX)
    assert response.status_code == 422 and Report.objects.count() == 1
    response = client.post(
        url(target), data(target, "120", confirm="on", note="上月多计 30 个,已更正"), headers=HTMX
    )
    assert response.status_code == 200
    report = Report.objects.get(state=Report.State.SUBMITTED)
    assert report.plausibility_flags == ["decrease"] and report.note == "上月多计 30 个,已更正"


def test_an_earlier_as_of_is_compared_with_what_stood_then(world, official_own):
    target = world.own_target
    approved(target, 150, datetime.date(2023, 6, 30))
    response = as_user(official_own).post(url(target), data(target, "100", as_of="2023-05-31"), headers=HTMX)
    assert response.status_code == 200
    assert Report.objects.get(state=Report.State.SUBMITTED).plausibility_flags == []


def test_it_asks_to_confirm_an_overshoot_without_javascript_too(world, official_own):
    target = world.own_target  # 200
    client = as_user(official_own)
    response = client.post(url(target), data(target, "450"))
    assert response.status_code == 422
    assert "超过目标值的 2 倍" in response.content.decode()
    assert not Report.objects.exists()
    response = client.post(url(target), data(target, "450", confirm="on", note="含跨年结转"))
    assert response.status_code == 302
    assert Report.objects.get().plausibility_flags == ["overshoot"]


def test_it_asks_to_confirm_a_percentage_above_100(world, official_own, rate):
    client = as_user(official_own)
    response = client.post(url(rate), data(rate, "120"), headers=HTMX)
    assert response.status_code == 422 and "百分比超出 0–100" in response.content.decode()
    client.post(url(rate), data(rate, "120", confirm="on", note="按新口径统计"), headers=HTMX)
    assert Report.objects.get().plausibility_flags == ["percent_range"]


def test_a_plausible_value_needs_no_confirmation(world, official_own):
    target = world.own_target
    approved(target, 100, datetime.date(2023, 5, 31))
    response = as_user(official_own).post(url(target), data(target, "130"), headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'name="t{target.pk}-confirm"' not in html  # the checkbox appears only when needed
    assert Report.objects.get(state=Report.State.SUBMITTED).plausibility_flags == []


def test_the_reviewer_sees_the_flag_and_the_next_steps(world, official_own, reviewer):
    target = world.own_target
    approved(target, 150, datetime.date(2023, 5, 31))
    as_user(official_own).post(
        url(target),
        data(target, "120", confirm="on", note="上月多计", next_steps="七月新增 40 个托位"),
        headers=HTMX,
    )
    html = as_user(reviewer).get(reverse("review_queue")).content.decode()
    assert "需核实" in html and str(Flag.DECREASE.label) in html
    assert "七月新增 40 个托位" in html


def run(*args):
    out = StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def test_the_report_command_needs_a_note_for_a_flagged_value(world, official_own):
    target = world.own_target
    approved(target, 150, datetime.date(2023, 5, 31))
    with pytest.raises(CommandError, match="--note"):
        run(target.code, "120", "--as-of", DAY.isoformat(), "--by", official_own.username, "--plan", "2023")
    assert Report.objects.count() == 1
    run(
        target.code, "120", "--as-of", DAY.isoformat(), "--by", official_own.username, "--plan", "2023",
        "--note", "上月多计", "--next-steps", "补报",
    )  # fmt: skip
    report = Report.objects.get(state=Report.State.SUBMITTED)
    assert report.plausibility_flags == ["decrease"] and report.next_steps == "补报"
