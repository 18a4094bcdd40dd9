"""Smoke tests for the real-browser setup: Chromium through Playwright, axe-core, live_server."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def assert_main_and_chinese(page):
    assert page.locator("main").count() == 1
    lang = page.locator("html").get_attribute("lang") or ""
    assert lang.lower().startswith("zh"), lang


def test_home_has_main_landmark_and_chinese_lang(seeded_live, live_server, page):
    response = page.goto(live_server.url + "/")
    assert response is not None and response.status == 200
    assert_main_and_chinese(page)


def test_home_without_a_plan_is_still_a_page(live_server, page):
    response = page.goto(live_server.url + "/")
    assert response is not None and response.status == 404
    assert "尚未载入工作计划" in page.locator("main").inner_text()
    assert_main_and_chinese(page)


def test_home_with_the_seed_shows_the_plan(seeded_live, live_server, page, axe):
    response = page.goto(live_server.url + "/")
    assert response is not None and response.status == 200
    assert seeded_live.title in page.locator("main").inner_text()
    axe(page)


def test_axe_reports_violations(page, axe):
    page.set_content(
        '<!DOCTYPE html><html lang="zh-hans"><title>测试</title><main><img src="x.png"></main></html>'
    )
    ids = {violation["id"] for violation in axe(page, expect_clean=False)}
    assert "image-alt" in ids
    page.set_content(
        '<!DOCTYPE html><html lang="zh-hans"><title>测试</title><main><h1>标题</h1>'
        '<img src="x.png" alt="示意图"></main></html>'
    )
    assert axe(page) == []
