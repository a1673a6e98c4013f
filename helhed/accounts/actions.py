"""Setting up, using and removing two-factor login for the signed-in user.

TOTP (an authenticator app) is the second factor; ten one-time backup codes
(django-otp's static device) are made with it for the day the phone is lost.
Wrong codes are throttled by django-otp per device (a wait of 1, 2, 4, 8 ...
seconds after each miss) and, at the sign-in code step, also count toward the
lockout like a wrong password (see ``views.verify``).
"""

from __future__ import annotations

import re

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from helhed.accounts import devices

BACKUP_CODES = 10
TOTP_CODE = re.compile(r"^\d{6}$")


class CodeRefused(ValidationError):
    """A code was wrong or came too soon after a wrong one; the message says which."""


def do_start_totp(user: AbstractBaseUser) -> TOTPDevice:
    """Make a fresh, unconfirmed device, dropping any earlier set-up left unfinished."""
    with transaction.atomic():
        TOTPDevice.objects.devices_for_user(user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)


def do_confirm_totp(user: AbstractBaseUser, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the device with a code from the app, and return new backup codes.

    A wrong code leaves the device unconfirmed: two-factor login is only on
    once the app is shown to produce the right codes.
    """
    if device.user_id != user.pk or device.confirmed:
        raise CodeRefused(_("This set-up is no longer open. Start again."))
    _check(user, device, code)
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return _new_backup_codes(user)


def do_check_code(user: AbstractBaseUser, code: str) -> Device:
    """The confirmed device that accepts this code: the app's, or a backup code (used up)."""
    code = normalise(code)
    if TOTP_CODE.match(code):
        device: Device | None = devices.confirmed_totp(user)
    else:
        device = devices.backup_device(user)
    if device is None:
        raise CodeRefused(_("That code is not right. Try again."))
    _check(user, device, code)
    return device


def do_remove_two_factor(user: AbstractBaseUser, code: str) -> None:
    """Turn two-factor login off, after a current code shows the user still holds the device."""
    do_check_code(user, code)
    with transaction.atomic():
        TOTPDevice.objects.devices_for_user(user, confirmed=None).delete()
        StaticDevice.objects.devices_for_user(user, confirmed=None).delete()


def normalise(code: str) -> str:
    """Codes as people type them: with spaces or dashes, in any case."""
    return re.sub(r"[\s-]", "", code).lower()


def _check(user: AbstractBaseUser, device: Device, code: str) -> None:
    allowed, why = device.verify_is_allowed()
    if not allowed:
        until = (why or {}).get("locked_until")
        if until is not None:
            raise CodeRefused(
                _("Too many wrong codes in a row. Wait until %(time)s and try again.")
                % {"time": formats.time_format(timezone.localtime(until), "H:i:s")}
            )
        raise CodeRefused(_("Too many wrong codes in a row. Wait a moment and try again."))
    if verify_token(user=user, device_id=device.persistent_id, token=normalise(code)) is None:
        raise CodeRefused(
            _("That code is not right. Check that the time on your phone is correct and try again.")
        )


def _new_backup_codes(user: AbstractBaseUser) -> list[str]:
    StaticDevice.objects.devices_for_user(user, confirmed=None).delete()
    backup = StaticDevice.objects.create(user=user, name=_("Backup codes"), confirmed=True)
    codes = [StaticToken.random_token() for _n in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=backup, token=code) for code in codes])
    return codes
