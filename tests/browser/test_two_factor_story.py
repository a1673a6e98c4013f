"""Signing in safely, end to end in a real browser.

A case worker turns on two-factor login: she scans (here: reads) the key from
the set-up page, confirms with a code from her app and is shown her backup
codes. Next time the password alone does not open Helhed: every page waits
for the code. Someone guessing a colleague's password is stopped after five
tries with a page that says why. Every page passes the Content Security
Policy (the ``page`` fixture fails on any violation).
"""

from __future__ import annotations

import re
import time
from base64 import b32decode
from typing import Any

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from helhed.accounts.tests.util import code_for
from helhed.organisation.models import Municipality
from helhed.test import PASSWORD, make_staff, make_unit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def build_world() -> None:
    assert Municipality.objects.filter(code=230).exists(), "reference data missing"
    root = make_unit("Rudersdal Kommune", unit_type="municipality")
    family = make_unit("Familieafdelingen", parent=root, sector="social")
    make_staff("Sara", "Sand", unit=family, role="caseworker", username="sara")
    make_staff("Karl", "Kolding", unit=family, role="caseworker", username="karl")


def log_in(page: Any, url: str, username: str, password: str = PASSWORD) -> None:
    # The live server's first page loads every app, slow on a busy machine.
    page.goto(url + "/login/", timeout=60_000)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")


def app_code(secret: str) -> str:
    """What an authenticator app shows for the key on the set-up page."""
    key = b32decode(secret.replace(" ", ""))
    totp = TOTP(key)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_a_caseworker_turns_on_two_factor_login_and_signs_in_with_a_code(
    live_server: Any, page: Any
) -> None:
    build_world()
    log_in(page, live_server.url, "sara")
    expect(page).to_have_url(live_server.url + "/")

    # Her name in the top bar leads to two-factor login.
    page.click("header a.who")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/$"))
    page.click("form[action='/accounts/two-factor/start/'] button")
    expect(page.locator("[data-testid=qr] svg")).to_be_visible()
    secret = page.text_content("[data-testid=secret]") or ""
    page.fill("#id_code", app_code(secret))
    page.click("form[action='/accounts/two-factor/confirm/'] button")
    expect(page.locator("[data-testid=backup-codes] li")).to_have_count(10)
    device = TOTPDevice.objects.get(user__username="sara")
    assert device.confirmed

    # Next time: the password, then the code, before any page opens.
    page.click("header form[action='/logout/'] button")
    expect(page).to_have_url(re.compile(r"/login/"))
    log_in(page, live_server.url, "sara")
    expect(page).to_have_url(re.compile(r"/accounts/code/"))
    page.goto(live_server.url + "/citizens/")
    expect(page).to_have_url(re.compile(r"/accounts/code/\?next=%2Fcitizens%2F"))
    page.fill("#id_code", code_for(device))
    page.click("main form[action='/accounts/code/'] button[type=submit]")
    expect(page).to_have_url(live_server.url + "/citizens/")
    expect(page.locator("h1")).to_be_visible()

    # The API docs' Swagger UI comes from our own static files, within the policy.
    page.goto(live_server.url + "/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Helhed API", timeout=30_000)


def test_guessing_a_password_is_stopped_with_a_page_that_says_why(
    live_server: Any, page: Any
) -> None:
    build_world()
    for _n in range(5):
        log_in(page, live_server.url, "karl", "wrong-password")
    expect(page.locator("[data-testid=locked-out]")).to_be_visible()
    log_in(page, live_server.url, "karl")
    expect(page.locator("[data-testid=locked-out]")).to_be_visible()
