"""The citizen page: the full CPR number, family, engagements and consents."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from helhed.citizens.models import Consent, Engagement
from helhed.organisation.models import Sector
from helhed.test import BaseTestCase, engage


def url(citizen_id: int) -> str:
    return reverse("citizens:detail", args=[citizen_id])


class CitizenDetailTests(BaseTestCase):
    def test_it_shows_the_full_cpr_number_and_the_current_unit(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(url(self.alma.pk))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h1>Alma Jensen</h1>", html=True)
        self.assertContains(response, self.alma.cpr)
        self.assertContains(response, "17 maj 2014")  # birth date, in Danish by default
        self.assertContains(response, reverse("organisation:unit", args=[self.school.pk]))

    def test_it_names_relatives_but_links_only_those_the_user_may_see(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(url(self.alma.pk))
        self.assertContains(response, "Mette Jensen")
        self.assertContains(response, "Bo Jensen")
        self.assertNotContains(response, url(self.mother.pk))
        self.assertNotContains(response, url(self.bror.pk))
        self.assertNotContains(response, self.mother.cpr)

        engage(self.bror, staff=self.caseworker)
        response = self.client.get(url(self.alma.pk))
        self.assertContains(response, f'href="{url(self.bror.pk)}"')
        self.assertNotContains(response, url(self.mother.pk))

    def test_it_shows_a_guardians_children(self) -> None:
        engage(self.mother, staff=self.caseworker)
        self.login(self.caseworker)
        response = self.client.get(url(self.mother.pk))
        self.assertContains(response, "Forælder/værge for")
        self.assertContains(response, f'href="{url(self.alma.pk)}"')

    def test_it_lists_who_works_with_the_citizen(self) -> None:
        engage(
            self.alma,
            staff=self.colleague,
            kind=Engagement.Kind.PPR,
            valid_from=dt.date(2021, 1, 1),
            valid_to=dt.date(2021, 6, 30),
        )
        self.login(self.caseworker)
        response = self.client.get(url(self.alma.pk))
        self.assertContains(response, "Sara Sand")
        self.assertContains(response, "Sagsbehandling")
        self.assertContains(response, "Undervisning")
        self.assertContains(response, "Karl Kolding")
        self.assertContains(response, "30 Jun 2021")
        self.assertContains(response, "ikke aktuel")

    def test_it_lists_consents_with_sectors_and_status(self) -> None:
        active = Consent.objects.create(
            citizen=self.alma,
            purpose="Samarbejde mellem skole og familieafdeling",
            given_by=self.mother,
            given_on=dt.date(2024, 3, 1),
        )
        active.sectors.set(Sector.objects.filter(code__in=["school", "social"]))
        withdrawn = Consent.objects.create(
            citizen=self.alma,
            purpose="Deling med sundhedsplejen",
            given_by=self.mother,
            given_on=dt.date(2023, 1, 10),
            withdrawn_on=dt.date(2023, 9, 1),
        )
        withdrawn.sectors.set(Sector.objects.filter(code="health"))
        self.login(self.caseworker)
        response = self.client.get(url(self.alma.pk))
        self.assertContains(response, "Samarbejde mellem skole og familieafdeling")
        self.assertContains(response, "Børn og familie")  # the social sector, in Danish
        self.assertContains(response, "Sundhed")
        self.assertContains(response, "1 Mar 2024 af Mette Jensen")
        self.assertContains(response, "Gældende")
        self.assertContains(response, "Tilbagekaldt 1 Sep")

    def test_it_hides_the_citizen_without_an_engagement(self) -> None:
        for staff in (self.colleague, self.leader, self.chief, self.politician):
            self.login(staff)
            self.assertEqual(self.client.get(url(self.alma.pk)).status_code, 404, staff)

    def test_it_hides_the_citizen_from_another_municipality(self) -> None:
        self.login(self.outsider)
        self.assertEqual(self.client.get(url(self.alma.pk)).status_code, 404)

    def test_it_hides_the_citizen_after_the_engagement_ended(self) -> None:
        Engagement.objects.filter(citizen=self.alma).update(valid_to=dt.date(2022, 12, 31))
        self.login(self.caseworker)
        self.assertEqual(self.client.get(url(self.alma.pk)).status_code, 404)

    def test_it_gives_the_same_404_for_a_citizen_that_does_not_exist(self) -> None:
        self.login(self.caseworker)
        self.assertEqual(self.client.get(url(999_999)).status_code, 404)

    def test_it_sends_anonymous_users_to_login(self) -> None:
        response = self.client.get(url(self.alma.pk))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))

    def test_it_rejects_post(self) -> None:
        self.login(self.caseworker)
        self.assertEqual(self.client.post(url(self.alma.pk)).status_code, 405)
