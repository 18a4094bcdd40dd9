"""The second step of staff sign-in, enrolment of an authenticator app, recovery codes."""

from __future__ import annotations

import math
from urllib.parse import urlencode

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from goals.accounts.staff import lockout
from goals.accounts.two_factor import devices
from goals.accounts.two_factor.forms import CodeForm, RecoveryForm

NEW_CODES = "two_factor_new_codes"  # session key: recovery codes to show once


def next_url(request: HttpRequest) -> str:
    """Where to go after this step: ?next= (or the posted next) when it is on this site."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def with_next(name: str, request: HttpRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next")
    return reverse(name) + (f"?{urlencode({'next': url})}" if url and url == next_url(request) else "")


def throttled(device) -> str | None:
    """A message when the device refuses codes for now (after recent wrong ones)."""
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    until = (info or {}).get("locked_until")
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds())) if until else 1
    return ngettext("错误次数过多,请在 %(n)s 秒后再试。", "错误次数过多,请在 %(n)s 秒后再试。", seconds) % {
        "n": seconds
    }


def is_locked(request: HttpRequest, credentials: dict) -> bool:
    return settings.AXES_ENABLED and AxesProxyHandler.is_locked(request, credentials)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """After the password: a code from the authenticator app, or a recovery code.

    A wrong code is a failed sign-in for django-axes (same count, same lockout as wrong
    passwords; when locked out the user is signed out), and the device itself waits
    1, 2, 4, 8 … seconds after consecutive wrong codes.
    """
    user = request.user
    if user.is_verified():
        return redirect(next_url(request))
    device = devices.authenticator(user)
    if device is None:
        if devices.is_required(user):
            return redirect(with_next("two_factor_enrol", request))
        return redirect(next_url(request))
    credentials = {"username": user.get_username()}
    if is_locked(request, credentials):
        logout(request)
        return lockout(request)

    use_recovery = "recovery_code" in request.POST
    code_form = CodeForm(request.POST if request.method == "POST" and not use_recovery else None)
    recovery_form = RecoveryForm(request.POST if use_recovery else None)
    if use_recovery:
        form, field, checked = recovery_form, "recovery_code", devices.recovery_device(user)
    else:
        form, field, checked = code_form, "code", device
    if request.method == "POST" and form.is_valid():
        error = throttled(checked) if checked is not None else None
        verified = None
        if checked is not None and error is None:
            verified = django_otp.verify_token(user, checked.persistent_id, form.cleaned_data[field])
        if verified is not None:
            django_otp.login(request, verified)
            request.session.cycle_key()
            if use_recovery:
                left = devices.recovery_codes_left(user)
                messages.warning(
                    request,
                    ngettext(
                        "您使用了一个恢复码,还剩 %(n)s 个。如手机丢失,请尽快重新设置两步验证。",
                        "您使用了一个恢复码,还剩 %(n)s 个。如手机丢失,请尽快重新设置两步验证。",
                        left,
                    )
                    % {"n": left},
                )
            return redirect(next_url(request))
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            logout(request)
            return lockout(request)
        if error is None:
            error = _("恢复码不正确或已使用过。") if use_recovery else _("验证码不正确,请重试。")
        form.add_error(field, error)
    context = {
        "code_form": code_form,
        "recovery_form": recovery_form,
        "use_recovery": use_recovery,
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "two_factor/verify.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: scan the QR code (or type the key), confirm with a code.

    Someone who already has one must give a code from it first (the middleware sends them
    to the code step), so a stolen password alone never replaces an authenticator.
    """
    user = request.user
    if not user.is_verified() and devices.authenticator(user) is not None:
        return redirect(with_next("two_factor_verify", request))
    device = devices.pending_authenticator(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = throttled(device)
        if error is None and django_otp.verify_token(user, device.persistent_id, form.cleaned_data["code"]):
            device.refresh_from_db()
            request.session[NEW_CODES] = devices.confirm_authenticator(device)
            django_otp.login(request, device)
            messages.success(request, _("两步验证已启用。"))
            return redirect(with_next("two_factor_recovery", request))
        form.add_error("code", error or _("验证码不正确:请确认手机时间准确,并输入应用中当前显示的数字。"))
    context = {
        "form": form,
        "qr": devices.qr_svg(device.config_url, _("二维码:用验证器应用扫描以添加本账号")),
        "secret": devices.secret(device),
        "required": devices.is_required(user),
        "replacing": user.is_verified(),
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "two_factor/enrol.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def recovery(request: HttpRequest) -> HttpResponse:
    """New recovery codes are shown here once; afterwards only how many are left."""
    user = request.user
    if not user.is_verified():
        return redirect("two_factor")
    if request.method == "POST":
        request.session[NEW_CODES] = devices.new_recovery_codes(user)
        return redirect("two_factor_recovery")
    context = {
        "codes": request.session.pop(NEW_CODES, None),
        "left": devices.recovery_codes_left(user),
        "next": next_url(request) if request.GET.get("next") else "",
    }
    return render(request, "two_factor/recovery.html", context)


@never_cache
@login_required
@require_http_methods(["GET"])
def overview(request: HttpRequest) -> HttpResponse:
    """The user's two-factor status, with enrolment and recovery codes."""
    user = request.user
    context = {
        "device": devices.authenticator(user),
        "required": devices.is_required(user),
        "left": devices.recovery_codes_left(user),
    }
    return render(request, "two_factor/overview.html", context)
