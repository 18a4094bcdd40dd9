"""Staff: residents' questions (数据问询) for the departments that answer them, and the
reviewers who may hide abuse or personal data (with a reason, audited). Residents' email
addresses are never shown here."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from goals.accounts import permissions
from goals.accounts.staff import staff_login_required
from goals.models import Department, Question
from goals.participation import mail, questions
from goals.rules.text import has_control_chars, parse_id

ANSWER_MAX = 2000
REASON_MAX = 500


def _may_use(user) -> None:
    if not (permissions.can_submit(user) or permissions.can_review(user)):
        raise PermissionDenied(_("您的账号尚未分配填报或审核角色,请联系管理员。"))


def _found(user, pk: int) -> Question:
    question = questions.visible_to(user).select_related("target", "department").filter(pk=pk).first()
    if question is None:
        raise Http404(_("没有找到该问询,或它不属于您的单位。"))
    return question


@never_cache
@staff_login_required
@require_GET
def question_list(request: HttpRequest) -> HttpResponse:
    _may_use(request.user)
    today = timezone.localdate()
    found = list(
        questions.visible_to(request.user)
        .select_related("target__plan", "department", "answered_by")
        .order_by("due_on", "id")
    )
    for question in found:
        allowed = questions.can_answer(request.user, question)
        question.may_answer = question.state == Question.State.OPEN and allowed
        question.may_revise = question.state == Question.State.ANSWERED and allowed
        question.overdue = question.is_overdue(today)
    may_hide = questions.may_review(request.user)
    context = {
        "open": [q for q in found if q.state == Question.State.OPEN],
        "answered": [q for q in found if q.state == Question.State.ANSWERED][::-1],
        "hidden": [q for q in found if q.state == Question.State.HIDDEN],
        "may_hide": may_hide,
        "departments": list(Department.objects.order_by("order", "name")) if may_hide else [],
        "unassigned": sum(1 for q in found if q.state == Question.State.OPEN and q.unassigned),
        "today": today,
        "answer_max": ANSWER_MAX,
    }
    return render(request, "participation/staff_questions.html", context)


def _text(request: HttpRequest, name: str, limit: int) -> tuple[str, str]:
    text = request.POST.get(name, "").strip()
    if has_control_chars(text):
        return text, _("内容中含有不可见的控制字符,请删除后重新提交(从其他文档粘贴时常会带入)。")
    if len(text) > limit:
        return text, _("不能超过 %(limit)s 字(现有 %(n)s 字)。") % {"limit": limit, "n": len(text)}
    return text, ""


@never_cache
@staff_login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    _may_use(request.user)
    question = _found(request.user, pk)
    text, error = _text(request, "answer", ANSWER_MAX)
    if error:
        messages.error(request, error)
        return redirect("staff_questions")
    try:
        questions.answer(question=question, user=request.user, text=text)
    except questions.QuestionError as refusal:
        messages.error(request, str(refusal))
        return redirect("staff_questions")
    if question.email:
        mail.send_resident_email.enqueue("question_answered", question.pk)
    messages.success(request, _("已答复问询 #%(pk)s,答复已公开并将邮件告知提问人。") % {"pk": question.pk})
    return redirect("staff_questions")


@never_cache
@staff_login_required
@require_POST
def hide(request: HttpRequest, pk: int) -> HttpResponse:
    _may_use(request.user)
    question = _found(request.user, pk)
    reason, error = _text(request, "reason", REASON_MAX)
    if error:
        messages.error(request, error)
        return redirect("staff_questions")
    try:
        questions.hide(question=question, user=request.user, reason=reason)
    except questions.QuestionError as refusal:
        messages.error(request, str(refusal))
        return redirect("staff_questions")
    messages.success(request, _("已隐藏问询 #%(pk)s。") % {"pk": question.pk})
    return redirect("staff_questions")


@never_cache
@staff_login_required
@require_POST
def revise(request: HttpRequest, pk: int) -> HttpResponse:
    """A published answer corrected: both versions and the note go in the audit trail."""
    _may_use(request.user)
    question = _found(request.user, pk)
    text, error = _text(request, "answer", ANSWER_MAX)
    note, note_error = _text(request, "note", REASON_MAX)
    if error or note_error:
        messages.error(request, error or note_error)
        return redirect("staff_questions")
    try:
        question, email = questions.revise(question=question, user=request.user, text=text, note=note)
    except questions.QuestionError as refusal:
        messages.error(request, str(refusal))
        return redirect("staff_questions")
    if email:
        mail.send_resident_email.enqueue("question_revised", question.pk)
    messages.success(
        request, _("已修改问询 #%(pk)s 的答复;页面注明修改日期,原答复保存在操作记录中。") % {"pk": pk}
    )
    return redirect("staff_questions")


@never_cache
@staff_login_required
@require_POST
def forward(request: HttpRequest, pk: int) -> HttpResponse:
    """A reviewer sends a question (an unassigned one, usually) to the department that answers it."""
    _may_use(request.user)
    question = _found(request.user, pk)
    pk_given = parse_id(request.POST.get("department", ""))
    department = Department.objects.filter(pk=pk_given).first() if pk_given is not None else None
    if department is None:
        messages.error(request, _("请选择要转交的单位。"))
        return redirect("staff_questions")
    try:
        questions.forward(question=question, user=request.user, department=department)
    except questions.QuestionError as refusal:
        messages.error(request, str(refusal))
        return redirect("staff_questions")
    messages.success(
        request, _("已将问询 #%(pk)s 转交%(department)s。") % {"pk": pk, "department": department.name}
    )
    return redirect("staff_questions")
