"""A user's own two-factor devices, and how an authenticator app is shown one.

Devices belong to the signed-in user and are only ever looked up through that
user, so no other person's device can be named in a request.
"""

from __future__ import annotations

from base64 import b32encode

import segno
from django.contrib.auth.models import AbstractBaseUser
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice


def confirmed_totp(user: AbstractBaseUser) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def pending_totp(user: AbstractBaseUser) -> TOTPDevice | None:
    """The device being set up: created, shown, not yet confirmed with a code."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("-pk").first()


def backup_device(user: AbstractBaseUser) -> StaticDevice | None:
    return StaticDevice.objects.devices_for_user(user, confirmed=True).first()


def backup_codes_left(user: AbstractBaseUser) -> int:
    device = backup_device(user)
    return device.token_set.count() if device is not None else 0


def secret(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an app by hand."""
    text = b32encode(device.bin_key).decode("ascii")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device: TOTPDevice) -> SafeString:
    """The device's otpauth URL as an inline SVG QR code, drawn here (no outside service)."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=4,
        dark="#111111",
        light="#ffffff",
        title=escape(_("QR code for your authenticator app")),
    )
    # segno writes the SVG itself: the URL is drawn as modules, never as markup.
    return mark_safe(svg)  # noqa: S308
