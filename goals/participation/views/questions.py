"""Residents question a target's figure (数据问询): a never-cached form linked from the
target page, confirmed from an emailed link, and deletable by the resident at any time."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from goals.models import Question, Target
from goals.participation import mail, questions, states, tokens, web
from goals.participation.forms import QuestionForm


@never_cache
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest, code: str) -> HttpResponse:
    plan = web.plan_from(request)
    target = get_object_or_404(Target.objects.select_related("lead_department"), plan=plan, code=code)
    form = QuestionForm(request.POST or None, label_suffix="")
    status = 200
    if request.method == "POST":
        if form.is_valid() and not web.allow(request, form.cleaned_data["email"]):
            form.add_error(None, web.too_many())
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            question = questions.ask(
                target=target,
                text=data["text"],
                email=data["email"],
                name=data["name"],
                language=get_language(),
            )
            mail.send_resident_email.enqueue("question_confirm", question.pk)
            return redirect("participation_sent")
        else:
            status = 422
    back = states.item_path("target", target.code, plan.year)
    context = {
        "form": form,
        "target": target,
        "plan": plan,
        "back": back,
        "answer_days": settings.QUESTION_ANSWER_DAYS,
    }
    return web.page(request, "participation/ask.html", context, status)


def _question(token: str, purpose: str, max_age=None) -> Question | None:
    pk = tokens.read(purpose, token, max_age=max_age)
    if not isinstance(pk, int):
        return None
    return (
        Question.objects.select_related("target__plan", "target__lead_department", "department")
        .filter(pk=pk)
        .first()
    )


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    question = _question(token, "question-confirm", tokens.CONFIRM_MAX_AGE)
    if question is None:
        return web.bad_link(request)
    if request.method == "POST" or question.state != Question.State.PENDING:
        question = questions.confirm(question)
        if question.department_id:
            message = _(
                "您的问询已转给%(department)s,答复期限为 %(due)s。答复会公开在目标页面上,并发邮件告诉您。"
            ) % {
                "department": question.target.lead_department.name,
                "due": question.due_on.isoformat() if question.due_on else "",
            }
        else:
            message = _(
                "本目标尚未分配牵头单位,您的问询已转给督查室,由其答复或转交有关单位,答复期限为 %(due)s。"
                "答复会公开在目标页面上,并发邮件告诉您。"
            ) % {"due": question.due_on.isoformat() if question.due_on else ""}
        return web.page(request, "participation/message.html", {"title": _("问询已确认"), "message": message})
    context = {
        "title": _("确认问询"),
        "message": _("关于“%(code)s %(name)s”的问询:")
        % {"code": question.target.code, "name": question.target.name},
        "quote": question.text,
        "button": _("确认提交"),
    }
    return web.page(request, "participation/confirm.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, token: str) -> HttpResponse:
    pk = tokens.read("question-delete", token)
    if not isinstance(pk, int):
        return web.bad_link(request)
    if request.method == "POST":
        questions.delete(pk)
        message = _("您的问询原文、署名和邮箱已删除,我们不再保存您的邮箱。")
        return web.page(request, "participation/message.html", {"title": _("问询已删除"), "message": message})
    question = _question(token, "question-delete")
    if question is None or question.withdrawn_at is not None:
        raise Http404(_("这条问询已删除。"))
    if question.state == Question.State.ANSWERED:
        message = _(
            "删除后,您的问题原文、署名和邮箱将从网站和开放数据中移除;%(department)s的答复已经公开,"
            "会保留在目标页面上(注明“提问人已删除问题原文”)。"
        ) % {"department": mail.answerer(question)}
    else:
        message = _("删除后,这条问询将从网站和开放数据中移除,不再需要答复。")
    context = {"title": _("删除问询"), "message": message, "quote": question.text, "button": _("删除")}
    return web.page(request, "participation/confirm.html", context)
