"""Registering a citizen: front-line staff only; a bad or taken CPR number saves nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from helhed.citizens.models import Citizen, Engagement
from helhed.test import BaseTestCase, make_unit, synthetic_cpr

URL = reverse("citizens:register")


class RegisterCitizenTests(BaseTestCase):
    def valid_data(self, **changes: Any) -> dict[str, Any]:
        data = {
            "cpr": synthetic_cpr(dt.date(2016, 4, 12), "M"),
            "first_name": "Emil",
            "last_name": "Nørgaard",
            "current_unit": str(self.school.pk),
        }
        data.update(changes)
        return data

    def test_it_shows_the_form_with_todays_institutions_of_the_municipality(self) -> None:
        make_unit("Gamle Skole", parent=self.children_admin, valid_to=dt.date(2021, 7, 31))
        self.login(self.caseworker)
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'name="cpr"')
        self.assertContains(
            response, f'<option value="{self.school.pk}">Bakkeskolen</option>', html=True
        )
        self.assertContains(response, "Familieafdelingen")
        self.assertNotContains(response, "Gamle Skole")  # closed
        self.assertNotContains(response, "Børn og Skole")  # an administration
        self.assertNotContains(response, "Rudersdal Kommune")
        self.assertNotContains(response, ">Familie<")  # Hvidovre's department

    def test_it_registers_the_citizen_and_engages_the_caseworker(self) -> None:
        self.login(self.caseworker)
        data = self.valid_data()
        response = self.client.post(URL, data, follow=True)
        citizen = Citizen.objects.get(first_name="Emil")
        self.assertRedirects(response, reverse("citizens:detail", args=[citizen.pk]))
        self.assertContains(response, "Emil Nørgaard er oprettet")
        self.assertContains(response, f"{data['cpr'][:6]}-{data['cpr'][6:]}")
        self.assertEqual(citizen.current_unit, self.school)
        self.assertEqual(citizen.municipality.code, 230)
        self.assertEqual(citizen.birth_date, dt.date(2016, 4, 12))
        engagement = Engagement.objects.get(citizen=citizen)
        self.assertEqual(engagement.staff, self.caseworker)

    def test_the_current_unit_may_be_left_empty(self) -> None:
        self.login(self.caseworker)
        response = self.client.post(URL, self.valid_data(current_unit=""))
        self.assertEqual(response.status_code, 302)
        self.assertIsNone(Citizen.objects.get(first_name="Emil").current_unit)

    def test_it_explains_a_bad_cpr_number_and_saves_nothing(self) -> None:
        good = synthetic_cpr(dt.date(2016, 4, 12), "F")
        wrong_check_digit = good[:-1] + str((int(good[-1]) + 1) % 10)
        cases = {
            "320416-1234": "skal være en gyldig dato",
            "120416-123": "ti cifre",
            "abc": "ti cifre",
            wrong_check_digit: "kontrolciffer er forkert",
            "": "Indtast CPR-nummeret",
        }
        self.login(self.caseworker)
        before = Citizen.objects.count()
        for number, message in cases.items():
            response = self.client.post(URL, self.valid_data(cpr=number))
            self.assertEqual(response.status_code, 200, number)
            self.assertContains(response, message, msg_prefix=number)
            self.assertContains(response, 'class="field-error"')
            self.assertContains(response, 'value="Emil"')  # what was typed is kept
        self.assertEqual(Citizen.objects.count(), before)
        self.assertFalse(
            Engagement.objects.filter(staff=self.caseworker).exclude(citizen=self.alma).exists()
        )

    def test_it_refuses_a_cpr_number_already_registered(self) -> None:
        self.login(self.caseworker)
        before = Citizen.objects.count()
        for number in (self.mother.cpr, self.mother.cpr.replace("-", "")):
            response = self.client.post(URL, self.valid_data(cpr=number))
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, "allerede oprettet")
        self.assertEqual(Citizen.objects.count(), before)

    def test_a_number_taken_at_save_time_is_shown_on_the_cpr_field(self) -> None:
        """The one duplicate check runs while saving (Citizen.validate_unique), so a
        number registered by someone else a moment ago is reported on the field too."""
        self.login(self.caseworker)
        before = Citizen.objects.count()
        response = self.client.post(URL, self.valid_data(cpr=self.mother.cpr))
        self.assertEqual(response.status_code, 200)
        self.assertIn("allerede oprettet", " ".join(response.context["form"].errors["cpr"]))
        self.assertEqual(Citizen.objects.count(), before)

    def test_it_refuses_a_unit_of_another_municipality(self) -> None:
        other = make_unit("Hvidovre Skole", municipality_code=167)
        self.login(self.caseworker)
        response = self.client.post(URL, self.valid_data(current_unit=str(other.pk)))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(list(response.context["form"].errors), ["current_unit"])
        self.assertFalse(Citizen.objects.filter(first_name="Emil").exists())

    def test_an_empty_post_shows_the_errors(self) -> None:
        self.login(self.caseworker)
        response = self.client.post(URL, {})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Indtast CPR-nummeret")

    def test_staff_of_another_municipality_choose_among_their_own_units(self) -> None:
        self.login(self.outsider)
        response = self.client.get(URL)
        self.assertContains(response, ">Familie</option>")
        self.assertNotContains(response, "Bakkeskolen")
        response = self.client.post(URL, self.valid_data(), follow=True)
        self.assertEqual(list(response.context["form"].errors), ["current_unit"])
        self.client.post(URL, self.valid_data(current_unit=""))
        self.assertEqual(Citizen.objects.get(first_name="Emil").municipality.code, 167)

    def test_it_requires_the_names(self) -> None:
        self.login(self.caseworker)
        response = self.client.post(URL, self.valid_data(first_name="", last_name=""))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(set(response.context["form"].errors), {"first_name", "last_name"})
        self.assertFalse(Citizen.objects.filter(last_name="Nørgaard").exists())

    def test_it_is_forbidden_for_staff_who_do_not_work_with_citizens(self) -> None:
        for who in (self.leader, self.chief, self.politician, self.analyst, self.admin):
            self.login(who)
            self.assertEqual(self.client.get(URL).status_code, 403, who)
            self.assertEqual(self.client.post(URL, self.valid_data()).status_code, 403, who)
        self.assertFalse(Citizen.objects.filter(first_name="Emil").exists())

    def test_it_sends_anonymous_users_to_login(self) -> None:
        response = self.client.post(URL, self.valid_data())
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))
        self.assertFalse(Citizen.objects.filter(first_name="Emil").exists())

    def test_it_rejects_other_methods(self) -> None:
        self.login(self.caseworker)
        self.assertEqual(self.client.put(URL).status_code, 405)
        self.assertEqual(self.client.delete(URL).status_code, 405)
