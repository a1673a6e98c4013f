"""The citizen list: only citizens the user works with, searchable and paged."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from helhed.citizens.models import Citizen
from helhed.test import BaseTestCase, engage, make_citizen

URL = reverse("citizens:list")


class CitizenListTests(BaseTestCase):
    def test_it_shows_the_citizens_the_user_works_with(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Alma Jensen")
        self.assertContains(response, reverse("citizens:detail", args=[self.alma.pk]))
        self.assertContains(response, "170514-xxxx")  # masked
        self.assertContains(response, "Bakkeskolen")
        self.assertContains(response, f'<td class="num">{self.alma.age()}</td>', html=True)
        self.assertNotContains(response, "Mette Jensen")
        self.assertNotContains(response, "Bo Jensen")

    def test_it_never_shows_the_full_cpr_number(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(URL)
        self.assertNotContains(response, self.alma.cpr)
        self.assertNotContains(response, self.alma.cpr.replace("-", ""))

    def test_it_shows_pupils_to_the_teacher_through_the_school(self) -> None:
        self.login(self.teacher)
        self.assertContains(self.client.get(URL), "Alma Jensen")

    def test_it_explains_an_empty_list(self) -> None:
        for staff in (self.colleague, self.leader, self.politician, self.outsider):
            self.login(staff)
            response = self.client.get(URL)
            self.assertEqual(response.status_code, 200)
            self.assertNotContains(response, "Alma Jensen")
            self.assertContains(response, "Du kan se de borgere, du har en tilknytning til")

    def test_it_offers_registration_only_to_front_line_staff(self) -> None:
        register = reverse("citizens:register")
        self.login(self.caseworker)
        self.assertContains(self.client.get(URL), f'href="{register}"')
        self.login(self.leader)
        self.assertNotContains(self.client.get(URL), f'href="{register}"')

    def test_it_sends_anonymous_users_to_login(self) -> None:
        response = self.client.get(URL)
        self.assertRedirects(response, f"{reverse('login')}?next={URL}")

    def test_it_rejects_post(self) -> None:
        self.login(self.caseworker)
        self.assertEqual(self.client.post(URL).status_code, 405)


class CitizenSearchTests(BaseTestCase):
    anton: Citizen

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.anton = make_citizen("Anton", "Holm", birth_date=dt.date(2012, 2, 3), sex="M")
        engage(cls.anton, staff=cls.caseworker)

    def test_it_finds_by_part_of_the_name(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(URL, {"q": "alm"})
        self.assertContains(response, "Alma Jensen")
        self.assertNotContains(response, "Anton Holm")
        self.assertContains(response, "1 borger matcher")

    def test_it_finds_by_first_and_last_name_together(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(URL, {"q": "holm anton"})
        self.assertContains(response, "Anton Holm")
        self.assertNotContains(response, "Alma Jensen")

    def test_it_finds_by_full_cpr_number_with_or_without_dash(self) -> None:
        self.login(self.caseworker)
        for number in (self.anton.cpr, self.anton.cpr.replace("-", "")):
            response = self.client.get(URL, {"q": number})
            self.assertContains(response, "Anton Holm")
            self.assertNotContains(response, "Alma Jensen")

    def test_it_finds_no_one_outside_the_users_engagements(self) -> None:
        self.login(self.caseworker)
        for text in (self.mother.cpr, "Mette"):
            response = self.client.get(URL, {"q": text})
            self.assertNotContains(response, "Mette Jensen")
            self.assertContains(response, "Ingen af de borgere, du arbejder med, matcher")

    def test_it_returns_only_the_results_to_htmx(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(URL, {"q": "anton"}, headers={"HX-Request": "true"})
        self.assertContains(response, "Anton Holm")
        self.assertNotContains(response, "<html")


class CitizenPaginationTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        for i in range(29):
            born = dt.date(2015, 1, 2) + dt.timedelta(days=i)  # distinct CPR numbers
            citizen = make_citizen(f"Barn{i:02d}", "Østergaard", birth_date=born)
            engage(citizen, staff=cls.caseworker)

    def test_it_shows_twenty_five_a_page(self) -> None:
        self.login(self.caseworker)
        first = self.client.get(URL)
        self.assertEqual(len(first.context["page"].object_list), 25)
        self.assertContains(first, "Du arbejder med 30 borgere")
        self.assertContains(first, "Side 1 af 2")
        self.assertContains(first, "Alma Jensen")  # J sorts before Ø
        self.assertNotContains(first, "Barn28 Østergaard")
        second = self.client.get(URL, {"page": 2})
        self.assertEqual(len(second.context["page"].object_list), 5)
        self.assertContains(second, "Barn28 Østergaard")
        self.assertNotContains(second, "Alma Jensen")

    def test_pages_keep_the_search(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(URL, {"q": "barn Øster"})
        self.assertContains(response, "29 borgere matcher")
        self.assertContains(response, "?q=barn%20%C3%98ster&amp;page=2")
        second = self.client.get(URL, {"q": "barn Øster", "page": "2"})
        self.assertEqual(len(second.context["page"].object_list), 4)

    def test_a_page_out_of_range_shows_the_last_page(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(URL, {"page": 99})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["page"].number, 2)
