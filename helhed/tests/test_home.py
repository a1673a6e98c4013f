"""Logging in, the home page's capabilities per role, and switching language."""

from __future__ import annotations

from django.urls import reverse

from helhed.test import PASSWORD, BaseTestCase

HOME = reverse("home")
LOGIN = reverse("login")


class LoginTests(BaseTestCase):
    def test_the_home_page_needs_a_login(self) -> None:
        self.assertRedirects(self.client.get(HOME), f"{LOGIN}?next={HOME}")

    def test_the_login_page_shows_the_form(self) -> None:
        response = self.client.get(LOGIN)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'name="username"')
        self.assertContains(response, 'type="password"')

    def test_a_wrong_password_is_explained(self) -> None:
        response = self.client.post(LOGIN, {"username": "caseworker", "password": "wrong"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "passer ikke sammen")
        self.assertContains(response, 'value="caseworker"')  # the username is kept
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_the_right_password_leads_home(self) -> None:
        response = self.client.post(LOGIN, {"username": "caseworker", "password": PASSWORD})
        self.assertRedirects(response, HOME)
        self.assertContains(self.client.get(HOME), "Sara Sand")


class HomeCapabilityTests(BaseTestCase):
    def test_a_caseworker_sees_her_roles_and_her_one_citizen(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(HOME)
        self.assertContains(response, "Familieafdelingen")  # her role's unit
        self.assertContains(response, 'data-capability="citizens"')
        self.assertContains(response, "Se den 1 borger, du arbejder med")
        self.assertContains(response, f'href="{reverse("citizens:list")}"')
        self.assertContains(response, 'data-capability="register"')
        self.assertNotContains(response, "Dit ledelsesspænd")

    def test_a_leader_sees_the_span_table_and_no_citizens(self) -> None:
        self.login(self.leader)
        response = self.client.get(HOME)
        self.assertContains(response, 'data-capability="lead"')
        self.assertContains(response, "Dit ledelsesspænd")
        self.assertContains(
            response, f'href="{reverse("organisation:unit", args=[self.school.pk])}"'
        )
        self.assertContains(response, '<td class="num">1</td>', html=True)  # the teacher
        self.assertNotContains(response, 'data-capability="citizens"')
        self.assertNotContains(response, 'data-capability="register"')

    def test_a_politician_sees_committee_reports_and_no_citizen_link(self) -> None:
        self.login(self.politician)
        response = self.client.get(HOME)
        self.assertContains(response, 'data-capability="committee"')
        self.assertNotContains(response, 'data-capability="citizens"')
        self.assertNotContains(response, "du arbejder med")

    def test_an_administrator_without_a_staff_record_is_told_why_no_citizens_show(self) -> None:
        self.login(self.admin)
        response = self.client.get(HOME)
        self.assertContains(response, "ikke knyttet til en medarbejder")
        self.assertContains(response, 'data-capability="admin"')


class LanguageTests(BaseTestCase):
    def test_danish_is_the_default(self) -> None:
        self.login(self.caseworker)
        self.assertContains(self.client.get(HOME), '<html lang="da">')

    def test_switching_to_english(self) -> None:
        self.login(self.caseworker)
        response = self.client.post(reverse("set_language"), {"language": "en", "next": HOME})
        self.assertRedirects(response, HOME)
        response = self.client.get(HOME)
        self.assertContains(response, '<html lang="en">')
        self.assertContains(response, "Case worker")  # the role's English name
        self.assertNotContains(response, "Sagsbehandler")

    def test_switching_back_to_danish(self) -> None:
        self.login(self.caseworker)
        self.client.post(reverse("set_language"), {"language": "en", "next": HOME})
        self.client.post(reverse("set_language"), {"language": "da", "next": HOME})
        response = self.client.get(HOME)
        self.assertContains(response, '<html lang="da">')
        self.assertContains(response, "Sagsbehandler")


class HomeMethodTests(BaseTestCase):
    def test_the_home_page_refuses_a_post(self) -> None:
        self.login(self.caseworker)
        assert self.client.post(reverse("home")).status_code == 405


class LanguageChoiceTests(BaseTestCase):
    def test_an_english_browser_still_gets_danish_until_the_user_switches(self) -> None:
        response = self.client.get(LOGIN, headers={"accept-language": "en-US,en;q=0.9"})
        self.assertContains(response, '<html lang="da">')
        self.client.post(reverse("set_language"), {"language": "en", "next": LOGIN})
        response = self.client.get(LOGIN, headers={"accept-language": "da"})
        self.assertContains(response, '<html lang="en">')
