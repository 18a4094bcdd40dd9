"""Open data: the documented CSV, JSON and Atom contract, approved figures only."""

from __future__ import annotations

import csv
import datetime
import io
import json
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from goals.models import Department, Evidence, Target
from goals.public import opendata
from tests.builders import AFTER_PLAN_YEAR, IN_PLAN_YEAR

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def publish(seeded, publish):
    """The shared publish fixture (conftest.py), on the seed."""
    return publish


def read_csv(response) -> list[dict]:
    body = response.content
    assert body.startswith("\ufeff".encode()), "CSV must start with a UTF-8 byte-order mark for Excel"
    text = body.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.DictReader(io.StringIO(text)))


def test_the_targets_csv_has_one_row_per_target_in_the_documented_columns(client, publish, seeded):
    unit = Department.objects.get(name="区经济发展局")
    Target.objects.filter(plan=seeded, code="P4.1").update(lead_department=unit)
    publish("P4.1", 10450, datetime.date(2024, 6, 30))
    publish("P4.1", 11111, datetime.date(2024, 7, 31), approve=False)  # pending: never public
    response = client.get(reverse("data_targets_csv", args=[2024]), {"as_of": "2024-08-01"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="targets-2024-2024-08-01.csv"' in response["Content-Disposition"]
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert header.split(",") == opendata.TARGET_COLUMNS
    rows = read_csv(response)
    assert len(rows) == Target.objects.filter(plan=seeded).count()
    assert len({row["code"] for row in rows}) == len(rows)
    row = next(r for r in rows if r["code"] == "P4.1")
    assert row["group_type"] == "project" and row["group_code"] == "P4" and row["group_name"] == "常有颐养"
    assert row["wording"] == "为1.1万名80周岁以上老年人提供居家养老服务"
    assert (row["kind"], row["unit"], row["scale"], row["target_value"]) == ("at_least", "名", "10000", "1.1")
    assert row["current_value"] == "1.045" and row["current_value_text"] == "1.045万名"
    assert row["value_as_of"] == "2024-06-30" and row["percent"] == "95"
    assert row["status"] == "on_track" and row["stale"] == "false"
    assert row["lead_department"] == "区经济发展局"
    assert row["source_clause"] == "为1.1万名80周岁以上老年人提供居家养老服务"
    assert row["evaluated_on"] == "2024-08-01"
    sub = next(r for r in rows if r["code"] == "P5.2.1")
    assert sub["parent_code"] == "P5.2"
    measure = next(r for r in rows if r["code"] == "A1.1")
    assert (measure["group_type"], measure["group_code"], measure["measure_code"]) == ("action", "A1", "A1.1")
    own = next(r for r in rows if r["code"] == "S4.1")
    assert (own["group_type"], own["group_code"]) == ("pillar", "S4")
    ranged = next(r for r in rows if r["kind"] == "range")
    assert ranged["target_value"] and ranged["target_upper"]
    untouched = next(r for r in rows if r["code"] == "P1.1")
    assert untouched["current_value"] == "" and untouched["status"] == "no_report"


def test_the_targets_csv_as_of_an_earlier_day_shows_the_values_then(client, publish):
    publish("P4.1", 5000, datetime.date(2024, 3, 31))
    publish("P4.1", 10450, datetime.date(2024, 6, 30))
    rows = read_csv(client.get(reverse("data_targets_csv", args=[2024]), {"as_of": "2024-04-30"}))
    row = next(r for r in rows if r["code"] == "P4.1")
    assert row["current_value"] == "0.5" and row["value_as_of"] == "2024-03-31"


def test_the_targets_json_matches_the_csv(client, publish, seeded):
    publish("P7.1", 3100, datetime.date(2024, 10, 31))
    response = client.get(reverse("data_targets_json", args=[2024]), {"as_of": "2024-11-30"})
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["plan"] == {"year": 2024, "title": seeded.title, "status": "published"}
    assert body["evaluated_on"] == "2024-11-30"
    assert body["columns"] == opendata.TARGET_COLUMNS
    rows = {row["code"]: row for row in body["targets"]}
    assert len(rows) == Target.objects.filter(plan=seeded).count()
    p71 = rows["P7.1"]
    assert p71["current_value"] == 0.31 and p71["scale"] == 10000 and p71["target_value"] == 0.3
    assert p71["percent"] == 100 and p71["status"] == "done" and p71["stale"] is False
    assert p71["exceeded"] is True and p71["value_as_of"] == "2024-10-31"
    assert rows["P1.1"]["current_value"] is None and rows["P1.1"]["percent"] is None
    csv_rows = read_csv(client.get(reverse("data_targets_csv", args=[2024]), {"as_of": "2024-11-30"}))
    assert [r["code"] for r in csv_rows] == [r["code"] for r in body["targets"]]


def test_the_reports_csv_lists_every_approved_report_and_its_evidence(client, publish, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    photo = SimpleUploadedFile("现场.pdf", b"%PDF-1.4\n%x\n", content_type="application/pdf")
    first = publish("P4.1", 5000, datetime.date(2024, 3, 31), note="一季度")
    second = publish("P4.1", 10450, datetime.date(2024, 6, 30), evidence=[(photo, "application/pdf")])
    publish("P7.1", 900, datetime.date(2024, 5, 1), approve=False)
    response = client.get(reverse("data_reports_csv", args=[2024]))
    assert response.content.decode("utf-8-sig").splitlines()[0].split(",") == opendata.REPORT_COLUMNS
    rows = read_csv(response)
    assert [int(r["report_id"]) for r in rows] == [first.id, second.id]
    assert rows[0]["value"] == "5000" and rows[0]["value_at_scale"] == "0.5" and rows[0]["note"] == "一季度"
    assert rows[1]["value_text"] == "1.045万名" and rows[1]["as_of"] == "2024-06-30"
    assert rows[1]["evidence_urls"] == f"http://testserver/evidence/{Evidence.objects.get().pk}/"
    assert rows[1]["approved_at"].endswith("+08:00")
    earlier = read_csv(client.get(reverse("data_reports_csv", args=[2024]), {"as_of": "2024-04-01"}))
    assert [int(r["report_id"]) for r in earlier] == [first.id]


def test_the_atom_feed_lists_approved_reports_newest_first(client, publish):
    first = publish("P4.1", 5000, datetime.date(2024, 3, 31), note="一季度")
    second = publish("P7.1", 3100, datetime.date(2024, 10, 31))
    publish("P1.1", 1, datetime.date(2024, 5, 1), approve=False)
    response = client.get(reverse("data_feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 (our own response)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 2
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert titles[0].startswith("P7.1") and "0.31万人" in titles[0]
    assert titles[1].startswith("P4.1") and "0.5万名" in titles[1]
    links = [e.find(f"{ATOM}link").get("href") for e in entries]
    assert links[1].endswith(reverse("target", args=["P4.1"]) + f"#report-{first.id}")
    assert {e.find(f"{ATOM}id").text for e in entries} == {
        f"urn:czedz-goals:report:{second.id}",
        f"urn:czedz-goals:report:{first.id}",
    }
    assert "一季度" in response.content.decode()


def test_the_atom_feed_gives_notes_as_text_not_markup(client, publish):
    publish("P4.1", 5000, datetime.date(2024, 3, 31), note='<b>x</b> & <img src="y" onerror="z">')
    publish("P7.1", 3100, datetime.date(2024, 10, 31))  # no note: the default summary
    response = client.get(reverse("data_feed"))
    body = response.content.decode()
    assert 'type="html"' not in body
    assert "&lt;b&gt;x&lt;/b&gt; &amp; &lt;img" in body and "<b>" not in body
    feed = ET.fromstring(response.content)  # noqa: S314 (our own response)
    summaries = {
        e.find(f"{ATOM}title").text[:4]: e.find(f"{ATOM}summary") for e in feed.findall(f"{ATOM}entry")
    }
    assert summaries["P4.1"].get("type") == "text"
    assert summaries["P4.1"].text == '<b>x</b> & <img src="y" onerror="z">'
    assert summaries["P7.1"].get("type") == "text" and "截至 2024-10-31" in summaries["P7.1"].text


@pytest.mark.parametrize("name", ["data_targets_csv", "data_targets_json", "data_reports_csv"])
def test_a_bad_as_of_is_a_400_with_a_chinese_message(client, seeded, name):
    response = client.get(reverse(name, args=[2024]), {"as_of": "2024-02-30"})
    assert response.status_code == 400
    assert "无法识别" in response.content.decode()


def test_unknown_and_synthetic_years_are_404(client, seeded):
    assert client.get(reverse("data_targets_csv", args=[2023])).status_code == 404
    assert client.get(reverse("data_targets_json", args=[9000])).status_code == 404


# (status of P4.1 with 10,450 of 11,000 by 30 June, expected percent, stale) on each day
TODAY = {
    IN_PLAN_YEAR: ("on_track", "50", "false"),  # 95 % when 50 % is expected
    AFTER_PLAN_YEAR: ("missed", "100", "false"),  # the year ended short; stale only while it runs
}


def test_without_as_of_the_exports_describe_today(client, publish, plan_day):
    publish("P4.1", 10450, datetime.date(2024, 6, 30))
    response = client.get(reverse("data_targets_csv", args=[2024]))
    assert 'filename="targets-2024.csv"' in response["Content-Disposition"]  # no day asked for
    row = next(r for r in read_csv(response) if r["code"] == "P4.1")
    assert row["evaluated_on"] == plan_day.isoformat()
    assert (row["status"], row["expected_percent"], row["stale"]) == TODAY[plan_day]
    assert row["percent"] == "95"
    body = json.loads(client.get(reverse("data_targets_json", args=[2024])).content)
    assert body["evaluated_on"] == plan_day.isoformat()


@pytest.mark.parametrize("name", ["data_targets_csv", "data_targets_json", "data_reports_csv"])
def test_as_of_runs_from_the_first_day_of_the_plan_to_today(client, seeded, today, name):
    today(IN_PLAN_YEAR)
    url = reverse(name, args=[2024])
    assert client.get(url, {"as_of": "2024-07-01"}).status_code == 200
    tomorrow = client.get(url, {"as_of": "2024-07-02"})
    assert tomorrow.status_code == 400
    assert "2024-01-01 至 2024-07-01" in tomorrow.content.decode()
    today(AFTER_PLAN_YEAR)
    assert client.get(url, {"as_of": "2024-12-31"}).status_code == 200
    assert client.get(url, {"as_of": "2025-03-02"}).status_code == 400


def test_the_exports_end_with_light_forecast_and_period_columns(client, publish, seeded):
    assert opendata.TARGET_COLUMNS[-6:] == [
        "light",
        "light_label",
        "projected_value",
        "required_per_month",
        "last_period_covered",
        "carried_from",  # issue 18, appended after them
    ]
    assert opendata.TARGET_COLUMNS.index("evaluated_on") == opendata.TARGET_COLUMNS.index("light") - 1
    assert opendata.REPORT_COLUMNS[-1] == "next_steps"
    publish("P4.1", 5500, datetime.date(2024, 6, 30), next_steps="七月走访 500 户")
    publish("A1.1", 50, datetime.date(2024, 6, 30))  # a milestone: no forecast
    url = reverse("data_targets_csv", args=[2024])
    rows = {r["code"]: r for r in read_csv(client.get(url, {"as_of": "2024-07-01"}))}
    p41 = rows["P4.1"]
    # 0.55万 of 1.1万 on 1 July: 50 % done, 50 % expected: on pace, green.
    assert p41["light"] == "green" and p41["light_label"] == "绿灯"
    assert p41["projected_value"] == "1.106"  # 5500 × 366 ÷ 182 = 11060.4 → 11060名, 1.106万
    assert Decimal(p41["required_per_month"]) > 0
    assert p41["last_period_covered"] == "2024-06"
    assert rows["P1.1"]["light"] == "red"  # nothing reported, first deadline (5 Feb) long past
    assert rows["P1.1"]["projected_value"] == "" and rows["P1.1"]["required_per_month"] != ""
    assert {r["light"] for r in rows.values()} <= {"green", "yellow", "red", "grey"}
    milestone = rows["A1.1"]
    assert milestone["projected_value"] == "" and milestone["required_per_month"] == ""
    early = read_csv(client.get(reverse("data_targets_csv", args=[2024]), {"as_of": "2024-02-01"}))
    assert {r["light"] for r in early} == {"grey"}  # before the first deadline
    after = {r["code"]: r for r in read_csv(client.get(reverse("data_targets_csv", args=[2024])))}
    assert after["P1.1"]["status"] == "never_reported" and after["P1.1"]["stale"] == "false"
    assert after["P1.1"]["required_per_month"] == ""  # the due date has come
    reports = read_csv(client.get(reverse("data_reports_csv", args=[2024])))
    assert next(r for r in reports if r["target_code"] == "P4.1")["next_steps"] == "七月走访 500 户"
