"""The report workflow: append-only reports, review, optimistic concurrency, audit."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from goals import services
from goals.forms import ReportForm
from goals.models import AuditEntry, Report, Target
from tests.builders import make_plan, make_project, make_target, make_user
from tests.samples import JPEG, PNG

pytestmark = pytest.mark.django_db
DAY = datetime.date(2023, 6, 30)


@pytest.fixture
def target():
    return make_target(make_project(make_plan(2023)), "P1.1", value=200)


@pytest.fixture
def official():
    return make_user("official")


@pytest.fixture
def reviewer():
    return make_user("reviewer")


def test_it_submits_with_evidence_and_audits(target, official, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    report = services.submit_report(
        target=target, value=D(80), as_of=DAY, author=official, evidence=[(upload, "image/png")]
    )
    evidence = report.evidence.get()
    assert evidence.original_name == "photo.png" and evidence.size == len(PNG)
    assert evidence.file.read() == PNG
    entry = AuditEntry.objects.get()
    assert (
        entry.actor == official
        and entry.changes["value"] == "80"
        and entry.changes["evidence"] == ["photo.png"]
    )


def test_approval_is_once_only_and_bumps_the_revision(target, official, reviewer):
    report = services.submit_report(target=target, value=D(80), as_of=DAY, author=official)
    services.approve_report(report=report, reviewer=reviewer)
    with pytest.raises(services.WorkflowError, match="已被处理"):
        services.approve_report(report=report, reviewer=reviewer)
    with pytest.raises(services.WorkflowError):
        services.return_report(report=report, reviewer=reviewer, reason="迟了")
    assert Report.objects.get().state == Report.State.APPROVED
    assert Target.objects.get().revision == 1


def test_a_stale_form_is_refused_and_saves_nothing(target, official, reviewer):
    shown_revision = target.revision
    other = services.submit_report(target=target, value=D(50), as_of=DAY, author=official)
    services.approve_report(report=other, reviewer=reviewer)
    with pytest.raises(services.StaleTarget):
        services.submit_report(
            target=target, value=D(90), as_of=DAY, author=official, expected_revision=shown_revision
        )
    assert Report.objects.count() == 1


def test_return_needs_a_reason_and_a_correction_is_a_new_report(target, official, reviewer):
    report = services.submit_report(target=target, value=D(800), as_of=DAY, author=official)
    with pytest.raises(services.WorkflowError, match="理由"):
        services.return_report(report=report, reviewer=reviewer, reason="  ")
    services.return_report(report=report, reviewer=reviewer, reason="多输了一个零")
    fixed = services.submit_report(target=target, value=D(80), as_of=DAY, author=official, revises=report)
    assert fixed.revises == report
    assert Report.objects.get(pk=report.pk).state == Report.State.RETURNED
    assert Report.objects.get(pk=report.pk).value == D(800)  # kept, not overwritten
    with pytest.raises(services.WorkflowError, match="已经更正过"):
        services.submit_report(target=target, value=D(81), as_of=DAY, author=official, revises=report)


@pytest.mark.parametrize(
    ("name", "content", "ok"),
    [
        ("scan.pdf", b"%PDF-1.7\n...", True),
        ("photo.jpg", JPEG, True),
        ("photo.png", PNG, True),
        ("fake.png", b"<script>alert(1)</script>", False),
        ("macro.docx", b"PK\x03\x04", False),
        ("noext", b"%PDF-1.7", False),
    ],
)
def test_evidence_must_really_be_an_image_or_pdf(target, name, content, ok):
    form = ReportForm(
        {"value": "5", "as_of": "2023-06-30"},
        {"evidence": [SimpleUploadedFile(name, content)]},
        target=target,
        today=DAY,
    )
    assert form.is_valid() is ok
    if not ok:
        assert "不是可接受的图片或 PDF" in form.errors["evidence"][0]


def test_oversized_evidence_is_refused(target, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 2000)
    form = ReportForm({"value": "5", "as_of": "2023-06-30"}, {"evidence": [big]}, target=target, today=DAY)
    assert not form.is_valid()
    assert "超过" in form.errors["evidence"][0]
