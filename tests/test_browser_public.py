"""The public site in headless Chromium: filtering in place, the language switch, the as-of
view, phone layout, and an axe-core scan of every public page."""

from __future__ import annotations

import datetime
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from goals.models import Department, Target
from goals.reporting import services
from tests.builders import make_user, publish

pytestmark = pytest.mark.browser


@pytest.fixture
def site(seeded_live, live_server):
    """The seed with a few approved reports and an owning department; returns the server URL."""
    plan = seeded_live
    unit = Department.objects.get(name="区经济发展局")
    Target.objects.filter(plan=plan, group__code__in=["P4", "P7"]).update(lead_department=unit)
    Target.objects.get(plan=plan, code="P1.1").co_departments.add(unit)
    author, reviewer = make_user("author"), make_user("reviewer")
    for code, value, day in [
        ("P4.1", 5000, datetime.date(2024, 3, 31)),
        ("P4.1", 10450, datetime.date(2024, 6, 30)),
        ("P7.1", 3100, datetime.date(2024, 10, 31)),
        ("P5.2", 20, datetime.date(2024, 6, 30)),
        ("A1.1", 50, datetime.date(2024, 6, 30)),
    ]:
        target = Target.objects.get(plan=plan, code=code)
        publish(target, value, day, author=author, reviewer=reviewer, note=f"{code} 进展说明")
    live_server.unit = unit
    return live_server


def test_it_filters_the_list_in_place_and_keeps_the_url_shareable(site, page):
    page.goto(site.url + "/targets/")
    count = page.locator(".result-count")
    total = count.inner_text()
    # A marker on window survives only if the page is not reloaded.
    page.evaluate("() => { window.__notReloaded = true; }")
    page.fill("#id_q", "充电桩")
    page.wait_for_function("() => location.search.includes('q=')")
    page.wait_for_function(
        "() => document.querySelector('.result-count').textContent.includes('共 2 个目标')"
    )
    assert page.evaluate("() => window.__notReloaded") is True
    assert "q=%E5%85%85%E7%94%B5%E6%A1%A9" in page.url
    rows = page.locator("#target-results tbody tr")
    assert rows.count() == 2
    assert page.locator("#target-P5\\.2").is_visible()
    # Choosing a status narrows it again, still in place.
    page.fill("#id_q", "")
    page.select_option("#id_status", "done")
    page.wait_for_function("() => location.search.includes('status=done')")
    page.wait_for_function(
        "() => document.querySelector('.result-count').textContent.includes('共 1 个目标')"
    )
    assert page.evaluate("() => window.__notReloaded") is True
    assert page.locator("#target-results tbody tr").first.inner_text().startswith("P7.1")
    assert total != count.inner_text()
    # The language link follows the filtered URL (out-of-band swap).
    assert "status=done" in page.locator("#lang-switch").get_attribute("href")
    # The shared URL opens the same list on its own.
    shared = page.url
    other = page.context.new_page()
    other.goto(shared)
    assert other.locator(".result-count").inner_text() == count.inner_text()
    assert other.locator("#id_status").input_value() == "done"
    other.close()


def test_the_filter_works_as_a_plain_form_without_javascript(site, browser):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(site.url + "/targets/")
        page.fill("#id_q", "充电桩")
        page.click("form.filters button[type=submit]")
        page.wait_for_url(re.compile(r".*q=.*"))
        assert "共 2 个目标" in page.locator(".result-count").inner_text()
    finally:
        context.close()


def test_the_language_switch_goes_to_english_and_back(site, page):
    page.goto(site.url + "/targets/?status=done")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.click("#lang-switch")
    page.wait_for_url(re.compile(r".*/en/targets/\?status=done$"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#lang-switch").inner_text() == "简体中文"
    assert page.locator("#id_status").input_value() == "done"
    page.click("#lang-switch")
    page.wait_for_url(re.compile(r".*/targets/\?status=done$"))
    assert "/en/" not in page.url
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("#lang-switch").inner_text() == "English"


def test_the_as_of_view_shows_older_values(site, page):
    page.goto(site.url + reverse("target", args=["P4.1"]))
    assert page.locator(".current-value").inner_text() == "1.045万名"
    page.fill("#as-of", "2024-04-15")
    page.click(".asof-form button[type=submit]")
    page.wait_for_url(re.compile(r".*as_of=2024-04-15"))
    assert page.locator(".current-value").inner_text() == "0.5万名"
    assert "正在查看 2024-04-15 当天的情况" in page.locator(".asof-line").inner_text()
    # Links carry the day: the home page opens at the same date.
    page.click("nav.breadcrumb a >> nth=0")
    page.wait_for_url(re.compile(r".*/\?as_of=2024-04-15$"))
    assert "正在查看 2024-04-15" in page.locator(".asof-line").inner_text()
    page.click("text=回到最新情况")
    page.wait_for_url(re.compile(r".*/$"))
    assert "评估日期" in page.locator(".asof-line").inner_text()


def test_a_bad_as_of_shows_a_notice_not_an_error(site, page):
    response = page.goto(site.url + "/?as_of=2024-02-31")
    assert response.status == 400
    assert "无法识别" in page.locator("[role=alert]").inner_text()


def public_urls(site) -> list[str]:
    return [
        reverse("home"),
        reverse("targets"),
        reverse("project", args=["P4"]),
        reverse("action", args=["A1"]),
        reverse("pillar", args=["S4"]),
        reverse("target", args=["P4.1"]),
        reverse("target", args=["P5.2"]),
        reverse("departments"),
        reverse("department", args=[site.unit.pk]),
        reverse("target", args=["P3.1"]),  # a level
        reverse("target", args=["A6.1"]),  # a ceiling
        reverse("target", args=["A1.1"]),  # a milestone
        reverse("pillar", args=["S1"]),
        reverse("league"),
        reverse("league") + "?as_of=2024-07-31&sort=on_time",
        reverse("project", args=["P4"]) + "?as_of=2024-02-01",  # grey lights
        "/en/",
        "/en/targets/?status=done",
        "/en/actions/A6/",
        "/en/targets/A6.1/",
        "/en/targets/P4.1/",
    ]


def test_every_public_page_passes_axe(site, page, axe):
    for url in public_urls(site):
        page.goto(site.url + url)
        page.locator("details").evaluate_all("(all) => all.forEach(d => d.open = true)")
        axe(page)


def test_the_home_page_fits_a_phone_and_passes_axe(site, browser, axe):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    try:
        page = context.new_page()
        for url in (
            reverse("home"),
            reverse("project", args=["P4"]),
            reverse("target", args=["P4.1"]),
            "/en/targets/A6.1/",
            "/en/targets/P3.1/",
            "/en/targets/",
            "/en/actions/A6/",
            "/en/departments/",
            f"/en/departments/{site.unit.pk}/",
        ):
            page.goto(site.url + url)
            # Against the device's width: a phone widens its layout viewport to fit the page.
            overflow = page.evaluate("() => document.documentElement.scrollWidth - 390")
            assert overflow <= 0, f"{url} scrolls sideways by {overflow}px on a phone"
            axe(page)
        page.goto(site.url + reverse("home"))
        assert page.locator(".cards .card").first.is_visible()
    finally:
        context.close()


def test_the_keyboard_reaches_the_content_first(site, page):
    page.goto(site.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "跳到正文"
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"


def test_the_home_page_prints_as_a_one_page_summary(site, page):
    page.goto(site.url + "/")
    page.emulate_media(media="print")
    assert not page.locator("form.asof-form").is_visible()  # no forms or navigation on paper
    assert page.locator("#projects-heading").is_visible() and page.locator("#pillars-heading").is_visible()
    pdf = page.pdf(prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1


CHART_CASES = [
    # (code, kind of picture, reports (value, day))
    ("P4.1", "cumulative", []),
    ("P3.1", "level", [(72, datetime.date(2024, 3, 31)), (75.5, datetime.date(2024, 6, 30))]),
    ("A6.1", "ceiling", [(0, datetime.date(2024, 3, 31)), (0, datetime.date(2024, 6, 30))]),
    ("A1.1", "stage", []),
]


def add_reports(code: str, reports) -> None:
    target = Target.objects.get(plan__year=2024, code=code)
    author, reviewer = make_user(f"a-{code}"), make_user(f"r-{code}")
    for value, day in reports:
        report = services.submit_report(target=target, value=Decimal(str(value)), as_of=day, author=author)
        services.approve_report(report=report, reviewer=reviewer)


def chart_facts(page) -> dict:
    return page.evaluate(
        """() => {
        const svg = document.querySelector('.chart-svg');
        const zoom = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        const texts = [...svg.querySelectorAll('.chart-labels text')];
        return {
          kind: document.querySelector('figure.chart').className,
          smallest: Math.min(...texts.map(t => parseFloat(getComputedStyle(t).fontSize) * zoom)),
          ticks: [...svg.querySelectorAll('.chart-tick')].map(t => t.textContent),
          pace: svg.querySelectorAll('.chart-pace').length,
          goal: svg.querySelectorAll('.chart-goal').length,
          held: svg.querySelectorAll('.chart-held').length,
          breached: svg.querySelectorAll('.chart-breached').length,
          legend: document.querySelector('.legend').textContent,
          overflow: document.documentElement.scrollWidth - screen.width,
        };
    }"""
    )


@pytest.mark.parametrize("viewport", [(1366, 900), (390, 844)], ids=["desktop", "phone"])
def test_each_kind_of_target_gets_its_own_chart(site, browser, viewport, axe):
    for code, _kind, reports in CHART_CASES:
        add_reports(code, reports)
    width, height = viewport
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN", is_mobile=width < 500
    )
    shots = os.environ.get("CHART_SCREENSHOTS")
    try:
        page = context.new_page()
        for code, kind, _reports in CHART_CASES:
            page.goto(site.url + reverse("target", args=[code]) + "?as_of=2024-07-15")
            facts = chart_facts(page)
            assert f"chart-{kind}" in facts["kind"]
            # Labels are readable: at least 11 px on the screen, on a phone too.
            assert facts["smallest"] >= 11, (code, facts["smallest"])
            assert facts["overflow"] <= 0, (code, facts["overflow"])
            if kind == "cumulative":
                assert facts["pace"] == 1 and facts["goal"] == 1 and "累计完成值" in facts["legend"]
            elif kind == "level":
                # Against the target level, not a pace from zero; the axis spans the levels.
                assert facts["pace"] == 0 and facts["goal"] == 1
                assert "累计" not in facts["legend"] and "报告的水平" in facts["legend"]
                assert float(facts["ticks"][0]) > 50, facts["ticks"]
            elif kind == "ceiling":
                # Held or breached along the year, no axis of numbers.
                assert facts["held"] == 2 and facts["breached"] == 0 and facts["pace"] == 0
                assert all(t.startswith("2024-") for t in facts["ticks"]), facts["ticks"]
                assert "守住底线" in facts["legend"]
            else:
                # Stages from 0 to 100 %, never beyond.
                values = [t for t in facts["ticks"] if t.endswith("%")]
                assert values[0] == "0%" and values[-1] == "100%", values
            if shots:
                name = f"{code}-{'phone' if width < 500 else 'desktop'}.png"
                page.locator("figure.chart").screenshot(path=str(Path(shots) / name))
        axe(page)
    finally:
        context.close()


def test_back_restores_the_filter_controls_with_the_results(site, page):
    page.goto(site.url + "/targets/")
    page.select_option("#id_status", "done")
    page.wait_for_function("() => location.search === '?status=done'")
    page.select_option("#id_group", "P7")
    page.wait_for_function("() => location.search.includes('group=P7')")
    page.wait_for_function(
        "() => document.querySelector('.result-count').textContent.includes('共 1 个目标')"
    )
    page.go_back()
    page.wait_for_function("() => location.search === '?status=done'")
    # The controls show what the URL says, not the blank form of the first page load.
    assert page.locator("#id_status").input_value() == "done"
    assert page.locator("#id_group").input_value() == ""
    page.go_back()
    page.wait_for_function("() => location.search === ''")
    assert page.locator("#id_status").input_value() == ""
    page.go_forward()
    page.wait_for_function("() => location.search === '?status=done'")
    assert page.locator("#id_status").input_value() == "done"
    # The next change keeps the status; the URL carries no empty criteria.
    page.select_option("#id_department", str(site.unit.pk))
    page.wait_for_function("() => location.search.includes('department=')")
    assert page.evaluate("() => location.search") == f"?status=done&department={site.unit.pk}"
    assert page.locator("#id_status").input_value() == "done"


def test_the_plain_form_leaves_empty_criteria_out_of_the_url(site, client):
    response = client.get("/targets/?q=&status=done&group=&department=&page=")
    assert response.status_code == 302
    assert response["Location"] == "/targets/?status=done"
    assert client.get("/targets/?q=").headers["Location"] == "/targets/"


def test_the_next_page_starts_at_the_top_of_the_results(site, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    try:
        page = context.new_page()
        page.goto(site.url + "/targets/")
        height = page.evaluate("() => document.documentElement.scrollHeight")
        # 50 targets a page stay readable on a phone without endless scrolling.
        assert height < 12_000, f"/targets/ is {height}px tall on a phone"
        page.locator(".pagination a[rel=next]").focus()
        page.keyboard.press("Enter")
        page.wait_for_function("() => location.search.includes('page=2')")
        page.wait_for_function("() => document.querySelector('.result-count').textContent.includes('第 2 /')")
        top = page.evaluate("() => document.getElementById('target-results').getBoundingClientRect().top")
        assert -2 <= top <= 40, top
        assert page.evaluate("() => document.activeElement.classList.contains('result-count')")
    finally:
        context.close()


def test_evidence_shows_images_as_thumbnails_with_one_marker_per_file(site, page, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    picture = io.BytesIO()
    Image.new("RGB", (900, 600), (200, 80, 40)).save(picture, "PNG")
    target = Target.objects.get(plan__year=2024, code="P7.1")
    report = services.submit_report(
        target=target,
        value=Decimal(3200),
        as_of=datetime.date(2024, 11, 30),
        author=make_user("photo-author"),
        evidence=[
            (SimpleUploadedFile("现场照片.png", picture.getvalue()), "image/png"),
            (SimpleUploadedFile("验收单.pdf", b"%PDF-1.7\n"), "application/pdf"),
        ],
    )
    services.approve_report(report=report, reviewer=make_user("photo-reviewer"))
    page.goto(site.url + reverse("target", args=["P7.1"]) + "?as_of=2024-12-15")
    items = page.locator(f"#report-{report.pk} .evidence li")
    assert items.count() == 2
    markers = items.evaluate_all(
        "(all) => all.map(li => [getComputedStyle(li).listStyleType, getComputedStyle(li, '::before').content])"
    )
    assert markers == [["none", "none"], ["none", "none"]], markers
    thumb = items.first.locator("img")
    thumb.wait_for()
    thumb.scroll_into_view_if_needed()  # thumbnails load lazily, when they come into view
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
    assert thumb.evaluate("(img) => img.naturalWidth") == 320
    assert items.first.locator("a").get_attribute("href") == reverse(
        "evidence", args=[report.evidence.first().pk]
    )


def test_pages_load_without_a_failed_request_and_describe_themselves(site, page):
    failed = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("console", lambda m: failed.append(m.text) if m.type == "error" else None)
    for url in ("/", reverse("target", args=["P4.1"]), "/en/targets/"):
        page.goto(site.url + url)
        page.wait_for_load_state("networkidle")
        description = page.locator("meta[name=description]").get_attribute("content")
        assert description and len(description) > 20, (url, description)
        if "P4.1" in url:
            assert description.startswith("P4.1 "), description
    assert page.request.get(site.url + "/favicon.ico").status == 200
    assert failed == []
