"""Session limits: signed out after idle time and after a working day; logout by POST only."""

from __future__ import annotations

from django.conf import settings
from django.test import override_settings

from helhed.accounts import sessions
from helhed.accounts.tests.util import LOGIN_URL, AccountsTestCase, password_form


class IdleLogoutTests(AccountsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.login(self.caseworker)

    def stamp(self, **ago: int) -> None:
        """Move the session's stamps this many seconds into the past."""
        session = self.client.session
        now = sessions.now()
        if "last_seen" in ago:
            session[sessions.LAST_SEEN] = now - ago["last_seen"]
        if "signed_in" in ago:
            session[sessions.SIGNED_IN_AT] = now - ago["signed_in"]
        session.save()

    def test_thirty_idle_minutes_sign_the_user_out_and_the_login_page_says_why(self) -> None:
        self.stamp(last_seen=30 * 60 + 5)
        response = self.client.get("/citizens/", follow=True)
        self.assertEqual(response.redirect_chain[-1][0], f"{LOGIN_URL}?next=/citizens/")
        self.assertContains(response, "You were signed out after 30 minutes without activity.")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_activity_within_the_idle_limit_keeps_the_session(self) -> None:
        self.stamp(last_seen=29 * 60)
        self.assertEqual(self.client.get("/citizens/").status_code, 200)
        self.assertGreaterEqual(self.client.session[sessions.LAST_SEEN], sessions.now() - 5)

    def test_the_stamp_is_written_at_most_once_a_minute(self) -> None:
        self.stamp(last_seen=30)
        before = self.client.session[sessions.LAST_SEEN]
        self.client.get("/citizens/")
        self.assertEqual(self.client.session[sessions.LAST_SEEN], before)

    @override_settings(HELHED_SESSION_IDLE_SECONDS=5 * 60)
    def test_the_idle_limit_comes_from_the_setting(self) -> None:
        self.stamp(last_seen=6 * 60)
        response = self.client.get("/", follow=True)
        self.assertContains(response, "You were signed out after 5 minutes without activity.")

    def test_a_session_ends_after_a_working_day_even_when_active(self) -> None:
        self.stamp(signed_in=settings.SESSION_COOKIE_AGE + 1, last_seen=10)
        response = self.client.get("/", follow=True)
        self.assertContains(response, "a session lasts at most 8 hours")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_an_htmx_request_after_idle_time_sends_the_page_to_login(self) -> None:
        self.stamp(last_seen=31 * 60)
        response = self.client.get("/citizens/", headers={"HX-Request": "true"})
        self.assertEqual(response["HX-Redirect"], LOGIN_URL)

    def test_the_session_cookie_ends_with_the_browser(self) -> None:
        self.client.logout()
        response = self.client.post(LOGIN_URL, password_form("caseworker"))
        cookie = response.cookies[settings.SESSION_COOKIE_NAME]
        self.assertEqual(cookie["max-age"], "")
        self.assertEqual(cookie["expires"], "")
        self.assertTrue(cookie["httponly"])


class LogoutTests(AccountsTestCase):
    def test_logout_is_a_post_from_the_menu(self) -> None:
        self.login(self.caseworker)
        page = self.client.get("/")
        self.assertContains(page, '<form action="/logout/" method="post">')
        self.assertEqual(self.client.get("/logout/").status_code, 405)
        self.assertIn("_auth_user_id", self.client.session)
        self.assertRedirects(self.client.post("/logout/"), LOGIN_URL, fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)
