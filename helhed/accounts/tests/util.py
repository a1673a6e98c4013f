"""Small helpers for the sign-in tests: a confirmed authenticator app and its codes."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from helhed.test import PASSWORD, BaseTestCase

LOGIN_URL = "/login/"
VERIFY_URL = "/accounts/code/"
TWO_FACTOR_URL = "/accounts/two-factor/"


def code_for(device: TOTPDevice) -> str:
    """The next code the device accepts: the app's code now, or the next period's.

    A code is accepted once (``last_t``), and the device follows the clock
    drift it has seen (``drift``); both are read fresh, so a test can ask for
    a second code at once and a slow first request cannot make it stale.
    """
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += (device.last_t + 1 - totp.t()) * device.step
    return f"{totp.token():0{device.digits}d}"


def give_device(user: User, backup_codes: tuple[str, ...] = ()) -> TOTPDevice:
    """A confirmed authenticator app for the user, and backup codes if given."""
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    if backup_codes:
        backup = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
        for code in backup_codes:
            StaticToken.objects.create(device=backup, token=code)
    return device


def password_form(username: str, password: str = PASSWORD, next_url: str = "") -> dict[str, str]:
    return {"username": username, "password": password, "next": next_url}


def english(client: Client) -> Client:
    """Read the pages in English (the language switch's cookie), so tests can quote them."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


class AccountsTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        english(self.client)
