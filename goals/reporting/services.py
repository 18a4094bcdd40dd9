"""The report workflow, which spans models: submit → (confirm) → review → publish.

    official submits ──► [待部门确认] ──head confirms──► [待审核] ──reviewer approves──► [已通过]
                              │ (only when the plan asks:        │
                              │  Plan.requires_head_confirmation) │
                              └──head returns──► [已退回] ◄──reviewer returns──┘
                                                    └── the official corrects: a new report

Each step runs in one transaction, locks the row it changes, and writes an audit
entry saying who did what, when. Nobody signs off their own work at any step: not the
author as head or reviewer, not the head who confirmed as reviewer (unless a caller says
`self_approval=True`, which the audit entry records). Only approval publishes.
"""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from goals.models import AuditEntry, Evidence, Plan, Report, Target
from goals.planning import publication
from goals.rules.formatting import plain


class WorkflowError(Exception):
    """A step that cannot be taken in the object's current state; the message says why."""


class StaleTarget(WorkflowError):
    """The target changed since the form was shown (a report approved, an assignment changed)."""


class AlreadySubmitted(WorkflowError):
    """The same figure (target, as-of day, value) already waits for review: nothing was added."""

    def __init__(self, report: Report):
        self.report = report
        super().__init__(
            _("这一数据(截至 %(day)s)已经提交,正在等待审核,无需重复提交。")
            % {"day": report.as_of.isoformat()}
        )


def pending_duplicate(*, target: Target, value: Decimal, as_of: datetime.date) -> Report | None:
    """The same figure still waiting (for the department head or for review)."""
    return Report.objects.in_flight().filter(target=target, as_of=as_of, value=value).first()


def refuse_unless_open(plan: Plan) -> None:
    """Reports are taken on published plans only: a draft is not public yet, and a closed
    year's figures are final (a correction after closing is an admin's, goals.planning.states)."""
    if plan.status == Plan.Status.CLOSED:
        raise WorkflowError(
            _("%(year)s 年计划已结项,不再接受报告;如需更正结项数据,请联系管理员。") % {"year": plan.year}
        )
    if plan.status != Plan.Status.PUBLISHED:
        raise WorkflowError(_("%(year)s 年计划尚未发布,还不能填报。") % {"year": plan.year})


def submit_report(
    *,
    target: Target,
    value: Decimal,
    as_of: datetime.date,
    author=None,
    note: str = "",
    next_steps: str = "",
    plausibility_flags: list[str] = (),
    evidence: list[tuple[UploadedFile, str]] = (),
    revises: Report | None = None,
    expected_revision: int | None = None,
    audit: dict | None = None,
) -> Report:
    with transaction.atomic():
        locked = Target.objects.select_for_update().get(pk=target.pk)
        plan = Plan.objects.get(pk=locked.plan_id)
        refuse_unless_open(plan)
        # The chain applies to what is submitted while it is on (a report keeps its path).
        state = Report.State.CONFIRMING if plan.requires_head_confirmation else Report.State.SUBMITTED
        if expected_revision is not None and locked.revision != expected_revision:
            raise StaleTarget(
                _("该目标在您打开表单后已有变动(新数据已审核或分工已调整),请核对最新情况后再提交。")
            )
        if revises is not None:
            revises = Report.objects.select_for_update().get(pk=revises.pk)
            if revises.target_id != target.pk or revises.state != Report.State.RETURNED:
                raise WorkflowError(_("只能更正已退回的本目标报告。"))
            if revises.revisions.exists():
                raise WorkflowError(_("该退回报告已经更正过。"))
        # Under the target's lock (PostgreSQL) a second identical submission sees the first;
        # the unique constraint catches what the lock cannot (SQLite, a commit in between).
        if (duplicate := pending_duplicate(target=locked, value=value, as_of=as_of)) is not None:
            raise AlreadySubmitted(duplicate)
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    target=locked,
                    value=value,
                    as_of=as_of,
                    note=note,
                    next_steps=next_steps,
                    plausibility_flags=list(plausibility_flags),
                    author=author,
                    revises=revises,
                    state=state,
                )
        except IntegrityError:
            if (duplicate := pending_duplicate(target=locked, value=value, as_of=as_of)) is None:
                raise
            raise AlreadySubmitted(duplicate) from None
        for upload, content_type in evidence:
            # chunks() reads from the start every time (UploadedFile rewinds), so the digest
            # and the stored file both cover the whole upload, whatever was read before.
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            # The file is stored when the row is saved, under a name made from the digest.
            Evidence.objects.create(
                report=report,
                file=upload,
                original_name=upload.name[:200],  # uploads always carry a name: the file is stored under it
                content_type=content_type,
                size=upload.size,
                sha256=digest.hexdigest(),
            )
        AuditEntry.objects.create(
            actor=author,
            action=AuditEntry.Action.SUBMIT,
            target=locked,
            report=report,
            changes={
                "value": plain(value),
                "as_of": as_of.isoformat(),
                "note": note,
                **({"next_steps": next_steps} if next_steps else {}),
                **({"plausibility_flags": list(plausibility_flags)} if plausibility_flags else {}),
                "evidence": list(report.evidence.values_list("original_name", flat=True)),
                "revises": revises.pk if revises else None,
                **({"state": state} if state == Report.State.CONFIRMING else {}),
                **(audit or {}),
            },
        )
    return report


def _locked_in(report: Report, state: str) -> Report:
    """The report, locked, if it is still at the step `state`; else say where it is."""
    locked = Report.objects.select_for_update().select_related("target").get(pk=report.pk)
    if locked.state != state:
        if locked.state == Report.State.CONFIRMING:
            raise WorkflowError(_("该报告尚待部门负责人确认,确认后才能审核。"))
        raise WorkflowError(
            _("该报告已被处理(当前状态:%(state)s),无需重复操作。") % {"state": locked.get_state_display()}
        )
    return locked


def _review(report: Report, reviewer) -> Report:
    locked = _locked_in(report, Report.State.SUBMITTED)
    locked.reviewer = reviewer
    locked.reviewed_at = timezone.now()
    return locked


def approve_report(*, report: Report, reviewer, self_approval: bool = False) -> Report:
    """Publish the figure: it becomes the target's current value if it is the latest.

    No one approves their own report, nor one they confirmed as department head, unless the
    caller says so explicitly (`self_approval=True`: a superuser's scripted load,
    `report --approve --self-approve`), which the audit entry records.
    """
    with transaction.atomic():
        locked = _review(report, reviewer)
        own = reviewer is not None and locked.author_id == reviewer.pk
        if own and not self_approval:
            raise WorkflowError(_("不能审核通过自己提交的报告,请由其他审核人员处理。"))
        confirmed = reviewer is not None and locked.head_id == reviewer.pk
        if confirmed and not self_approval:
            raise WorkflowError(_("您已作为部门负责人确认过这份报告,须由其他审核人员审核通过。"))
        own = own or confirmed
        locked.state = Report.State.APPROVED
        locked.save(update_fields=["state", "reviewer", "reviewed_at"])
        Target.objects.filter(pk=locked.target_id).update(revision=F("revision") + 1)
        AuditEntry.objects.create(
            actor=reviewer,
            action=AuditEntry.Action.APPROVE,
            target_id=locked.target_id,
            report=locked,
            changes={
                "state": [Report.State.SUBMITTED, Report.State.APPROVED],
                "value": plain(locked.value),
                **({"self_approved": True} if own else {}),
            },
        )
        transaction.on_commit(publication.bump)
    return locked


def return_report(*, report: Report, reviewer, reason: str) -> Report:
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("退回时请写明理由。"))
    with transaction.atomic():
        locked = _review(report, reviewer)
        locked.state = Report.State.RETURNED
        locked.return_reason = reason
        locked.save(update_fields=["state", "reviewer", "reviewed_at", "return_reason"])
        AuditEntry.objects.create(
            actor=reviewer,
            action=AuditEntry.Action.RETURN,
            target_id=locked.target_id,
            report=locked,
            changes={"state": [Report.State.SUBMITTED, Report.State.RETURNED], "reason": reason},
        )
    return locked


# --- the department head's step (the sign-off chain) -----------------------------------------


def confirm_report(*, report: Report, head, self_approval: bool = False) -> Report:
    """The department head vouches for the report: it goes on to review. Nothing is public yet.

    No one confirms their own report, unless the caller says so (`self_approval=True`, recorded).
    """
    with transaction.atomic():
        locked = _locked_in(report, Report.State.CONFIRMING)
        own = head is not None and locked.author_id == head.pk
        if own and not self_approval:
            raise WorkflowError(_("不能确认自己提交的报告,请由本单位其他负责人确认。"))
        locked.state = Report.State.SUBMITTED
        locked.head = head
        locked.head_at = timezone.now()
        locked.save(update_fields=["state", "head", "head_at"])
        AuditEntry.objects.create(
            actor=head,
            action=AuditEntry.Action.CONFIRM,
            target_id=locked.target_id,
            report=locked,
            changes={
                "state": [Report.State.CONFIRMING, Report.State.SUBMITTED],
                **({"self_approved": True} if own else {}),
            },
        )
    return locked


def return_by_head(*, report: Report, head, reason: str) -> Report:
    """The department head sends the report back to the official, saying why."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("退回时请写明理由。"))
    with transaction.atomic():
        locked = _locked_in(report, Report.State.CONFIRMING)
        locked.state = Report.State.RETURNED
        locked.head = head
        locked.head_at = timezone.now()
        locked.return_reason = reason
        locked.save(update_fields=["state", "head", "head_at", "return_reason"])
        AuditEntry.objects.create(
            actor=head,
            action=AuditEntry.Action.RETURN,
            target_id=locked.target_id,
            report=locked,
            changes={"state": [Report.State.CONFIRMING, Report.State.RETURNED], "reason": reason},
        )
    return locked
