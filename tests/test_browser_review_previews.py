"""The review queue in headless Chromium: a reviewer sees a photo's thumbnail and a PDF's
first page beside the reported figure (the images load), and approves without downloading."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from goals.accounts.permissions import OFFICIAL, REVIEWER, ensure_roles
from goals.models import Department, Report, Target
from goals.reporting import services
from tests.builders import evidence, make_user
from tests.test_browser_staff import sign_in

pytestmark = pytest.mark.browser


def one_page_pdf() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (595, 842), (30, 120, 60)).save(out, "PDF", resolution=72)
    return out.getvalue()


@pytest.fixture
def waiting(seeded_live, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ensure_roles()
    department = Department.objects.get(name="遥观镇")
    target = Target.objects.get(plan=seeded_live, code="P1.3")
    Target.objects.filter(pk=target.pk).update(lead_department=department)
    official = make_user("yaoguan", first_name="遥观填报员")
    official.groups.add(Group.objects.get(name=OFFICIAL))
    department.members.add(official)
    reviewer = make_user("shenhe", password="Shenhe-2024!", first_name="审核员")
    reviewer.groups.add(Group.objects.get(name=REVIEWER))
    pdf = SimpleUploadedFile("验收单.pdf", one_page_pdf(), content_type="application/pdf")
    return services.submit_report(
        target=target,
        value=Decimal(120),
        as_of=datetime.date(2024, 6, 30),
        author=official,
        evidence=[(pdf, "application/pdf"), *evidence("现场.png")],
    )


def test_a_reviewer_reads_the_evidence_in_the_queue_and_approves(waiting, live_server, page, axe):
    # The test server shares one SQLite connection between its threads, and the browser
    # fetches both previews at once: here the test fetches them itself, one after the other.
    page.route("**/staff/evidence/**", lambda route: route.abort())
    sign_in(page, live_server.url, "shenhe", "Shenhe-2024!")
    page.goto(live_server.url + reverse("review_queue"))
    # Each preview is a link named by its file (the image itself is decorative: alt="").
    first_page = page.get_by_role("link", name="验收单.pdf").locator("img")
    photo = page.get_by_role("link", name="现场.png").locator("img")
    sizes = []
    for image in (first_page, photo):
        response = page.request.get(live_server.url + image.get_attribute("src"))
        assert response.ok and response.headers["content-type"].startswith("image/")
        sizes.append(Image.open(io.BytesIO(response.body())).size)
    assert sizes[0][1] > sizes[0][0] > 300  # the PDF's first page: a portrait page, legible
    axe(page)
    page.get_by_role("button", name="通过 P1.3").click()
    page.get_by_text("已通过").first.wait_for()
    assert Report.objects.get(pk=waiting.pk).state == Report.State.APPROVED
