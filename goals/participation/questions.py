"""A question about a figure (数据问询): asked (pending), confirmed by the resident (open,
with an answer deadline, sent to the target's lead department), answered in public, or
hidden by a reviewer with a recorded reason. Every change that shows in public writes an
audit entry, which also moves the published version, so cached pages refresh.

A target with no lead department (most of the seed's): the question is *unassigned*
(department empty) and waits in the reviewers' (督查室) queue, marked 未分配牵头单位; a
reviewer answers it or forwards it to a department. A published answer may be corrected by
whoever may answer it: the audit trail keeps every version (before → after), the page shows
修改于 <date>, and the resident hears of it once (QUESTION_EMAIL_ON_REVISION).

A resident deleting a question that is already answered withdraws it: their words, name and
email go, the department's answer stays in public (with its dates) under 提问人已删除问题原文,
so the answer record and the league count do not vanish. Any other question goes entirely."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from goals.accounts import permissions
from goals.models import AuditEntry, Department, Question, Target
from goals.participation.text import add_working_days, mask
from goals.planning import publication


class QuestionError(Exception):
    """A step that cannot be taken in the question's current state; the message says why."""


def ask(*, target: Target, text: str, email: str, name: str, language: str) -> Question:
    """Pending until the resident confirms: masked before it is stored, so no one ever sees
    a phone or ID number, not even in the staff pages."""
    return Question.objects.create(
        target=target,
        text=mask(text.strip()),
        name=mask(name.strip()),
        email=email.lower(),
        language=language,
    )


def _audit(question: Question, actor, changes: dict) -> None:
    AuditEntry.objects.create(
        actor=actor,
        action=AuditEntry.Action.EDIT,
        target_id=question.target_id,
        changes={"question": question.pk, **changes},
    )
    transaction.on_commit(publication.bump)


def confirm(question: Question, *, day: datetime.date | None = None) -> Question:
    """Confirmed: goes to the target's lead department, due in QUESTION_ANSWER_DAYS working days."""
    with transaction.atomic():
        locked = Question.objects.select_for_update().select_related("target").get(pk=question.pk)
        if locked.state != Question.State.PENDING:
            return locked
        now = timezone.now()
        day = day or timezone.localdate(now)
        locked.state = Question.State.OPEN
        locked.confirmed_at = now
        locked.due_on = add_working_days(day, settings.QUESTION_ANSWER_DAYS)
        locked.department_id = locked.target.lead_department_id
        locked.save(update_fields=["state", "confirmed_at", "due_on", "department"])
        _audit(locked, None, {"state": ["pending", "open"], "due_on": locked.due_on.isoformat()})
    return locked


def visible_to(user):
    """The questions a staff member sees: reviewers and admins every one, officials their departments'."""
    confirmed = Question.objects.exclude(state=Question.State.PENDING)
    if permissions.can_review(user) or permissions.is_admin(user):
        return confirmed
    if permissions.can_submit(user):
        return confirmed.filter(department__in=Department.objects.filter(members=user))
    return Question.objects.none()


def may_review(user) -> bool:
    return permissions.can_review(user) or permissions.is_admin(user)


def can_answer(user, question: Question) -> bool:
    """The answering department's officials; unassigned questions, the reviewers (督查室)."""
    if question.department_id is None:
        return may_review(user)
    if permissions.is_admin(user):
        return True
    return (
        permissions.can_submit(user)
        and Department.objects.filter(pk=question.department_id, members=user).exists()
    )


def answer(*, question: Question, user, text: str) -> Question:
    text = mask((text or "").strip())
    if not text:
        raise QuestionError(_("请填写答复内容。"))
    with transaction.atomic():
        locked = Question.objects.select_for_update().get(pk=question.pk)
        if locked.state != Question.State.OPEN:
            raise QuestionError(
                _("该问询已处理(当前状态:%(state)s),无需重复操作。") % {"state": locked.get_state_display()}
            )
        if not can_answer(user, locked):
            raise QuestionError(_("只有答复单位的工作人员可以答复该问询。"))
        locked.state = Question.State.ANSWERED
        locked.answer = text
        locked.answered_at = timezone.now()
        locked.answered_by = user
        locked.save(update_fields=["state", "answer", "answered_at", "answered_by"])
        _audit(locked, user, {"state": ["open", "answered"], "answer": text})
    return locked


def revise(*, question: Question, user, text: str, note: str) -> tuple[Question, bool]:
    """A published answer corrected, never silently: the audit entry keeps both versions and
    the note. Returns the question and whether the resident should be emailed (the first
    correction only, when QUESTION_EMAIL_ON_REVISION is on and the email is still kept)."""
    text = mask((text or "").strip())
    note = mask((note or "").strip())
    if not text:
        raise QuestionError(_("请填写修改后的答复内容。"))
    if not note:
        raise QuestionError(_("修改已公开的答复时,请写明修改说明(如“更正统计口径”)。"))
    with transaction.atomic():
        locked = Question.objects.select_for_update().get(pk=question.pk)
        if locked.state != Question.State.ANSWERED:
            raise QuestionError(
                _("只有已公开的答复可以修改(当前状态:%(state)s)。") % {"state": locked.get_state_display()}
            )
        if not can_answer(user, locked):
            raise QuestionError(_("只有答复单位的工作人员可以修改答复。"))
        if text == locked.answer:
            raise QuestionError(_("答复内容没有变化,未作修改。"))
        before = locked.answer
        now = timezone.now()
        locked.answer = text
        locked.answer_revised_at = now
        fields = ["answer", "answer_revised_at"]
        email = bool(
            settings.QUESTION_EMAIL_ON_REVISION and locked.email and locked.revision_emailed_at is None
        )
        if email:
            locked.revision_emailed_at = now
            fields.append("revision_emailed_at")
        locked.save(update_fields=fields)
        _audit(locked, user, {"answer": [before, text], "revision_note": note})
    return locked, email


def forward(*, question: Question, user, department: Department) -> Question:
    """A reviewer sends an open question to the department that should answer it (the
    deadline stays: the resident has waited since they confirmed)."""
    if not may_review(user):
        raise QuestionError(_("只有审核人员可以转交问询。"))
    with transaction.atomic():
        locked = Question.objects.select_for_update().get(pk=question.pk)  # no outer join: PostgreSQL
        if locked.state != Question.State.OPEN:
            raise QuestionError(_("只有待答复的问询可以转交。"))
        if locked.department_id == department.pk:
            raise QuestionError(
                _("该问询已由%(department)s答复,无需转交。") % {"department": department.name}
            )
        before = locked.department.name if locked.department else str(_("未分配牵头单位"))
        locked.department = department
        locked.save(update_fields=["department"])
        _audit(locked, user, {"answering_department": [before, department.name]})
    return locked


def hide(*, question: Question, user, reason: str) -> Question:
    """A reviewer hides abuse or personal data; the reason is recorded and audited."""
    reason = (reason or "").strip()
    if not (permissions.can_review(user) or permissions.is_admin(user)):
        raise QuestionError(_("只有审核人员可以隐藏问询。"))
    if not reason:
        raise QuestionError(_("隐藏时请写明理由。"))
    with transaction.atomic():
        locked = Question.objects.select_for_update().get(pk=question.pk)
        if locked.state not in (Question.State.OPEN, Question.State.ANSWERED):
            raise QuestionError(_("该问询已隐藏或尚未确认。"))
        before = locked.state
        locked.state = Question.State.HIDDEN
        locked.hidden_reason = reason
        locked.hidden_at = timezone.now()
        locked.save(update_fields=["state", "hidden_reason", "hidden_at"])
        _audit(locked, user, {"state": [before, "hidden"], "hidden_reason": reason})
    return locked


def remove_for_resident(question: Question) -> None:
    """What deleting means (see the module's docstring); call inside a transaction, locked."""
    if question.state == Question.State.ANSWERED:
        question.text, question.name, question.email = "", "", ""
        question.withdrawn_at = timezone.now()
        question.save(update_fields=["text", "name", "email", "withdrawn_at"])
        _audit(question, None, {"withdrawn_by_resident": True, "state": question.state})
        return
    if question.state != Question.State.PENDING:
        _audit(question, None, {"deleted_by_resident": True, "state": question.state})
    question.delete()


def delete(question_id: int) -> bool:
    """The resident deletes their question (from the link in their email)."""
    with transaction.atomic():
        question = Question.objects.select_for_update().filter(pk=question_id).first()
        if question is None or question.withdrawn_at is not None:
            return False
        remove_for_resident(question)
    return True


def purge(day: datetime.date) -> dict[str, int]:
    """Emails kept no longer than needed: cleared QUESTION_EMAIL_KEEP_DAYS after the answer or
    the hiding; questions never confirmed deleted after a week (their link has expired)."""
    keep = datetime.timedelta(days=settings.QUESTION_EMAIL_KEEP_DAYS)
    end_of_day = timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))
    cleared = (
        Question.objects.exclude(email="")
        .filter(Q(answered_at__lt=end_of_day - keep) | Q(hidden_at__lt=end_of_day - keep))
        .update(email="")
    )
    stale = end_of_day - datetime.timedelta(days=7)
    unconfirmed, _rows = Question.objects.filter(state=Question.State.PENDING, created_at__lt=stale).delete()
    return {"emails_cleared": cleared, "unconfirmed_deleted": unconfirmed}
