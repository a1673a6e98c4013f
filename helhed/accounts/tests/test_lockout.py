"""Lockout after repeated failed logins (django-axes): the page, the period, what it spares."""

from __future__ import annotations

import datetime as dt

from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client

from helhed.accounts.tests.util import LOGIN_URL, AccountsTestCase, english, password_form
from helhed.api.models import ApiToken
from helhed.test import PASSWORD

WRONG = "not-the-password"


class LockoutTests(AccountsTestCase):
    def fail_logins(
        self, times: int, username: str = "caseworker", client: Client | None = None
    ) -> None:
        for _n in range(times):
            (client or self.client).post(LOGIN_URL, password_form(username, WRONG))

    def test_a_wrong_password_says_so_on_the_login_page(self) -> None:
        response = self.client.post(LOGIN_URL, password_form("caseworker", WRONG))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "did not match")

    def test_the_fifth_wrong_password_locks_with_a_page_that_says_why(self) -> None:
        self.fail_logins(4)
        response = self.client.post(LOGIN_URL, password_form("caseworker", WRONG))
        self.assertEqual(response.status_code, 429)
        self.assertTemplateUsed(response, "accounts/locked_out.html")
        self.assertContains(response, "too many failed sign-in attempts", status_code=429)
        self.assertContains(response, "30 minutes", status_code=429)

    def test_a_locked_user_is_refused_even_with_the_right_password(self) -> None:
        self.fail_logins(5)
        response = self.client.post(LOGIN_URL, password_form("caseworker"))
        self.assertEqual(response.status_code, 429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_the_lock_ends_after_the_lockout_period(self) -> None:
        self.fail_logins(5)
        # Thirty-one minutes pass: age the recorded attempts instead of waiting.
        AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=31))
        response = self.client.post(LOGIN_URL, password_form("caseworker"))
        self.assertRedirects(response, "/", fetch_redirect_response=False)

    def test_the_lock_still_holds_just_before_the_period_ends(self) -> None:
        self.fail_logins(5)
        AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=29))
        response = self.client.post(LOGIN_URL, password_form("caseworker"))
        self.assertEqual(response.status_code, 429)

    def test_the_lock_holds_one_username_from_one_address(self) -> None:
        self.fail_logins(5)
        # The same user from another computer, and another user from this one.
        elsewhere = english(Client(REMOTE_ADDR="10.1.2.3"))
        response = elsewhere.post(LOGIN_URL, password_form("caseworker"))
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        response = self.client.post(LOGIN_URL, password_form("teacher"))
        self.assertRedirects(response, "/", fetch_redirect_response=False)

    def test_a_successful_login_clears_earlier_failures(self) -> None:
        self.fail_logins(4)
        self.client.post(LOGIN_URL, password_form("caseworker"))
        self.client.post("/logout/")
        self.fail_logins(4)
        response = self.client.post(LOGIN_URL, password_form("caseworker"))
        self.assertRedirects(response, "/", fetch_redirect_response=False)

    def test_signing_in_on_the_admin_login_page_clears_failures_too(self) -> None:
        self.fail_logins(4, username="admin")
        response = self.client.post(
            "/admin/login/", {"username": "admin", "password": PASSWORD, "next": "/admin/"}
        )
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)
        self.assertFalse(AccessAttempt.objects.filter(username="admin").exists())

    def test_api_tokens_are_not_affected_by_a_locked_login(self) -> None:
        self.fail_logins(5)
        assert self.caseworker.user is not None
        token = ApiToken.issue(self.caseworker.user, "test")[1]
        response = Client().get("/api/units", headers={"authorization": f"Bearer {token}"})
        self.assertEqual(response.status_code, 200)

    def test_signing_in_without_a_request_is_not_locked_out(self) -> None:
        # The test client's login() authenticates without a request: there is
        # no address to lock, and it must keep working for tests and shells.
        self.assertTrue(self.client.login(username="caseworker", password=PASSWORD))

    def test_the_login_page_refuses_other_methods(self) -> None:
        self.assertEqual(self.client.put(LOGIN_URL).status_code, 405)
