"""Evidence files through a permission-checked view, never a public media URL."""

from __future__ import annotations

import pytest
from django.urls import reverse

from goals.reporting import services
from tests.builders import PDF
from tests.builders import evidence as files
from tests.personas import DAY, as_user


@pytest.fixture
def evidence(world, official_own, media):
    report = services.submit_report(
        target=world.own_target, value=10, as_of=DAY, author=official_own, evidence=files("验收报告.pdf")
    )
    return report.evidence.get()


def test_it_streams_a_pdf_as_a_download_with_its_type(evidence, official_own):
    response = as_user(official_own).get(reverse("evidence_file", args=[evidence.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"].startswith("sandbox;")
    assert "%E9%AA%8C%E6%94%B6%E6%8A%A5%E5%91%8A.pdf" in response["Content-Disposition"]  # 验收报告.pdf
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_it_answers_404_when_the_stored_file_is_gone(evidence, reviewer):
    evidence.file.delete(save=False)
    assert as_user(reviewer).get(reverse("evidence_file", args=[evidence.pk])).status_code == 404


def test_it_links_evidence_through_the_staff_view_not_media(evidence, official_own, reviewer):
    for user in (official_own, reviewer):
        html = as_user(user).get(reverse("workspace" if user == official_own else "review_queue"))
        html = html.content.decode()
        assert reverse("evidence_file", args=[evidence.pk]) in html
        assert evidence.file.url not in html
