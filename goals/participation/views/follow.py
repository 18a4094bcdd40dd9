"""Residents follow a target, project, action or department by email (no account).

A cached public page links here (/follow/<kind>/<code>/?year=…): this page is never cached
and carries the CSRF form. Nothing is sent but the confirmation link (by the task worker)
until the resident confirms; every later email links to the list of what they follow and
to one-click unsubscribing (signed tokens, goals.participation.tokens)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from goals.models import Follow, Question
from goals.participation import follows, mail, states, tokens, web
from goals.participation.forms import FollowForm


@never_cache
@require_http_methods(["GET", "POST"])
def follow(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    if kind not in Follow.Kind.values:
        raise Http404(_("没有这种关注对象。"))
    plan = web.plan_from(request)
    item = states.find(plan, kind, code)
    if item is None:
        raise Http404(_("没有这个编号。"))
    if plan.is_closed:  # its figures are final: nothing more to hear of (questions are still taken)
        message = _(
            "%(year)s 年计划已结项,页面上的数据是最终结果,不会再有进度更新,所以不能再关注。"
            "仍可就目标数据提出问询;要关注正在进行的工作,请到最新年度的页面。"
        ) % {"year": plan.year}
        context = {"title": _("本年度已结项"), "message": message, "link": (item.path, _("返回"))}
        return web.page(request, "participation/message.html", context)
    form = FollowForm(request.POST or None, label_suffix="")
    status = 200
    if request.method == "POST":
        if form.is_valid() and not web.allow(request, form.cleaned_data["email"]):
            form.add_error(None, web.too_many())
            status = 429
        elif form.is_valid():
            found, send = follows.request_follow(
                item=item,
                email=form.cleaned_data["email"],
                language=get_language(),
                frequency=form.cleaned_data["frequency"],
            )
            if send:
                mail.send_resident_email.enqueue("follow_confirm", found.pk)
            return redirect("participation_sent")
        else:
            status = 422
    context = {"form": form, "item": item, "plan": plan}
    return web.page(request, "participation/follow.html", context, status)


@never_cache
def sent(request: HttpRequest) -> HttpResponse:
    message = _(
        "请查收邮件并点击其中的确认链接(7 天内有效)。确认之前,我们不会再给这个邮箱发送任何邮件。"
        "如果几分钟后仍未收到,请检查垃圾邮件箱。"
    )
    return web.page(request, "participation/message.html", {"title": _("确认邮件已发出"), "message": message})


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (a link scanner must not confirm for the resident); POST confirms."""
    pk = tokens.read("follow-confirm", token, max_age=tokens.CONFIRM_MAX_AGE)
    found = Follow.objects.select_related("plan").filter(pk=pk).first() if isinstance(pk, int) else None
    if found is None:
        return web.bad_link(request)
    item = states.find(found.plan, found.kind, found.code)
    if request.method == "POST" or found.confirmed_at is not None:
        follows.confirm(found)
        context = {
            "title": _("已确认关注"),
            "message": _("从现在起,“%(item)s”的数据、状态或亮灯有变化时,我们会发邮件告诉您。")
            % {"item": item.label if item else found.code},
            "link": (reverse_manage(found.email), _("查看我关注的全部内容")),
        }
        return web.page(request, "participation/message.html", context)
    context = {
        "title": _("确认关注"),
        "message": _("请确认关注“%(item)s”(%(year)s 年)。")
        % {"item": item.label if item else found.code, "year": found.plan.year},
        "button": _("确认关注"),
    }
    return web.page(request, "participation/confirm.html", context)


def reverse_manage(email: str) -> str:
    return reverse("follow_manage", args=[tokens.make("manage", email)])


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" with no cookie; the token is the proof
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    pk = tokens.read("unsubscribe", token)
    if not isinstance(pk, int):
        return web.bad_link(request)
    if request.method == "POST":
        follows.unsubscribe(pk)
        context = {"title": _("已退订"), "message": _("您不会再收到关于这一项的邮件。")}
        return web.page(request, "participation/message.html", context)
    found = Follow.objects.select_related("plan").filter(pk=pk).first()
    if found is None:
        context = {"title": _("已退订"), "message": _("您已不再关注这一项。")}
        return web.page(request, "participation/message.html", context)
    item = states.find(found.plan, found.kind, found.code)
    context = {
        "title": _("退订"),
        "message": _("不再关注“%(item)s”?") % {"item": item.label if item else found.code},
        "button": _("退订"),
    }
    return web.page(request, "participation/confirm.html", context)


@csrf_exempt  # as unsubscribe: the List-Unsubscribe target of an email about several items
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe_all(request: HttpRequest, token: str) -> HttpResponse:
    email = tokens.read("manage", token)
    if not isinstance(email, str):
        return web.bad_link(request)
    if request.method == "POST":
        Follow.objects.filter(email=email).delete()
        context = {"title": _("已全部退订"), "message": _("您不会再收到任何关注更新邮件。")}
        return web.page(request, "participation/message.html", context)
    context = {"title": _("全部退订"), "message": _("不再关注任何内容?"), "button": _("全部退订")}
    return web.page(request, "participation/confirm.html", context)


@never_cache
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """What this address follows and asked (reached from a signed link in every email)."""
    email = tokens.read("manage", token)
    if not isinstance(email, str):
        return web.bad_link(request)
    rows = []
    for found in follows.following(email):
        item = states.find(found.plan, found.kind, found.code)
        rows.append((found, item, tokens.make("unsubscribe", found.pk)))
    asked = list(Question.objects.filter(email=email).select_related("target__plan").order_by("-created_at"))
    context = {
        "rows": rows,
        "questions": [(q, tokens.make("question-delete", q.pk)) for q in asked],
        "token": token,
    }
    return web.page(request, "participation/manage.html", context)


@never_cache
@require_POST
def delete_all(request: HttpRequest, token: str) -> HttpResponse:
    email = tokens.read("manage", token)
    if not isinstance(email, str):
        return web.bad_link(request)
    counts = follows.delete_everything(email)
    message = (
        _(
            "已删除您的 %(follows)s 项关注和 %(questions)s 条问询;我们不再保存您的邮箱。"
            "已公开的答复仍保留在目标页面上,但不再显示您的问题原文。"
        )
        % counts
    )
    return web.page(request, "participation/message.html", {"title": _("已全部删除"), "message": message})
