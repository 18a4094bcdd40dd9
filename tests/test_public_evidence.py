"""Evidence files are public once their report is approved, and not before."""

import datetime
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from PIL import Image

from goals.models import Evidence
from goals.reporting import services
from tests.builders import PDF, evidence, make_plan, make_project, make_target, make_user, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(media):
    target = make_target(make_project(make_plan(2023)), "P1.1", value=200)
    return services.submit_report(
        target=target,
        value=D(80),
        as_of=datetime.date(2023, 6, 30),
        author=make_user("official"),
        evidence=evidence("验收单.pdf"),
    )


def test_it_hides_the_evidence_of_a_report_not_yet_approved(client, submitted):
    item = Evidence.objects.get()
    assert client.get(reverse("evidence", args=[item.pk])).status_code == 404


def test_it_serves_the_evidence_of_an_approved_report(client, submitted):
    services.approve_report(report=submitted, reviewer=make_user("reviewer"))
    item = Evidence.objects.get()
    response = client.get(reverse("evidence", args=[item.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response["Content-Security-Policy"]


def test_it_hides_the_evidence_of_a_returned_report(client, submitted):
    services.return_report(report=submitted, reviewer=make_user("reviewer"), reason="照片不清")
    item = Evidence.objects.get()
    assert client.get(reverse("evidence", args=[item.pk])).status_code == 404


def png(width: int = 1200, height: int = 800) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (30, 120, 200, 255)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def photo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    target = make_target(make_project(make_plan(2023)), "P1.1", value=200)
    report = services.submit_report(
        target=target,
        value=D(80),
        as_of=datetime.date(2023, 6, 30),
        author=make_user("official"),
        evidence=[(upload("现场.png", png()), "image/png")],
    )
    return report, Evidence.objects.get()


def test_it_makes_a_thumbnail_of_an_approved_image_once(client, photo, tmp_path):
    report, item = photo
    url = reverse("evidence_thumbnail", args=[item.pk])
    assert client.get(url).status_code == 404  # not approved yet
    services.approve_report(report=report, reviewer=make_user("reviewer"))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "sandbox" in response["Content-Security-Policy"]
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as thumb:
        assert thumb.format == "JPEG" and thumb.size == (320, 213)
    stored = list((tmp_path / "evidence" / "thumbs").iterdir())
    assert len(stored) == 1
    made = stored[0].stat().st_mtime_ns
    assert client.get(url).status_code == 200
    assert stored[0].stat().st_mtime_ns == made  # served from the file made the first time


def test_a_pdf_has_no_thumbnail(client, submitted):
    services.approve_report(report=submitted, reviewer=make_user("reviewer"))
    item = Evidence.objects.get()
    assert client.get(reverse("evidence_thumbnail", args=[item.pk])).status_code == 404
