"""Signing in with two-factor login: the password, then a code, before any page opens."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.test import override_settings
from django_otp.plugins.otp_static.models import StaticToken

from helhed.accounts.tests.util import (
    LOGIN_URL,
    VERIFY_URL,
    AccountsTestCase,
    code_for,
    give_device,
    password_form,
)

BACKUP = "abcdefgh"


class TwoFactorLoginTests(AccountsTestCase):
    def setUp(self) -> None:
        super().setUp()
        assert self.caseworker.user is not None
        self.device = give_device(self.caseworker.user, backup_codes=(BACKUP, "stuvwxyz"))

    def sign_in_with_password(self, next_url: str = "") -> None:
        response = self.client.post(LOGIN_URL, password_form("caseworker", next_url=next_url))
        self.assertEqual(response.status_code, 302)

    def test_the_password_leads_to_the_code_step_not_in(self) -> None:
        response = self.client.post(LOGIN_URL, password_form("caseworker", next_url="/plans/"))
        self.assertRedirects(
            response, f"{VERIFY_URL}?next=%2Fplans%2F", fetch_redirect_response=False
        )
        page = self.client.get(response["Location"])
        self.assertContains(page, "Enter your code")

    def test_every_page_waits_for_the_code(self) -> None:
        self.sign_in_with_password()
        for url in (
            "/",
            "/citizens/",
            f"/citizens/{self.alma.pk}/",
            "/accounts/two-factor/",
            "/admin/",
        ):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302, url)
            self.assertTrue(response["Location"].startswith(VERIFY_URL), url)
        # The API's session login waits too.
        self.assertEqual(self.client.get("/api/units").status_code, 302)

    def test_logging_out_the_language_switch_and_static_files_stay_open(self) -> None:
        self.sign_in_with_password()
        response = self.client.post("/i18n/setlang/", {"language": "da", "next": "/"})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/static/helhed/helhed.css").status_code, 404)  # not 302
        response = self.client.post("/logout/")
        self.assertRedirects(response, LOGIN_URL, fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_an_htmx_request_sends_the_whole_page_to_the_code_step(self) -> None:
        self.sign_in_with_password()
        response = self.client.get("/citizens/", headers={"HX-Request": "true"})
        self.assertEqual(response["HX-Redirect"], VERIFY_URL)

    def test_the_right_code_signs_in_and_goes_on_to_next(self) -> None:
        self.sign_in_with_password(next_url="/plans/")
        response = self.client.post(VERIFY_URL, {"code": code_for(self.device), "next": "/plans/"})
        self.assertRedirects(response, "/plans/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/citizens/").status_code, 200)

    def test_the_code_step_does_not_send_users_to_other_sites(self) -> None:
        self.sign_in_with_password()
        response = self.client.post(
            VERIFY_URL, {"code": code_for(self.device), "next": "https://evil.example/"}
        )
        self.assertRedirects(response, "/", fetch_redirect_response=False)

    def test_a_wrong_code_is_refused_with_a_clear_error(self) -> None:
        self.sign_in_with_password()
        response = self.client.post(VERIFY_URL, {"code": "12345"})
        self.assertContains(response, "That code is not right", status_code=400)
        self.assertEqual(self.client.get("/").status_code, 302)

    def test_a_backup_code_works_once(self) -> None:
        self.sign_in_with_password()
        response = self.client.post(VERIFY_URL, {"code": BACKUP.upper()})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertFalse(StaticToken.objects.filter(token=BACKUP).exists())
        self.client.post("/logout/")
        self.sign_in_with_password()
        response = self.client.post(VERIFY_URL, {"code": BACKUP})
        self.assertEqual(response.status_code, 400)

    @override_settings(OTP_TOTP_THROTTLE_FACTOR=0)
    def test_wrong_codes_count_toward_the_lockout_and_end_the_sign_in(self) -> None:
        # django-otp's own wait between tries is off here, to reach the limit.
        self.sign_in_with_password()
        for _n in range(4):
            self.assertEqual(self.client.post(VERIFY_URL, {"code": "000001"}).status_code, 400)
        response = self.client.post(VERIFY_URL, {"code": "000001"})
        self.assertContains(response, "Sign-in blocked for now", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)
        # The password does not open it again while the lock lasts.
        response = self.client.post(LOGIN_URL, password_form("caseworker"))
        self.assertEqual(response.status_code, 429)

    def test_failures_at_the_password_count_at_the_code_step_too(self) -> None:
        for _n in range(4):
            self.client.post(LOGIN_URL, password_form("caseworker", "wrong"))
        self.sign_in_with_password()
        # Still four failures: they are cleared only once fully signed in.
        self.assertEqual(AccessAttempt.objects.get().failures_since_start, 4)
        response = self.client.post(VERIFY_URL, {"code": "000001"})
        self.assertEqual(response.status_code, 429)

    def test_the_code_clears_earlier_failures(self) -> None:
        self.client.post(LOGIN_URL, password_form("caseworker", "wrong"))
        self.sign_in_with_password()
        self.client.post(VERIFY_URL, {"code": code_for(self.device)})
        self.assertFalse(AccessAttempt.objects.exists())

    def test_a_user_without_a_device_signs_in_with_the_password_alone(self) -> None:
        response = self.client.post(LOGIN_URL, password_form("teacher"))
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/citizens/").status_code, 200)

    def test_the_code_step_without_a_device_goes_home(self) -> None:
        self.login(self.teacher)
        self.assertRedirects(self.client.get(VERIFY_URL), "/", fetch_redirect_response=False)

    def test_the_code_step_needs_a_signed_in_user_and_get_or_post(self) -> None:
        response = self.client.get(VERIFY_URL)
        self.assertRedirects(
            response, f"{LOGIN_URL}?next={VERIFY_URL}", fetch_redirect_response=False
        )
        self.sign_in_with_password()
        self.assertEqual(self.client.put(VERIFY_URL).status_code, 405)
