"""Sign-in forms: Django's, with a username that can never be longer than the field.

Django's AuthenticationForm shows the field's max length but does not enforce it, so a
256-character username reached django-axes, whose record of the attempt then failed to
save (a 500 on PostgreSQL). Here an overlong or garbled username is refused by the form
and still counts as a failed sign-in for the lockout, under a name that fits.
"""

from __future__ import annotations

import secrets

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from goals.rules.text import CONTROL_CHARS, validate_text


class BoundedUsernameMixin:
    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        field.validators += [MaxLengthValidator(field.max_length), validate_text]

    def clean(self):
        if self.has_error("username"):
            raw = self.data.get(self.add_prefix("username"), "")
            name = CONTROL_CHARS.sub("", raw)[: self.fields["username"].max_length]
            # A password no account has: the attempt fails, is recorded and counted by
            # django-axes, and a locked-out pair gets the lockout page as usual.
            authenticate(self.request, username=name, password=secrets.token_urlsafe(32))
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )
        return super().clean()


class StaffAuthenticationForm(BoundedUsernameMixin, AuthenticationForm):
    pass


class AdminSignInForm(BoundedUsernameMixin, AdminAuthenticationForm):
    pass
