"""The public site in headless Chromium: filtering in place, the language switch, the as-of
view, phone layout, and an axe-core scan of every public page."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from goals import services
from goals.models import Department, Target
from tests.builders import make_user

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
        report = services.submit_report(
            target=target, value=Decimal(value), as_of=day, author=author, note=f"{code} 进展说明"
        )
        services.approve_report(report=report, reviewer=reviewer)
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
        reverse("league"),
        reverse("league") + "?as_of=2024-07-31&sort=on_time",
        reverse("project", args=["P4"]) + "?as_of=2024-02-01",  # grey lights
        "/en/",
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
        for url in (reverse("home"), reverse("project", args=["P4"]), reverse("target", args=["P4.1"])):
            page.goto(site.url + url)
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
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
