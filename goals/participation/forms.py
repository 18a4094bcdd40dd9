"""The residents' forms: follow an item, ask about a figure. Bad input is refused beside its
field and nothing is stored: control characters, links in a question, over-long text. The
honeypot field is hidden from people (CSS) and left empty by them; a form that fills it is
refused as a whole."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from goals.models import Follow
from goals.participation.text import has_link
from goals.rules.text import validate_text

HONEYPOT = "website"


def no_links(value: str) -> None:
    if has_link(value):
        raise ValidationError(_("请不要填写网址或链接(如 http://、www.、.com),删除后重新提交。"))


class ResidentForm(forms.Form):
    website = forms.CharField(
        label=_("请勿填写此栏(用于识别自动提交)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean(self):
        data = super().clean()
        if data.get(HONEYPOT):
            raise ValidationError(_("提交未被接受:请勿填写标明“请勿填写”的栏目。"), code="honeypot")
        return data

    def visible_fields(self):
        return [field for field in super().visible_fields() if field.name != HONEYPOT]


def email_field() -> forms.EmailField:
    return forms.EmailField(
        label=_("邮箱"),
        max_length=254,
        error_messages={"invalid": _("请填写有效的邮箱地址,如 name@example.com。")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class FollowForm(ResidentForm):
    email = email_field()
    frequency = forms.ChoiceField(
        label=_("多久通知一次"),
        choices=Follow.Frequency.choices,
        initial=Follow.Frequency.INSTANT,
        widget=forms.RadioSelect,
    )
    field_order = ["email", "frequency", HONEYPOT]


class QuestionForm(ResidentForm):
    text = forms.CharField(
        label=_("您的问题"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=[validate_text, no_links],
        help_text=_("至多 500 字。请勿填写手机号、身份证号等个人信息(会被自动隐去)。不接受网址。"),
        error_messages={"max_length": _("问题不能超过 %(limit_value)d 字(现有 %(show_value)d 字)。")},
    )
    email = email_field()
    name = forms.CharField(
        label=_("署名(可不填,不填显示为“匿名”)"),
        max_length=40,
        required=False,
        validators=[validate_text, no_links],
        error_messages={"max_length": _("署名不能超过 %(limit_value)d 字。")},
    )
    field_order = ["text", "email", "name", HONEYPOT]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = _("用于确认问询和接收答复,不会公开;答复后按规定期限删除。")
