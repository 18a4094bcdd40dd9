"""The code forms: a 6-digit code from the authenticator app, or a recovery code."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"),
        help_text=_("验证器应用中显示的 6 位数字。"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "size": 8,
            }
        ),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].replace(" ", "")
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("请输入 6 位数字验证码。"))
        return code


class RecoveryForm(forms.Form):
    recovery_code = forms.CharField(
        label=_("恢复码"),
        help_text=_("启用两步验证时保存的恢复码之一,每个只能使用一次。"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false", "size": 12}
        ),
    )

    def clean_recovery_code(self) -> str:
        return self.cleaned_data["recovery_code"].replace(" ", "").replace("-", "").strip().lower()
