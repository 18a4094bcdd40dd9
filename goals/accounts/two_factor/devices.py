"""Who needs a second factor, their devices, the QR code, and the reset an admin makes."""

from __future__ import annotations

from base64 import b32encode

import qrcode
from django.conf import settings
from django.db import transaction
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from goals.accounts.permissions import ADMIN, REVIEWER
from goals.models import AuditEntry

RECOVERY_CODES = 10
AUTHENTICATOR = "authenticator"
RECOVERY = "recovery"


def is_required(user) -> bool:
    """Must `user` sign in with a second factor? Reviewers, admins and staff when
    OTP_REQUIRED; everyone who signs in when OTP_REQUIRED_FOR_OFFICIALS too."""
    if not user.is_authenticated:
        return False
    if settings.OTP_REQUIRED_FOR_OFFICIALS:
        return True
    if not settings.OTP_REQUIRED:
        return False
    return user.is_superuser or user.is_staff or user.groups.filter(name__in=[REVIEWER, ADMIN]).exists()


def authenticator(user) -> TOTPDevice | None:
    """The user's confirmed authenticator (TOTP device), if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def recovery_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def pending_authenticator(user) -> TOTPDevice:
    """The authenticator being enrolled: unconfirmed until a code from it is entered.
    Reused across page loads, so the QR code shown stays the same until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)
    return device


def secret(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an app by hand."""
    text = b32encode(device.bin_key).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(data: str, title: str) -> SafeString:
    """`data` as a QR code in inline SVG: dark modules as one path on a white square.

    Built here rather than by qrcode's SVG factories so that it carries no style
    attribute (the site's Content-Security-Policy forbids them) and has an accessible name.
    """
    code = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    path = "".join(f"M{x} {y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark)
    return format_html(
        '<svg class="qr-code" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        'width="220" height="220" role="img" aria-labelledby="qr-title" shape-rendering="crispEdges">'
        '<title id="qr-title">{title}</title>'
        '<rect width="{size}" height="{size}" fill="#fff"/><path d="{path}" fill="#000"/></svg>',
        size=size,
        path=path,
        title=title,
    )


@transaction.atomic
def confirm_authenticator(device: TOTPDevice) -> list[str]:
    """Make `device` the user's only authenticator and give them fresh recovery codes."""
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return new_recovery_codes(device.user)


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODES new ones; each works once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY)
    codes = []
    while len(codes) < RECOVERY_CODES:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=token) for token in codes)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def reset(user, *, actor=None, via: str) -> int:
    """Remove the user's authenticator and recovery codes (lost phone); audited.

    They sign in with their password alone next time, and are asked to enrol again where
    two-factor sign-in is required. Returns how many devices were removed.
    """
    removed = TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0)
    removed += StaticDevice.objects.filter(user=user).delete()[1].get(StaticDevice._meta.label, 0)
    if removed:
        AuditEntry.objects.create(
            actor=actor,
            action=AuditEntry.Action.EDIT,
            changes={"two_factor_reset": user.get_username(), "devices_removed": removed, "by": via},
        )
    return removed
