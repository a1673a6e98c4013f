"""Setting up and removing two-factor login (an authenticator app, plus backup codes)."""

from __future__ import annotations

from django.test import override_settings
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from helhed.accounts import devices
from helhed.accounts.tests.util import (
    TWO_FACTOR_URL,
    VERIFY_URL,
    AccountsTestCase,
    code_for,
    give_device,
)

START_URL = TWO_FACTOR_URL + "start/"
CONFIRM_URL = TWO_FACTOR_URL + "confirm/"
REMOVE_URL = TWO_FACTOR_URL + "remove/"


class SetUpTests(AccountsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.login(self.caseworker)
        assert self.caseworker.user is not None
        self.user = self.caseworker.user

    def start(self) -> TOTPDevice:
        self.client.post(START_URL)
        device = TOTPDevice.objects.get(user=self.user)
        self.assertFalse(device.confirmed)
        return device

    def test_the_page_offers_to_set_it_up(self) -> None:
        response = self.client.get(TWO_FACTOR_URL)
        self.assertContains(response, "Set up two-factor login")
        self.assertNotContains(response, "Two-factor login is on.")

    def test_starting_shows_a_qr_code_drawn_here_and_the_key(self) -> None:
        device = self.start()
        response = self.client.get(TWO_FACTOR_URL)
        html = response.content.decode()
        self.assertIn('<figure class="qr" data-testid="qr"><svg', html)
        self.assertNotIn("http", html.split('data-testid="qr">')[1].split("</figure>")[0])
        self.assertContains(response, devices.secret(device))

    def test_a_wrong_code_is_refused_and_leaves_it_off(self) -> None:
        device = self.start()
        wrong = "000000" if code_for(device) != "000000" else "111111"
        response = self.client.post(CONFIRM_URL, {"code": wrong})
        self.assertContains(response, "That code is not right", status_code=400)
        device.refresh_from_db()
        self.assertFalse(device.confirmed)
        self.assertFalse(StaticDevice.objects.filter(user=self.user).exists())

    def test_the_right_code_turns_it_on_and_shows_backup_codes_once(self) -> None:
        device = self.start()
        response = self.client.post(CONFIRM_URL, {"code": code_for(device)})
        self.assertContains(response, "Two-factor login is on")
        device.refresh_from_db()
        self.assertTrue(device.confirmed)
        backup = StaticDevice.objects.get(user=self.user)
        codes = list(backup.token_set.values_list("token", flat=True))
        self.assertEqual(len(codes), 10)
        for code in codes:
            self.assertContains(response, code)
        # This session gave the code: it is not sent to the code step.
        self.assertEqual(self.client.get("/").status_code, 200)
        page = self.client.get(TWO_FACTOR_URL)
        self.assertContains(page, "Two-factor login is on.")
        self.assertContains(page, "10 unused backup codes")
        self.assertNotContains(page, codes[0])

    def test_a_code_with_spaces_is_accepted(self) -> None:
        device = self.start()
        code = code_for(device)
        self.client.post(CONFIRM_URL, {"code": f"{code[:3]} {code[3:]}"})
        device.refresh_from_db()
        self.assertTrue(device.confirmed)

    def test_a_second_try_right_after_a_wrong_code_waits_for_the_throttle(self) -> None:
        # django-otp makes each wrong code cost a wait of 1, 2, 4 ... seconds.
        device = self.start()
        self.client.post(CONFIRM_URL, {"code": "abcdef"})
        response = self.client.post(CONFIRM_URL, {"code": code_for(device)})
        self.assertContains(response, "Too many wrong codes in a row", status_code=400)
        device.refresh_from_db()
        self.assertFalse(device.confirmed)

    @override_settings(OTP_TOTP_THROTTLE_FACTOR=0)
    def test_after_a_wrong_code_the_right_one_still_works(self) -> None:
        device = self.start()
        self.client.post(CONFIRM_URL, {"code": "123"})
        self.client.post(CONFIRM_URL, {"code": code_for(device)})
        device.refresh_from_db()
        self.assertTrue(device.confirmed)

    def test_starting_again_replaces_the_unfinished_key(self) -> None:
        first = self.start()
        self.client.post(START_URL)
        devices_now = TOTPDevice.objects.filter(user=self.user)
        self.assertEqual(devices_now.count(), 1)
        self.assertNotEqual(devices_now.get().key, first.key)

    def test_starting_when_it_is_on_changes_nothing(self) -> None:
        device = give_device(self.user)
        self.login(self.caseworker)  # a fresh sign-in knows about the device ...
        self.client.post(VERIFY_URL, {"code": code_for(device)})  # ... and gives its code
        self.client.post(START_URL)
        self.assertEqual(list(TOTPDevice.objects.filter(user=self.user)), [device])

    def test_confirming_without_a_set_up_is_not_found(self) -> None:
        self.assertEqual(self.client.post(CONFIRM_URL, {"code": "123456"}).status_code, 404)

    def test_it_can_be_removed_with_a_current_code(self) -> None:
        device = give_device(self.user, backup_codes=("abcdefgh",))
        self.login(self.caseworker)
        self.client.post(VERIFY_URL, {"code": code_for(device)})
        response = self.client.post(REMOVE_URL, {"code": code_for(device)})
        self.assertRedirects(response, TWO_FACTOR_URL, fetch_redirect_response=False)
        self.assertFalse(TOTPDevice.objects.filter(user=self.user).exists())
        self.assertFalse(StaticDevice.objects.filter(user=self.user).exists())
        self.assertContains(self.client.get(TWO_FACTOR_URL), "Two-factor login is off.")
        # Signing in again needs the password only.
        self.assertEqual(self.client.get("/").status_code, 200)

    def test_removing_with_a_wrong_code_keeps_it(self) -> None:
        device = give_device(self.user)
        self.login(self.caseworker)
        self.client.post(VERIFY_URL, {"code": code_for(device)})
        response = self.client.post(REMOVE_URL, {"code": "99999999"})
        self.assertContains(response, "That code is not right", status_code=400)
        self.assertTrue(TOTPDevice.objects.filter(user=self.user, confirmed=True).exists())

    def test_removing_when_it_is_off_is_not_found(self) -> None:
        self.assertEqual(self.client.post(REMOVE_URL, {"code": "123456"}).status_code, 404)

    def test_the_pages_need_a_signed_in_user(self) -> None:
        self.client.logout()
        for url in (TWO_FACTOR_URL, START_URL, CONFIRM_URL, REMOVE_URL):
            response = self.client.post(url) if url != TWO_FACTOR_URL else self.client.get(url)
            self.assertRedirects(response, f"/login/?next={url}", fetch_redirect_response=False)

    def test_each_step_accepts_only_its_method(self) -> None:
        self.assertEqual(self.client.post(TWO_FACTOR_URL).status_code, 405)
        for url in (START_URL, CONFIRM_URL, REMOVE_URL):
            self.assertEqual(self.client.get(url).status_code, 405, url)

    def test_a_user_only_ever_sees_their_own_device(self) -> None:
        assert self.teacher.user is not None
        give_device(self.teacher.user)
        response = self.client.get(TWO_FACTOR_URL)
        self.assertContains(response, "Set up two-factor login")
        self.assertEqual(self.client.post(REMOVE_URL, {"code": "123456"}).status_code, 404)
