"""A question about a figure (数据问询): asked (pending), confirmed by the resident (open,
with an answer deadline, sent to the target's lead department), answered in public, or
hidden by a reviewer with a recorded reason. Every change that shows in public writes an
audit entry, which also moves the published version, so cached pages refresh."""

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


def can_answer(user, question: Question) -> bool:
    if question.department_id is None:
        return permissions.is_admin(user)
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


def delete(question_id: int) -> bool:
    """The resident deletes their question (from the link in their email)."""
    with transaction.atomic():
        question = Question.objects.select_for_update().filter(pk=question_id).first()
        if question is None:
            return False
        if question.state != Question.State.PENDING:
            _audit(question, None, {"deleted_by_resident": True, "state": question.state})
        question.delete()
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
