"""One verdict per target per day, everywhere (issue 18).

A handful of targets of the seeded plan, one of each kind and edge (a count, a percentage
level without a baseline, a 万-scaled count, an "about" done within its tolerance, a ceiling
breached then reported 0, a milestone, one never reported), judged on several days (mid-year,
on a reporting deadline, after the year) on every surface that shows a status or a light: the
target page, its project or action page, the targets list, the department page, the league,
the public notice, the staff briefing (xlsx), the open data (CSV and JSON), the department
workbook and its upload preview, and the home page's summary. Each is parsed, and all must
say what the evaluation engine says.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from collections import Counter

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from openpyxl import load_workbook

from goals.accounts.permissions import OFFICIAL, ensure_roles
from goals.models import Department, Plan, Report, Target
from goals.planning import carryover, publication
from goals.rules.progress import Light, Status
from goals.tracking.evaluation import evaluate_plan
from goals.workbooks import department as workbook
from goals.workbooks.department_upload import will_light
from tests.builders import make_user
from tests.personas import as_user

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 3, 1)
DAYS = [
    datetime.date(2024, 7, 1),  # mid-year
    datetime.date(2024, 11, 5),  # October's deadline: the ceiling's confirmation is due
    datetime.date(2024, 11, 6),  # the day after it
    datetime.date(2025, 1, 5),  # December's deadline, after the year
    TODAY,  # after the year: final statuses
]
REPORTS = {
    "P1.3": [(10, (5, 31)), (120, (8, 31))],  # 新增托位 200 个
    "P3.1": [(60, (4, 30)), (70, (6, 30)), (74, (10, 31))],  # 签约率达 77 %, no baseline
    "P4.1": [(5500, (6, 30))],  # 1.1 万名
    "P6.1": [(140, (9, 30))],  # 150 人次左右: done within 10 %
    "A6.1": [*[(0, (m, 28)) for m in range(1, 8)], (1, (8, 15)), (0, (9, 30))],  # breached in August
    "A1.1": [(50, (6, 30))],  # a milestone
}
NEVER = "P4.2"
CODES = [*REPORTS, NEVER]
STATUS_BY_LABEL = {str(s.label): s.value for s in Status}
LIGHT_BY_LABEL = {str(light.label): light.value for light in Light}


@pytest.fixture
def world(seeded, publish, today):
    today(TODAY)
    unit = Department.objects.get(name="遥观镇")
    Target.objects.filter(plan=seeded, code__in=CODES).update(lead_department=unit)
    for code, reports in REPORTS.items():
        for value, (month, day) in reports:
            publish(code, value, datetime.date(2024, month, day))
    ensure_roles()
    official = make_user("verdict-official")
    official.groups.add(Group.objects.get(name=OFFICIAL))
    unit.members.add(official)
    return seeded, unit, as_user(official)


def html_of(client, url: str, day: datetime.date | None) -> str:
    response = client.get(url, {"as_of": day.isoformat()} if day else {})
    assert response.status_code == 200, url
    return response.content.decode()


def row_verdict(html: str, code: str) -> tuple[str, str]:
    row = re.search(rf'<tr[^>]*id="target-{re.escape(code)}"[^>]*>(.*?)</tr>', html, re.S).group(1)
    return (
        re.search(r'class="status status-(\w+)"', row).group(1),
        re.search(r'class="light light-(\w+)"', row).group(1),
    )


def page_verdict(html: str) -> tuple[str, str]:
    now = html.split('id="now-heading"', 1)[1]
    return (
        re.search(r'class="status status-(\w+)"', now).group(1),
        re.search(r'class="light light-(\w+)"', now).group(1),
    )


def surfaces(client, staff, plan, unit, day: datetime.date | None) -> dict[str, dict[str, tuple]]:
    """{surface: {code: (status, light)}} for the chosen targets, as each surface shows them
    (light only where a surface shows no status)."""
    found: dict[str, dict[str, tuple]] = {}
    result = evaluate_plan(plan, publication.evaluation_day(plan, day))
    for code in CODES:
        target = result_target(result, code)
        found.setdefault("target page", {})[code] = page_verdict(html_of(client, f"/targets/{code}/", day))
        owner = target.target.group
        kind = "project" if owner.kind == owner.Kind.PROJECT else "action"
        owner_code = owner.code if kind == "project" else owner.measure.action.code
        group_html = html_of(client, reverse(kind, args=[owner_code]), day)
        found.setdefault("project or action page", {})[code] = row_verdict(group_html, code)
    listing = html_of(client, reverse("targets") + "?" + "&".join(["page=1"]), day)
    unit_html = html_of(client, reverse("department", args=[unit.pk]), day)
    notice = html_of(client, reverse("briefing"), day)
    notice_rows = {
        code: (status, light)
        for code, status, light in re.findall(
            r'<tr data-code="([^"]+)" data-status="([^"]+)" data-light="([^"]+)">', notice
        )
    }
    query = {"as_of": day.isoformat()} if day else {}
    csv_rows = {
        row["code"]: row
        for row in csv.DictReader(
            io.StringIO(
                client.get(reverse("data_targets_csv", args=[2024]), query).content.decode("utf-8-sig")
            )
        )
    }
    data = json.loads(client.get(reverse("data_targets_json", args=[2024]), query).content)
    json_rows = {row["code"]: row for row in data["targets"]}
    briefing = load_workbook(
        io.BytesIO(staff.get(reverse("staff_briefing"), {**query, "format": "xlsx"}).content)
    ).active
    briefing_rows = {
        row[0]: (STATUS_BY_LABEL[row[7]], LIGHT_BY_LABEL[row[8]])
        for row in briefing.iter_rows(values_only=True)
        if row[0] in CODES and len(row) > 8 and row[8] in LIGHT_BY_LABEL
    }
    sheet = load_workbook(
        io.BytesIO(staff.get(reverse("workbook_download"), {**query, "department": unit.pk}).content)
    ).active
    columns = {key: index for index, key in enumerate(workbook.KEYS)}
    workbook_rows = {
        row[columns["code"]]: LIGHT_BY_LABEL[row[columns["light"]]]
        for row in sheet.iter_rows(min_row=2, values_only=True)
        if row[columns["code"]] in CODES
    }
    for code in CODES:
        in_listing = re.search(rf'id="target-{re.escape(code)}"', listing)
        if in_listing:
            found.setdefault("targets list", {})[code] = row_verdict(listing, code)
        found.setdefault("department page", {})[code] = row_verdict(unit_html, code)
        found.setdefault("public notice", {})[code] = notice_rows[code]
        found.setdefault("targets.csv", {})[code] = (csv_rows[code]["status"], csv_rows[code]["light"])
        found.setdefault("targets.json", {})[code] = (json_rows[code]["status"], json_rows[code]["light"])
        found.setdefault("staff briefing", {})[code] = briefing_rows[code]
        found.setdefault("department workbook", {})[code] = (workbook_rows[code],)
    return found


def result_target(result, code: str):
    return next(tp for tp in result.targets.values() if tp.target.code == code)


@pytest.mark.parametrize("day", [*DAYS, None], ids=[*(d.isoformat() for d in DAYS), "default-day"])
def test_every_surface_shows_one_verdict_per_target_and_day(client, world, day):
    plan, unit, staff = world
    at = publication.evaluation_day(plan, day)
    result = evaluate_plan(plan, at)
    engine = {
        code: (str(result_target(result, code).status), str(result_target(result, code).light))
        for code in CODES
    }
    shown = surfaces(client, staff, plan, unit, day)
    for surface, verdicts in shown.items():
        for code, verdict in verdicts.items():
            expected = engine[code] if len(verdict) == 2 else (engine[code][1],)
            assert verdict == expected, (surface, code, str(at))
    # The league counts the department's lights as its targets show them.
    league = html_of(client, reverse("league"), day)
    row = re.search(rf'<tr id="league-{unit.pk}">(.*?)</tr>', league, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", " ", c).split()[0] for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    lights = Counter(light for _, light in engine.values())
    assert cells[:5] == [str(len(CODES)), *(str(lights[k]) for k in ("red", "yellow", "green", "grey"))]
    # The upload preview promises the light the pages show on their day: the latest figure
    # reported again reads the same.
    for code in REPORTS:
        tp = result_target(result, code)
        if tp.value is not None:
            assert will_light(tp.target, tp.value, tp.as_of, at) == tp.light, code


def test_the_edges_read_as_the_rules_say(client, world):
    plan, unit, staff = world
    verdicts = {day: {code: result_target(evaluate_plan(plan, day), code) for code in CODES} for day in DAYS}
    # The August breach stays, though September reported 0.
    assert all(verdicts[d]["A6.1"].status == Status.BREACHED for d in DAYS[1:])
    # Done within its tolerance: no monthly rate still needed.
    assert verdicts[DAYS[1]]["P6.1"].status == Status.DONE and verdicts[DAYS[1]]["P6.1"].required is None
    # A percentage projects from its first report and never past 100.
    assert verdicts[DAYS[0]]["P3.1"].projected <= 100
    # After the year: final statuses only.
    assert {tp.status for tp in verdicts[TODAY].values()} <= {
        Status.DONE,
        Status.MISSED,
        Status.BREACHED,
        Status.NEVER_REPORTED,
        Status.HELD,
        Status.NO_REPORT,
    }
    assert verdicts[TODAY][NEVER].status == Status.NEVER_REPORTED


@pytest.mark.parametrize("day", [DAYS[0], TODAY, None], ids=["mid-year", "after", "default-day"])
def test_the_home_summary_partitions_the_targets_and_the_json_agrees(client, world, day):
    plan, unit, staff = world
    html = html_of(client, reverse("home"), day)
    boxes = {k: int(v) for k, v in re.findall(r'data-box="(\w+)">(\d+)<', html)}
    total = boxes.pop("total")
    assert sum(boxes.values()) == total == Target.objects.filter(plan=plan, parent=None).count()
    result = evaluate_plan(plan, publication.evaluation_day(plan, day))
    statuses = Counter(str(tp.status) for tp in result.top_level())
    assert boxes == {
        "done": statuses["done"] + statuses["held"],
        "on_track": statuses["on_track"],
        "behind": statuses["behind"] + statuses["missed"] + statuses["breached"],
        "no_report": statuses["no_report"] + statuses["never_reported"],
    }
    query = {"as_of": day.isoformat()} if day else {}
    data = json.loads(client.get(reverse("data_targets_json", args=[2024]), query).content)
    assert data["summary"] == boxes
    if day is None or day > datetime.date(2024, 12, 31):
        assert boxes["no_report"] >= 100  # the never reported are counted, not lost


def test_the_years_table_judges_the_other_year_as_its_own_page_does(client, world, today):
    plan, unit, staff = world
    later = carryover.copy_structure(plan, 2025)
    carryover.carry(plan, later)
    Plan.objects.filter(pk=later.pk).update(status=Plan.Status.PUBLISHED)  # a draft is not public
    successor = Target.objects.get(plan=later, code="P3.1")
    assert successor.predecessor.code == "P3.1"
    for day in (None, TODAY):
        query = {"as_of": day.isoformat()} if day else {}
        own = client.get("/2024/targets/P3.1/", query).content.decode()
        other = client.get("/2025/targets/P3.1/", query).content.decode()
        table = other.split('id="years-heading"', 1)[1]
        row = re.search(r"<tr>\s*<th scope=\"row\">2024</th>(.*?)</tr>", table, re.S).group(1)
        status, light = page_verdict(own)
        assert f"status-{status}" in row and f"light-{light}" in row, (day, status, row)
        assert status == "missed"  # 74 % of 77 % at the year's end
    assert Report.objects.filter(target__plan=later).count() == 0


def test_a_breached_ceilings_page_says_its_highest_figure_beside_the_latest(client, world):
    html = html_of(client, "/targets/A6.1/", datetime.date(2024, 10, 1))
    now = html.split('id="now-heading"', 1)[1].split("</dl>", 1)[0]
    assert "突破底线" in now and "期内最高 1" in now
    assert "期内最高" not in html_of(client, "/targets/A6.1/", datetime.date(2024, 8, 1))
