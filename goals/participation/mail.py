"""Emails to residents, always sent by the task worker (django.tasks, `manage.py db_worker`),
never inside a request: confirmation links, the answer to a question, and updates about
what they follow. In the language of the page they came from; plain text and HTML; every
email carries the link to what they follow and to delete everything they submitted, and
updates carry one-click unsubscribe headers (RFC 8058)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from goals.models import Follow, Question
from goals.participation import states, tokens
from goals.reminders.services import site_origin

logger = logging.getLogger(__name__)


@dataclass
class Entry:
    """One item of an email: a heading, its lines, and a link."""

    title: str
    lines: list[str] = field(default_factory=list)
    link: str = ""
    link_label: str = ""
    extra_link: str = ""
    extra_label: str = ""


@dataclass
class Letter:
    to: str
    language: str
    subject: str
    paragraphs: list[str]
    entries: list[Entry] = field(default_factory=list)
    actions: list[tuple[str, str]] = field(default_factory=list)
    unsubscribe: str = ""  # the one-click URL for the List-Unsubscribe headers


def absolute(name: str, *args) -> str:
    """An absolute link to a named URL, in the active language."""
    return site_origin() + reverse(name, args=args)


def manage_link(email: str) -> str:
    return absolute("follow_manage", tokens.make("manage", email.lower()))


def build(letter: Letter) -> EmailMultiAlternatives:
    with translation.override(letter.language):
        context = {
            "letter": letter,
            "manage": manage_link(letter.to),
            "subject": letter.subject,
        }
        text = render_to_string("emails/resident.txt", context)
        html = render_to_string("emails/resident.html", context)
    headers = {}
    if letter.unsubscribe:
        headers = {
            "List-Unsubscribe": f"<{letter.unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    email = EmailMultiAlternatives(
        letter.subject, text, settings.DEFAULT_FROM_EMAIL, [letter.to], headers=headers
    )
    email.attach_alternative(html, "text/html")
    return email


def follow_confirmation(follow: Follow) -> Letter:
    item = states.find(follow.plan, follow.kind, follow.code)
    with translation.override(follow.language):
        label = item.label if item else follow.code
        return Letter(
            to=follow.email,
            language=follow.language,
            subject=_("请确认关注:%(item)s") % {"item": label},
            paragraphs=[
                _("有人(希望是您)用这个邮箱在常州经开区工作目标网站关注了“%(item)s”(%(year)s 年)。")
                % {"item": label, "year": follow.plan.year},
                _(
                    "请在 7 天内点击下面的链接确认。确认之前我们不会再给您发邮件;如果不是您本人操作,忽略本邮件即可。"
                ),
            ],
            actions=[(_("确认关注"), absolute("follow_confirm", tokens.make("follow-confirm", follow.pk)))],
        )


def question_confirmation(question: Question) -> Letter:
    target = question.target
    with translation.override(question.language):
        return Letter(
            to=question.email,
            language=question.language,
            subject=_("请确认您的数据问询:%(code)s") % {"code": target.code},
            paragraphs=[
                _("您就目标“%(code)s %(name)s”提交了数据问询:") % {"code": target.code, "name": target.name},
                question.text,
                _(
                    "请在 7 天内点击下面的链接确认,问询才会转给责任单位并在网站上公开(只显示署名,不显示邮箱)。"
                    "如果不是您本人提交,忽略本邮件即可。"
                ),
            ],
            actions=[
                (_("确认问询"), absolute("question_confirm", tokens.make("question-confirm", question.pk))),
                (_("删除这条问询"), absolute("question_delete", tokens.make("question-delete", question.pk))),
            ],
        )


def answerer(question: Question) -> str:
    """Who answers, as residents read it: the department, or 督查室 for an unassigned question."""
    return question.department.name if question.department else _("督查室")


def answer_actions(question: Question) -> list[tuple[str, str]]:
    """The links of an email about an answer: the answer on its page, and deleting the question."""
    target = question.target
    page = (
        site_origin() + states.item_path("target", target.code, target.plan.year) + f"#question-{question.pk}"
    )
    return [
        (_("在网站上查看"), page),
        (_("删除这条问询"), absolute("question_delete", tokens.make("question-delete", question.pk))),
    ]


def question_answered(question: Question) -> Letter:
    target = question.target
    with translation.override(question.language):
        return Letter(
            to=question.email,
            language=question.language,
            subject=_("您的数据问询已答复:%(code)s") % {"code": target.code},
            paragraphs=[
                _("您就目标“%(code)s %(name)s”提出的问询:") % {"code": target.code, "name": target.name},
                question.text,
                _("%(department)s 于 %(day)s 答复如下:")
                % {
                    "department": answerer(question),
                    "day": question.answered_on.isoformat(),
                },
                question.answer,
                _("您的邮箱将在答复后 %(days)s 天删除。") % {"days": settings.QUESTION_EMAIL_KEEP_DAYS},
            ],
            actions=answer_actions(question),
        )


def question_revised(question: Question) -> Letter:
    target = question.target
    with translation.override(question.language):
        return Letter(
            to=question.email,
            language=question.language,
            subject=_("您的数据问询的答复已修改:%(code)s") % {"code": target.code},
            paragraphs=[
                _("您就目标“%(code)s %(name)s”提出的问询:") % {"code": target.code, "name": target.name},
                question.text,
                _("答复已于 %(day)s 修改,现在的答复如下(修改前的版本保存在操作记录中):")
                % {"day": question.answer_revised_on.isoformat()},
                question.answer,
                _("此后如再有修改,只在网站上注明修改日期,不再另发邮件。"),
            ],
            actions=answer_actions(question),
        )


LETTERS = {
    "follow_confirm": (Follow, follow_confirmation),
    "question_confirm": (Question, question_confirmation),
    "question_answered": (Question, question_answered),
    "question_revised": (Question, question_revised),
}
STILL_WANTED = {
    "follow_confirm": lambda f: f.confirmed_at is None,
    "question_confirm": lambda q: q.state == Question.State.PENDING and q.email,
    "question_answered": lambda q: q.state == Question.State.ANSWERED and q.email,
    "question_revised": lambda q: q.state == Question.State.ANSWERED and q.email and q.answer_revised_at,
}


@task()
def send_resident_email(kind: str, pk: int) -> str:
    """One confirmation link or answer, as the worker runs it. Nothing goes to an address
    that has since unsubscribed, deleted its question or confirmed already."""
    model, compose = LETTERS[kind]
    found = model.objects.filter(pk=pk).first()
    if found is None or not STILL_WANTED[kind](found):
        return "skipped"
    build(compose(found)).send()
    logger.info("resident email %s #%s sent", kind, pk)
    return "sent"
