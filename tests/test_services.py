"""The report workflow: append-only reports, review, optimistic concurrency, audit."""

import datetime
import hashlib
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from goals.models import AuditEntry, Plan, Report, Target
from goals.reporting import services
from goals.reporting.forms import ReportForm
from tests.builders import PDF, PNG, make_plan, make_project, make_target, make_user, upload
from tests.samples import JPEG

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


def audit(entry: AuditEntry) -> tuple:
    return (entry.action, entry.actor, entry.target, entry.report, entry.changes)


def test_it_submits_with_evidence_and_audits(target, official, media):
    report = services.submit_report(
        target=target,
        value=D("80.5"),
        as_of=DAY,
        author=official,
        note="上半年",
        evidence=[(upload("现场照片.png"), "image/png"), (upload("台账.pdf"), "application/pdf")],
    )
    assert (report.target, report.value, report.as_of, report.note, report.author, report.state) == (
        target,
        D("80.5"),
        DAY,
        "上半年",
        official,
        Report.State.SUBMITTED,
    )
    photo, ledger = report.evidence.order_by("id")
    assert (photo.original_name, photo.content_type, photo.size) == ("现场照片.png", "image/png", len(PNG))
    assert photo.sha256 == hashlib.sha256(PNG).hexdigest()
    assert photo.file.read() == PNG
    assert (ledger.original_name, ledger.content_type, ledger.sha256) == (
        "台账.pdf",
        "application/pdf",
        hashlib.sha256(PDF).hexdigest(),
    )
    assert [audit(e) for e in AuditEntry.objects.all()] == [
        (
            AuditEntry.Action.SUBMIT,
            official,
            target,
            report,
            {
                "value": "80.5",
                "as_of": "2023-06-30",
                "note": "上半年",
                "evidence": ["现场照片.png", "台账.pdf"],
                "revises": None,
            },
        )
    ]


def test_next_steps_and_plausibility_flags_are_kept_with_the_report_and_in_its_audit_entry(target, official):
    # The flags the form found (goals.rules.plausibility), confirmed in the note, are stored as
    # given, with the next stage's plan; audit= adds where the figure came from (a workbook).
    report = services.submit_report(
        target=target,
        value=D(900),
        as_of=DAY,
        author=official,
        note="统计口径调整,已核实",
        next_steps="下半年完成剩余 100 个",
        plausibility_flags=["decrease", "overshoot"],
        audit={"workbook": "甲单位.xlsx"},
    )
    stored = Report.objects.get()
    assert (stored.next_steps, stored.plausibility_flags) == (
        "下半年完成剩余 100 个",
        ["decrease", "overshoot"],
    )
    assert audit(AuditEntry.objects.get()) == (
        AuditEntry.Action.SUBMIT,
        official,
        target,
        report,
        {
            "value": "900",
            "as_of": "2023-06-30",
            "note": "统计口径调整,已核实",
            "next_steps": "下半年完成剩余 100 个",
            "plausibility_flags": ["decrease", "overshoot"],
            "evidence": [],
            "revises": None,
            "workbook": "甲单位.xlsx",
        },
    )


def test_a_report_without_next_steps_or_flags_has_none_and_its_audit_entry_leaves_them_out(target, official):
    services.submit_report(target=target, value=D(80), as_of=DAY, author=official)
    stored = Report.objects.get()
    assert (stored.next_steps, stored.plausibility_flags) == ("", [])
    assert sorted(AuditEntry.objects.get().changes) == ["as_of", "evidence", "note", "revises", "value"]


def test_a_report_without_a_note_has_an_empty_one(target, official):
    report = services.submit_report(target=target, value=D(80), as_of=DAY, author=official)
    assert report.note == "" and report.evidence.count() == 0
    assert AuditEntry.objects.get().changes["note"] == ""


def test_the_digest_and_the_stored_file_cover_the_whole_upload_even_after_it_was_read(
    target, official, media
):
    photo = upload("photo.png")
    photo.read(10)  # the form's type check reads the first bytes
    report = services.submit_report(
        target=target, value=D(80), as_of=DAY, author=official, evidence=[(photo, "image/png")]
    )
    item = report.evidence.get()
    assert item.sha256 == hashlib.sha256(PNG).hexdigest() and item.file.read() == PNG


def test_a_long_file_name_is_kept_to_200_characters(target, official, media):
    name = "现" * 250 + ".pdf"
    report = services.submit_report(
        target=target, value=D(80), as_of=DAY, author=official, evidence=[(upload(name), "application/pdf")]
    )
    assert report.evidence.get().original_name == name[:200]


def test_approval_publishes_and_audits(target, official, reviewer):
    report = services.submit_report(target=target, value=D(80), as_of=DAY, author=official)
    result = services.approve_report(report=report, reviewer=reviewer)
    stored = Report.objects.get()
    assert (stored.state, stored.reviewer, stored.reviewed_at) == (
        Report.State.APPROVED,
        reviewer,
        result.reviewed_at,
    )
    assert stored.reviewed_at is not None
    assert audit(AuditEntry.objects.latest("id")) == (
        AuditEntry.Action.APPROVE,
        reviewer,
        target,
        report,
        {"state": ["submitted", "approved"], "value": "80"},
    )


def test_the_approved_report_comes_back_with_its_target(
    target, official, reviewer, django_assert_num_queries
):
    report = services.submit_report(target=target, value=D(80), as_of=DAY, author=official)
    result = services.approve_report(report=report, reviewer=reviewer)
    with django_assert_num_queries(0):
        assert result.target.code == "P1.1"


def test_no_one_approves_their_own_report_in_the_staff_queue(target, official):
    report = services.submit_report(target=target, value=D(80), as_of=DAY, author=official)
    with pytest.raises(services.WorkflowError) as refused:
        services.approve_report(report=report, reviewer=official)
    assert str(refused.value) == "不能审核通过自己提交的报告,请由其他审核人员处理。"
    assert Report.objects.get().state == Report.State.SUBMITTED
    assert AuditEntry.objects.count() == 1


def test_an_author_approves_their_own_report_only_when_saying_so(target, official):
    # manage.py report --approve --self-approve: a superuser's scripted load of their own.
    report = services.submit_report(target=target, value=D(80), as_of=DAY, author=official)
    with pytest.raises(services.WorkflowError, match="不能审核通过自己提交的报告"):
        services.approve_report(report=report, reviewer=official)
    assert Report.objects.get().state == Report.State.SUBMITTED
    services.approve_report(report=report, reviewer=official, self_approval=True)
    assert Report.objects.get().state == Report.State.APPROVED
    approval = AuditEntry.objects.get(action=AuditEntry.Action.APPROVE)
    assert approval.changes["self_approved"] is True


def test_approval_is_once_only_and_bumps_the_revision(target, official, reviewer):
    report = services.submit_report(target=target, value=D(80), as_of=DAY, author=official)
    services.approve_report(report=report, reviewer=reviewer)
    with pytest.raises(services.WorkflowError) as twice:
        services.approve_report(report=report, reviewer=reviewer)
    assert str(twice.value) == "该报告已被处理(当前状态:已通过),无需重复操作。"
    with pytest.raises(services.WorkflowError):
        services.return_report(report=report, reviewer=reviewer, reason="迟了")
    assert Report.objects.get().state == Report.State.APPROVED
    assert Target.objects.get().revision == 1


def test_a_stale_form_is_refused_and_saves_nothing(target, official, reviewer):
    shown_revision = target.revision
    other = services.submit_report(target=target, value=D(50), as_of=DAY, author=official)
    services.approve_report(report=other, reviewer=reviewer)
    with pytest.raises(services.StaleTarget) as stale:
        services.submit_report(
            target=target, value=D(90), as_of=DAY, author=official, expected_revision=shown_revision
        )
    assert (
        str(stale.value) == "该目标在您打开表单后已有变动(新数据已审核或分工已调整),请核对最新情况后再提交。"
    )
    assert Report.objects.count() == 1
    fresh = services.submit_report(
        target=target, value=D(90), as_of=DAY, author=official, expected_revision=shown_revision + 1
    )
    assert fresh.value == D(90)


@pytest.mark.parametrize("reason", ["", "  ", None])
def test_a_return_needs_a_reason(target, official, reviewer, reason):
    report = services.submit_report(target=target, value=D(800), as_of=DAY, author=official)
    with pytest.raises(services.WorkflowError) as refused:
        services.return_report(report=report, reviewer=reviewer, reason=reason)
    assert str(refused.value) == "退回时请写明理由。"
    assert Report.objects.get().state == Report.State.SUBMITTED


def test_a_return_keeps_the_reason_and_audits(target, official, reviewer):
    report = services.submit_report(target=target, value=D(800), as_of=DAY, author=official)
    services.return_report(report=report, reviewer=reviewer, reason="  多输了一个零 ")
    stored = Report.objects.get()
    assert (stored.state, stored.reviewer, stored.return_reason) == (
        Report.State.RETURNED,
        reviewer,
        "多输了一个零",
    )
    assert stored.reviewed_at is not None
    assert audit(AuditEntry.objects.latest("id")) == (
        AuditEntry.Action.RETURN,
        reviewer,
        target,
        report,
        {"state": ["submitted", "returned"], "reason": "多输了一个零"},
    )


def test_a_correction_is_a_new_report_and_only_one_per_return(target, official, reviewer):
    report = services.submit_report(target=target, value=D(800), as_of=DAY, author=official)
    services.return_report(report=report, reviewer=reviewer, reason="多输了一个零")
    fixed = services.submit_report(target=target, value=D(80), as_of=DAY, author=official, revises=report)
    assert fixed.revises == report
    assert Report.objects.get(pk=report.pk).state == Report.State.RETURNED
    assert Report.objects.get(pk=report.pk).value == D(800)  # kept, not overwritten
    assert AuditEntry.objects.latest("id").changes["revises"] == report.pk
    with pytest.raises(services.WorkflowError) as again:
        services.submit_report(target=target, value=D(81), as_of=DAY, author=official, revises=report)
    assert str(again.value) == "该退回报告已经更正过。"


def test_only_a_returned_report_of_the_same_target_can_be_corrected(target, official, reviewer):
    pending = services.submit_report(target=target, value=D(800), as_of=DAY, author=official)
    other_target = make_target(target.group, "P1.2", value=10)
    elsewhere = services.submit_report(target=other_target, value=D(8), as_of=DAY, author=official)
    services.return_report(report=elsewhere, reviewer=reviewer, reason="填错目标")
    for revises in (pending, elsewhere):
        with pytest.raises(services.WorkflowError) as refused:
            services.submit_report(target=target, value=D(80), as_of=DAY, author=official, revises=revises)
        assert str(refused.value) == "只能更正已退回的本目标报告。"
    assert Report.objects.count() == 2


@pytest.mark.parametrize(
    ("name", "content", "ok"),
    [
        ("scan.pdf", PDF, True),
        ("broken.pdf", b"%PDF-1.7\n...", False),
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
        assert any(why in form.errors["evidence"][0] for why in ("不是可接受的图片或 PDF", "无法完整读取"))


def test_oversized_evidence_is_refused(target, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 2000)
    form = ReportForm({"value": "5", "as_of": "2023-06-30"}, {"evidence": [big]}, target=target, today=DAY)
    assert not form.is_valid()
    assert "超过" in form.errors["evidence"][0]


def test_the_same_figure_waits_for_review_once(target, official, reviewer):
    first = services.submit_report(target=target, value=D(120), as_of=DAY, author=official, note="一期")
    with pytest.raises(services.AlreadySubmitted) as again:
        services.submit_report(target=target, value=D("120.0"), as_of=DAY, author=official, note="重复")
    assert again.value.report == first
    assert "已经提交,正在等待审核" in str(again.value)
    assert Report.objects.count() == 1 and AuditEntry.objects.count() == 1
    # A genuine second report stays possible: another value, another day, or after review.
    services.submit_report(target=target, value=D(121), as_of=DAY, author=official)
    services.submit_report(
        target=target, value=D(120), as_of=DAY - datetime.timedelta(days=1), author=official
    )
    services.return_report(report=first, reviewer=reviewer, reason="请补充佐证")
    services.submit_report(target=target, value=D(120), as_of=DAY, author=official, revises=first)
    assert Report.objects.count() == 4


def test_a_duplicate_committed_between_the_check_and_the_insert_is_caught_by_the_constraint(
    target, official, monkeypatch
):
    """What the target's lock cannot stop (SQLite has no row locks): the unique constraint
    answers "already submitted", and the caller's transaction goes on."""
    first = services.submit_report(target=target, value=D(120), as_of=DAY, author=official)
    looked = []
    real = services.pending_duplicate

    def blind_first_look(**kwargs):
        looked.append(kwargs)
        return None if len(looked) == 1 else real(**kwargs)

    monkeypatch.setattr(services, "pending_duplicate", blind_first_look)
    with transaction.atomic():
        with pytest.raises(services.AlreadySubmitted) as again:
            services.submit_report(target=target, value=D(120), as_of=DAY, author=official)
        assert Report.objects.count() == 1  # the outer transaction is still usable
    assert again.value.report == first and len(looked) == 2
    assert AuditEntry.objects.count() == 1


def test_a_duplicate_is_refused_before_anything_is_written(target, official):
    """Under the target's lock the waiting report is found first: the duplicate is answered
    without an insert that fails (the unique constraint is only the last resort)."""
    services.submit_report(target=target, value=D(120), as_of=DAY, author=official)
    with CaptureQueriesContext(connection) as queries, pytest.raises(services.AlreadySubmitted) as again:
        services.submit_report(target=target, value=D(120), as_of=DAY, author=official)
    assert str(again.value) == "这一数据(截至 2023-06-30)已经提交,正在等待审核,无需重复提交。"
    assert not [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("INSERT")]


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (Plan.Status.DRAFT, "2023 年计划尚未发布,还不能填报。"),
        (Plan.Status.CLOSED, "2023 年计划已结项,不再接受报告;如需更正结项数据,请联系管理员。"),
    ],
)
def test_a_plan_that_is_not_open_takes_no_report_and_says_why(target, official, status, message):
    closing = datetime.datetime(2024, 1, 25, 9, tzinfo=datetime.UTC)
    closed = {"closed_at": closing, "closed_as_of": closing.date()} if status == Plan.Status.CLOSED else {}
    Plan.objects.filter(pk=target.plan_id).update(status=status, **closed)
    with pytest.raises(services.WorkflowError) as refused:
        services.submit_report(target=target, value=D(120), as_of=DAY, author=official)
    assert str(refused.value) == message
    assert not Report.objects.exists() and not AuditEntry.objects.exists()
