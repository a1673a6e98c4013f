"""HELHED_REQUIRE_2FA_FOR_STAFF: staff without a device are sent to set one up first."""

from __future__ import annotations

from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from helhed import policy
from helhed.accounts.tests.util import TWO_FACTOR_URL, AccountsTestCase, code_for, give_device


@override_settings(HELHED_REQUIRE_2FA_FOR_STAFF=True)
class RequiredTwoFactorTests(AccountsTestCase):
    def test_staff_without_a_device_are_sent_to_set_it_up(self) -> None:
        self.login(self.caseworker)
        response = self.client.get("/citizens/")
        self.assertRedirects(
            response, f"{TWO_FACTOR_URL}?next=%2Fcitizens%2F", fetch_redirect_response=False
        )
        page = self.client.get(TWO_FACTOR_URL)
        self.assertContains(page, "Staff must use two-factor login")

    def test_setting_it_up_opens_helhed(self) -> None:
        self.login(self.caseworker)
        self.client.post(TWO_FACTOR_URL + "start/")
        assert self.caseworker.user is not None
        device = TOTPDevice.objects.get(user=self.caseworker.user)
        response = self.client.post(TWO_FACTOR_URL + "confirm/", {"code": code_for(device)})
        self.assertContains(response, "Two-factor login is on")
        self.assertEqual(self.client.get("/citizens/").status_code, 200)

    def test_technical_administrators_must_set_it_up_too(self) -> None:
        self.login(self.admin)
        self.assertRedirects(
            self.client.get("/admin/"),
            f"{TWO_FACTOR_URL}?next=%2Fadmin%2F",
            fetch_redirect_response=False,
        )

    def test_family_logins_are_not_held_to_it(self) -> None:
        self.login(self.guardian)
        response = self.client.get("/familie/")
        self.assertEqual(response.status_code, 200)

    def test_staff_with_a_device_go_to_the_code_step_instead(self) -> None:
        assert self.teacher.user is not None
        give_device(self.teacher.user)
        self.login(self.teacher)
        response = self.client.get("/")
        self.assertRedirects(response, "/accounts/code/", fetch_redirect_response=False)

    def test_the_policy_names_staff_and_administrators_only(self) -> None:
        self.assertTrue(policy.two_factor_required(self.caseworker.user))
        self.assertTrue(policy.two_factor_required(self.politician.user))
        self.assertTrue(policy.two_factor_required(self.admin))
        self.assertFalse(policy.two_factor_required(self.guardian))
        self.assertFalse(policy.two_factor_required(None))


class OptionalTwoFactorTests(AccountsTestCase):
    def test_by_default_staff_need_no_device(self) -> None:
        self.login(self.caseworker)
        self.assertEqual(self.client.get("/citizens/").status_code, 200)
        self.assertFalse(policy.two_factor_required(self.caseworker.user))
        self.assertNotContains(self.client.get(TWO_FACTOR_URL), "Staff must use")
