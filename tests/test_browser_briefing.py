"""The briefing pages in headless Chromium under the site's CSP: the public monthly notice
(公示) with the year switcher, and the staff page with its downloads; axe-core on both."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group

from goals.accounts.permissions import REVIEWER, ensure_roles
from goals.models import Department, Target
from goals.workbooks import plan as plan_workbook
from goals.workbooks import plan_import
from tests.builders import approved, make_user
from tests.test_browser_staff import sign_in

pytestmark = pytest.mark.browser


def test_the_public_notice_and_the_staff_briefing_are_accessible(
    seeded_live, live_server, page, axe, settings
):
    ensure_roles()
    settings.PUBLIC_YEAR_REDIRECT = True
    Target.objects.filter(plan=seeded_live, code="P1.3").update(
        lead_department=Department.objects.get(name="遥观镇")
    )
    approved(
        Target.objects.get(plan=seeded_live, code="P1.3"),
        10,
        datetime.date(2024, 5, 31),
        reviewer=make_user("r"),
        note="选址未定",
    )
    plan_import.import_plan(plan_workbook.export(seeded_live), year=2025)
    base = live_server.url

    page.goto(base + "/2024/briefing/?as_of=2024-06-30")
    text = page.locator("main").inner_text()
    assert "公示" in text and "遥观镇" in text and "新增托位" in text and "选址未定" not in text
    assert page.locator('.year-switch a[aria-current="page"]').inner_text().startswith("2024")
    axe(page)
    page.get_by_role("link", name="2025 年").click()
    page.wait_for_url(lambda url: url.endswith("/2025/"))

    reviewer = make_user("shenhe", password="Shenhe-2024!")
    reviewer.groups.add(Group.objects.get(name=REVIEWER))
    sign_in(page, base, "shenhe", "Shenhe-2024!")
    page.goto(base + "/staff/briefing/?as_of=2024-06-30")
    assert "选址未定" in page.locator("main").inner_text()
    axe(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="下载 PDF").click()
    assert info.value.suggested_filename.endswith(".pdf")
