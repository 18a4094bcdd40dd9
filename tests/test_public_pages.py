"""The public pages, read as a resident would: the real seed, approved figures only."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from goals.models import Department, Evidence, Report, Target
from goals.reporting import services
from goals.rules.progress import Status
from projects.management.commands.synthesize import generate
from tests.builders import AFTER_PLAN_YEAR, IN_PLAN_YEAR, make_plan, make_project, make_target, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def official():
    return make_user("official")


@pytest.fixture
def reviewer():
    return make_user("reviewer")


@pytest.fixture
def publish(seeded, publish):
    """The shared publish fixture (conftest.py), on the seed."""
    return publish


def text(response) -> str:
    return response.content.decode()


# --- home ---------------------------------------------------------------------------------


def test_it_shows_the_plan_its_projects_actions_and_pillars(client, seeded):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = text(response)
    for words in ("强劲活跃实干年", "苏南智造新高地、开放融合先行区", "争创“国家级”、争做“增长极”"):
        assert words in html
    for n in range(1, 11):
        assert f'href="{reverse("project", args=[f"P{n}"])}"' in html
    for n in range(1, 8):
        assert f'href="{reverse("action", args=[f"A{n}"])}"' in html
    for name in ("实力经开", "活力经开", "魅力经开", "合力经开"):
        assert name in html
    # Nothing in the document links an action to a pillar: the page says so, not 0%.
    assert html.count("没有把七大行动或具体举措归在它下面") == 3
    assert "管理员" not in html
    assert "评估日期:" in html


def test_it_counts_targets_by_status_and_lists_the_latest_reports(client, publish):
    publish("P4.1", 10450, datetime.date(2024, 6, 30), note="上半年入户服务")
    publish("P7.1", 3100, datetime.date(2024, 10, 31))
    response = client.get(reverse("home"), {"as_of": "2024-11-15"})
    overall = response.context["overall"]
    assert overall.counts[Status.ON_TRACK] == 1  # P7.1: 3100 of 3000 is done, P4.1 95% on track
    assert overall.counts[Status.DONE] == 1
    html = text(response)
    assert "1.045万名" in html and "上半年入户服务" in html
    latest = re.search(r'<ol class="updates">(.*?)</ol>', html, re.S).group(1)
    assert latest.index("P7.1") < latest.index("P4.1")  # newest figure first
    assert "数据截至 2024-10-31" in html
    card = next(piece for piece in html.split('<li class="card">') if 'href="/projects/P7/?as_of' in piece)
    # P7.1 done, P7.2 unreported counts as nothing done: the card says 50%, not 100%.
    assert "已填报 1/2 个目标" in card and "50%" in card and "100%" not in card
    assert "已填报 2/115 个目标" in html


def test_the_latest_approvals_come_first_whatever_day_they_stand_at(client, publish):
    publish("P7.1", 3100, datetime.date(2024, 10, 31))
    publish("P4.1", 10450, datetime.date(2024, 6, 30))  # approved later, about an earlier day
    html = text(client.get(reverse("home"), {"as_of": "2024-11-15"}))
    latest = re.search(r'<ol class="updates">(.*?)</ol>', html, re.S).group(1)
    assert latest.index("P4.1") < latest.index("P7.1")
    assert "审核通过" in latest


def test_it_puts_2023_results_beside_the_2024_targets_that_continue_them(client, publish):
    publish("P7.1", 1200, datetime.date(2024, 4, 30))
    html = text(client.get(reverse("home")))
    table = re.search(r'<table class="pairs">(.*?)</table>', html, re.S).group(1)
    assert "失业再就业" in table and "3456人" in table  # 2023
    assert reverse("target", args=["P7.1"]) in table and "0.3万人" in table  # 2024 target
    assert "0.12万人" in table  # its current value


def test_it_never_renders_a_csrf_token_or_user_content(client, seeded, reviewer):
    client.force_login(reviewer)
    for url in (reverse("home"), reverse("targets"), reverse("target", args=["P4.1"])):
        response = client.get(url)
        assert "csrfmiddlewaretoken" not in text(response)
        assert "csrftoken" not in response.cookies
        assert "reviewer" not in text(response)
        assert 'href="/staff/"' in text(response)


# --- project, action and pillar pages -------------------------------------------------------


def test_a_project_page_lists_every_target_with_sub_targets_nested(client, publish):
    publish("P5.2", 20, datetime.date(2024, 6, 30))
    publish("P5.2.1", 6, datetime.date(2024, 6, 30))
    response = client.get(reverse("project", args=["P5"]))
    html = text(response)
    codes = list(Target.objects.filter(group__code="P5", plan__year=2024).values_list("code", flat=True))
    for code in codes:
        assert f'id="target-{code}"' in html
    row = re.search(r'<tr class="subtarget" id="target-P5.2.1">(.*?)</tr>', html, re.S).group(1)
    assert "其中旧改15个" in row and "6个" in row and "40%" in row
    assert html.index('id="target-P5.2"') < html.index('id="target-P5.2.1"')
    parent = re.search(r'<tr class="" id="target-P5.2">(.*?)</tr>', html, re.S).group(1)
    assert "20组" in parent and "2024-06-30" in parent
    assert "完成既有住宅电动汽车充电桩50组(其中旧改15个)" in html  # the source clause


def test_an_action_page_shows_its_measures_and_their_status(client, publish):
    publish("A1.1", 50, datetime.date(2024, 6, 30))
    response = client.get(reverse("action", args=["A1"]), {"as_of": "2024-07-01"})
    html = text(response)
    assert "重大项目突破行动" in html
    assert 'id="measure-A1.1"' in html and 'id="measure-A1.2"' in html
    # One table, one header row, for all the measures of the action.
    measures = html[html.index('id="measures-heading"') : html.index("</main>")]
    assert measures.count("<table") == 1 and measures.count("<thead>") == 1
    row = re.search(r'id="target-A1.1">(.*?)</tr>', html, re.S).group(1)
    assert "50%" in row and str(Status.ON_TRACK.label) in row
    assert str(Status.NO_REPORT.label) in re.search(r'id="target-A1.2">(.*?)</tr>', html, re.S).group(1)


def test_a_pillar_page_shows_its_own_measures_or_says_it_has_none(client, seeded):
    html = text(client.get(reverse("pillar", args=["S4"])))
    for n in range(1, 6):
        assert f'id="target-S4.{n}"' in html
    pillar = text(client.get(reverse("pillar", args=["S1"])))
    # What the source links and what it does not, in words for residents (no note to admins).
    assert "原文只写了该经开的聚焦方向,没有把七大行动或具体举措归在它下面" in pillar
    assert "管理员" not in pillar


def test_unknown_codes_are_404(client, seeded):
    for name in ("project", "action", "pillar", "target"):
        assert client.get(reverse(name, args=["X9"])).status_code == 404
    assert client.get(reverse("department", args=[999_999])).status_code == 404


# --- target page ----------------------------------------------------------------------------


def test_the_target_page_shows_value_status_history_chart_and_evidence(client, publish, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    pdf = SimpleUploadedFile("台账.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    publish("P4.1", 5000, datetime.date(2024, 3, 31), note="一季度")
    publish("P4.1", 10450, datetime.date(2024, 6, 30), note="半年", evidence=[(pdf, "application/pdf")])
    response = client.get(reverse("target", args=["P4.1"]), {"as_of": "2024-07-15"})
    assert response.status_code == 200
    html = text(response)
    assert '<dd class="current-value num">1.045万名</dd>' in html
    assert str(Status.ON_TRACK.label) in html and "95%" in html
    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', html, re.S).group(1)
    assert timeline.index("1.045万名") < timeline.index("0.5万名")
    assert "一季度" in timeline and "半年" in timeline
    assert "台账.pdf" in timeline and f"/evidence/{Evidence.objects.get().pk}/" in timeline
    svg = re.search(r"<svg[^>]*>(.*?)</svg>", html, re.S)
    assert 'role="img"' in svg.group(0) and 'aria-labelledby="chart-title chart-desc"' in svg.group(0)
    assert svg.group(1).count('class="chart-point"') == 2
    assert 'class="chart-pace"' in svg.group(1)
    data = re.search(r'<details class="chart-data">(.*?)</details>', html, re.S).group(1)
    assert "2024-03-31" in data and "0.5万名" in data and "2024-06-30" in data
    assert "style=" not in svg.group(0)


def test_the_target_page_shows_the_2023_figure_it_continues(client, seeded):
    html = text(client.get(reverse("target", args=["P7.1"])))
    assert "往年成绩" in html and "3456人" in html


def test_the_target_page_never_shows_pending_or_returned_reports(client, seeded, official, reviewer):
    target = Target.objects.get(plan=seeded, code="P4.1")
    services.submit_report(
        target=target, value=Decimal(9999), as_of=datetime.date(2024, 5, 1), author=official
    )
    returned = services.submit_report(
        target=target, value=Decimal(8888), as_of=datetime.date(2024, 5, 2), author=official
    )
    services.return_report(report=returned, reviewer=reviewer, reason="数据有误")
    html = text(client.get(reverse("target", args=["P4.1"])))
    assert "0.9999万名" not in html and "0.8888万名" not in html and "数据有误" not in html
    assert "尚无经审核通过的填报" in html


def test_a_sub_target_links_back_to_its_parent(client, seeded):
    html = text(client.get(reverse("target", args=["P5.2.1"])))
    assert f'href="{reverse("target", args=["P5.2"])}"' in html


# --- departments ----------------------------------------------------------------------------


def test_department_pages_show_what_each_unit_owns_and_how_it_stands(client, publish, seeded):
    unit = Department.objects.get(name="区经济发展局")
    helper = Department.objects.get(name="横林镇")
    Target.objects.filter(plan=seeded, code__in=["P4.1", "P7.1"]).update(lead_department=unit)
    Target.objects.get(plan=seeded, code="P1.1").co_departments.add(unit)
    Target.objects.filter(plan=seeded, code="P9.3").update(lead_department=helper)
    publish("P7.1", 3100, datetime.date(2024, 10, 31))
    html = text(client.get(reverse("departments")))
    link = reverse("department", args=[unit.pk])
    row = re.search(f'<a href="{link}">区经济发展局</a>(.*?)</tr>', html, re.S)
    assert '<td data-label="牵头目标" class="num">2</td>' in row.group(1)
    assert f"{str(Status.DONE.label)} 1" in row.group(1)
    page = text(client.get(reverse("department", args=[unit.pk])))
    led = re.search(r'id="led-heading"(.*?)</section>', page, re.S).group(1)
    assert 'id="target-P4.1"' in led and 'id="target-P7.1"' in led and "P9.3" not in led
    # The unit leads them all: no column repeating its name on every row.
    assert '<th scope="col">牵头单位</th>' not in led and 'data-label="牵头单位"' not in led
    co = re.search(r'id="co-heading"(.*?)</section>', page, re.S).group(1)
    assert 'id="target-P1.1"' in co


# --- targets list: filter and search ---------------------------------------------------------


def test_the_list_filters_by_status_project_department_text_and_staleness(client, publish, seeded):
    unit = Department.objects.get(name="区经济发展局")
    Target.objects.filter(plan=seeded, code="P7.1").update(lead_department=unit)
    publish("P7.1", 3100, datetime.date(2024, 10, 31))
    url = reverse("targets")
    everything = client.get(url).context["total"]
    assert everything == Target.objects.filter(plan=seeded).count()

    def codes(**params) -> list[str]:
        response = client.get(url, params)
        assert response.status_code == 200
        return [row.target.code for row in response.context["page"].object_list]

    assert codes(status="done") == ["P7.1"]
    in_p5 = Target.objects.filter(plan=seeded, group__code="P5").values_list("code", flat=True)
    assert set(codes(group="P5")) == set(in_p5) and "P5.2.1" in in_p5
    assert all(code.startswith("A1.") for code in codes(group="A1"))
    assert set(codes(group="S4")) == {f"S4.{n}" for n in range(1, 6)}
    assert codes(department=str(unit.pk)) == ["P7.1"]
    assert "P7.1" not in codes(department="none")
    assert codes(q="充电桩")[:2] == ["P5.2", "P5.2.1"]
    # Stale is judged while the year runs (P7.1 is done, so never stale) ...
    assert codes(stale="on", group="P7", as_of="2024-12-20") == ["P7.2"]
    assert "P4.1" in codes(stale="on", group="P4", as_of="2024-12-20")
    # ... and once it is over, a target reads done, missed or never reported, never stale.
    assert codes(stale="on") == []
    assert codes(status="never_reported", group="P7") == ["P7.2"]
    assert codes(status="no_report") == []


def test_htmx_gets_only_the_results_with_the_language_link_out_of_band(client, seeded):
    response = client.get(reverse("targets"), {"q": "充电桩"}, headers={"HX-Request": "true"})
    html = text(response)
    assert html.lstrip().startswith('<div id="target-results"')
    assert "<html" not in html and 'id="id_q"' not in html
    assert 'id="lang-switch"' in html and 'data-hx-swap-oob="true"' in html
    assert "/en/targets/?q=" in html
    assert "HX-Request" in response["Vary"]
    full = client.get(reverse("targets"), {"q": "充电桩"})
    assert "<html" in text(full) and 'data-hx-push-url="true"' in text(full)
    assert "data-hx-swap-oob" not in text(full)


def test_the_filter_form_works_without_javascript(client, seeded):
    html = text(client.get(reverse("targets")))
    form = re.search(r'<form method="get" action="/targets/" class="filters[^>]*>', html).group(0)
    assert 'data-hx-get="/targets/"' in form and 'data-hx-target="#target-results"' in form
    assert re.search(r'<button type="submit">筛选</button>', html)


def test_a_bad_filter_value_says_so_and_is_ignored(client, seeded):
    response = client.get(reverse("targets"), {"status": "great", "q": "充电桩"})
    assert response.status_code == 400
    assert "没有“great”这个选项" in text(response)
    assert response.context["total"] == 2  # the text filter still applies


def test_the_list_pages_at_fifty(client, seeded):
    response = client.get(reverse("targets"), {"page": "2"})
    page = response.context["page"]
    assert page.number == 2 and len(page.object_list) == 50
    assert 'rel="prev"' in text(response) and "page=1" in text(response)


# --- as of a day --------------------------------------------------------------------------------


def test_as_of_a_day_shows_the_values_that_stood_then(client, publish, today):
    today(AFTER_PLAN_YEAR)
    publish("P4.1", 5000, datetime.date(2024, 3, 31))
    publish("P4.1", 10450, datetime.date(2024, 6, 30))
    then = text(client.get(reverse("target", args=["P4.1"]), {"as_of": "2024-04-15"}))
    assert '<dd class="current-value num">0.5万名</dd>' in then and "正在查看 2024-04-15 当天的情况" in then
    assert "1.045万名" not in then
    # Links keep the day.
    assert f'href="{reverse("home")}?as_of=2024-04-15"' in then
    now = text(client.get(reverse("target", args=["P4.1"])))
    assert '<dd class="current-value num">1.045万名</dd>' in now
    # The plan year is over: by default the page shows its final state.
    assert str(Status.MISSED.label) in now


# What P4.1 (10,450 of 11,000 by 30 June) shows without ?as_of, on each day.
TODAY = {
    IN_PLAN_YEAR: (Status.ON_TRACK, False),  # 95 % when 50 % is expected; reported a day ago
    AFTER_PLAN_YEAR: (Status.MISSED, False),  # the year ended short; stale only while it runs
}


def test_without_as_of_the_pages_show_today(client, publish, plan_day):
    publish("P4.1", 10450, datetime.date(2024, 6, 30))
    status, stale = TODAY[plan_day]
    page = client.get(reverse("target", args=["P4.1"]))
    for response in (page, client.get(reverse("home")), client.get(reverse("project", args=["P4"]))):
        assert f"评估日期:{plan_day.isoformat()}" in text(response)
    assert page.context["tp"].status == status and page.context["tp"].stale is stale
    assert f'<span class="status status-{status}">{status.label}</span>' in text(page)
    assert ('<span class="badge-stale">' in text(page)) is stale
    listed = client.get(reverse("targets"), {"status": status.value})
    assert "P4.1" in [tp.target.code for tp in listed.context["page"].object_list]


def test_inside_the_plan_year_no_one_can_look_past_today(client, seeded, today):
    today(IN_PLAN_YEAR)
    assert client.get(reverse("home"), {"as_of": "2024-07-01"}).status_code == 200
    tomorrow = client.get(reverse("home"), {"as_of": "2024-07-02"})
    assert tomorrow.status_code == 400
    assert "只能查看 2024-01-01 至 2024-07-01 之间的情况" in text(tomorrow)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2024-13-01", "无法识别"),
        ("yesterday", "无法识别"),
        ("2023-12-31", "只能查看 2024-01-01 至"),
        ("2999-01-01", "只能查看 2024-01-01 至"),
    ],
)
def test_a_bad_as_of_gives_a_clear_message_not_an_error(client, seeded, value, message):
    for url in (reverse("home"), reverse("targets"), reverse("target", args=["P4.1"])):
        response = client.get(url, {"as_of": value})
        assert response.status_code == 400
        assert message in text(response)
        assert 'role="alert"' in text(response)


# --- languages and plans ------------------------------------------------------------------------


def test_the_language_switch_links_to_the_same_page_in_the_other_language(client, seeded):
    html = text(client.get(reverse("targets"), {"q": "托育", "status": "no_report"}))
    assert re.search(
        r'<a class="lang-switch" id="lang-switch" href="/en/targets/\?q=[^"]*status=no_report"', html
    )
    english = client.get("/en/targets/", {"q": "托育"})
    assert english.status_code == 200
    assert '<html lang="en">' in text(english)
    assert 'href="/targets/?q=' in text(english)


def test_synthetic_plans_never_reach_the_public_pages(client, seeded):
    generate(year=9000, projects=2, actions=1, measures_per_action=1, targets_per_group=2)
    for url in (reverse("home"), reverse("targets"), reverse("project", args=["P1"])):
        html = text(client.get(url))
        assert "合成" not in html
    assert client.get(reverse("data_targets_csv", args=[9000])).status_code == 404


def test_without_a_real_plan_the_home_page_says_so(client):
    generate(year=9001, projects=1, actions=1, measures_per_action=1, targets_per_group=1)
    response = client.get(reverse("home"))
    assert response.status_code == 404 and "尚未载入工作计划" in text(response)


def test_a_pinned_plan_year_is_shown_instead(client, seeded, settings):
    other = make_plan(2030, title="2030 测试计划")
    make_target(make_project(other, "P1", name="未来项目"), "P1.1")
    settings.PUBLIC_PLAN_YEAR = 2030
    assert "未来项目" in text(client.get(reverse("home")))


def test_healthz_is_trivial(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz"))
    assert response.content == b"ok"


# --- lights, forecasts, the schedule and final statuses (issue 10) -----------------------------


def test_a_target_page_shows_its_light_forecast_and_last_period_covered(client, publish):
    publish("P4.1", 5500, datetime.date(2024, 6, 30))
    html = text(client.get(reverse("target", args=["P4.1"]), {"as_of": "2024-07-01"}))
    assert "亮灯" in html and "绿灯" in html
    assert "按当前进度预计到期值" in html and "1.106万名" in html  # 5500 × 366 ÷ 182 = 11060.4 → 11060名
    assert "完成目标尚需每月" in html
    assert "每月报送,每期结束后次月 5 日前" in html
    assert "最近填报覆盖期" in html and "2024-06" in html


def test_a_milestone_page_has_no_forecast(client, publish):
    publish("A1.1", 50, datetime.date(2024, 6, 30))
    html = text(client.get(reverse("target", args=["A1.1"]), {"as_of": "2024-07-01"}))
    assert "按当前进度预计到期值" not in html and "完成目标尚需每月" not in html


def test_after_the_year_a_target_reads_done_missed_or_never_reported(client, publish):
    publish("P4.1", 5500, datetime.date(2024, 6, 30))
    publish("P7.1", 3100, datetime.date(2024, 10, 31))
    html = text(client.get(reverse("project", args=["P4"])))  # today: long after 2024

    def cell(code: str) -> str:
        return re.search(rf'id="target-{code}">(.*?)</tr>', html, re.S).group(1)

    assert str(Status.MISSED.label) in cell("P4.1") and "红灯" in cell("P4.1")
    never = cell("P4.2")
    assert str(Status.NEVER_REPORTED.label) in never and "红灯" in never
    assert str(Status.NO_REPORT.label) not in never and "久未更新" not in never
    done = text(client.get(reverse("project", args=["P7"])))
    assert str(Status.DONE.label) in re.search(r'id="target-P7.1">(.*?)</tr>', done, re.S).group(1)


def test_before_the_first_deadline_no_report_is_grey_and_red_after_its_grace(client, seeded):
    early = text(client.get(reverse("project", args=["P4"]), {"as_of": "2024-02-20"}))
    assert "灰灯" in re.search(r'id="target-P4.2">(.*?)</tr>', early, re.S).group(1)
    late = text(client.get(reverse("project", args=["P4"]), {"as_of": "2024-02-21"}))
    row = re.search(r'id="target-P4.2">(.*?)</tr>', late, re.S).group(1)
    assert "红灯" in row and str(Status.NO_REPORT.label) in row


def test_rollups_count_targets_by_light(client, publish):
    publish("P4.1", 5500, datetime.date(2024, 6, 30))
    html = text(client.get(reverse("home"), {"as_of": "2024-07-01"}))
    assert re.search(r'class="light light-green">.*?绿灯</span> 1', html, re.S)


def test_a_target_page_says_how_each_period_was_reported(client, seeded):
    author, reviewer = make_user("author-2"), make_user("reviewer-2")
    target = Target.objects.get(plan=seeded, code="P4.1")
    for as_of, on in [
        (datetime.date(2024, 1, 31), datetime.date(2024, 2, 3)),
        (datetime.date(2024, 3, 31), datetime.date(2024, 4, 20)),
    ]:
        report = services.submit_report(target=target, value=Decimal(100), as_of=as_of, author=author)
        Report.objects.filter(pk=report.pk).update(
            created_at=datetime.datetime.combine(on, datetime.time(10), tzinfo=datetime.UTC)
        )
        services.approve_report(report=report, reviewer=reviewer)
    html = text(client.get(reverse("target", args=["P4.1"]), {"as_of": "2024-04-30"}))
    section = html[html.index('id="schedule-heading"') : html.index('id="history-heading"')]
    rows = re.findall(r'<th scope="row" class="num">([^<]+)</th>.*?timeliness-(\w+)', section, re.S)
    assert rows == [("2024-04", "open"), ("2024-03", "late"), ("2024-02", "missing"), ("2024-01", "on_time")]
