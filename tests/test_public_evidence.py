"""Evidence files are public once their report is approved, and not before."""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse

from goals import services
from goals.models import Evidence
from tests.builders import PDF, evidence, make_plan, make_project, make_target, make_user

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
    assert "inline" in response["Content-Disposition"]


def test_it_hides_the_evidence_of_a_returned_report(client, submitted):
    services.return_report(report=submitted, reviewer=make_user("reviewer"), reason="照片不清")
    item = Evidence.objects.get()
    assert client.get(reverse("evidence", args=[item.pk])).status_code == 404
