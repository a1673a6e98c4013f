"""The citizen admin: clear validation errors, only visible citizens, no CPR in clear."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import Permission
from django.urls import reverse

from helhed.citizens.models import Citizen
from helhed.test import BaseTestCase, synthetic_cpr

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

ADD_URL = reverse("admin:citizens_citizen_add")
LIST_URL = reverse("admin:citizens_citizen_changelist")


class CitizenAdminTestCase(BaseTestCase):
    def post_citizen(self, cpr: str, **fields: str) -> TestResponse:
        data = {
            "cpr": cpr,
            "first_name": "Nora",
            "last_name": "Nielsen",
            "municipality": str(self.alma.municipality_id),
            "current_unit": "",
            "engagements-TOTAL_FORMS": "0",
            "engagements-INITIAL_FORMS": "0",
            "engagements-MIN_NUM_FORMS": "0",
            "engagements-MAX_NUM_FORMS": "1000",
            **fields,
        }
        # Messages are asserted in English: choose it as a user would.
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return self.client.post(ADD_URL, data)

    def make_admin_user(self) -> None:
        """Give the case worker admin access with the citizen permissions."""
        user = self.caseworker.user
        assert user is not None
        user.is_staff = True
        user.save()
        user.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label="citizens",
                codename__in=["view_citizen", "change_citizen", "add_citizen"],
            )
        )


class CitizenAdminValidationTests(CitizenAdminTestCase):
    def setUp(self) -> None:
        self.login(self.admin)
        self.before = Citizen.objects.count()

    def test_it_adds_a_citizen_with_a_valid_cpr(self) -> None:
        cpr = synthetic_cpr(dt.date(2015, 1, 20))
        response = self.post_citizen(cpr)
        assert response.status_code == 302
        citizen = Citizen.objects.get(first_name="Nora")
        assert citizen.cpr.replace("-", "") == cpr
        assert citizen.birth_date == dt.date(2015, 1, 20)

    def test_it_shows_a_bad_check_digit_clearly(self) -> None:
        response = self.post_citizen("070761-4286")
        assert response.status_code == 200
        self.assertContains(response, "check digit is wrong")
        assert Citizen.objects.count() == self.before

    def test_it_shows_an_impossible_date_clearly(self) -> None:
        response = self.post_citizen("310299-0000")
        assert response.status_code == 200
        self.assertContains(response, "must be a real date")
        assert Citizen.objects.count() == self.before

    def test_it_shows_a_malformed_number_clearly(self) -> None:
        response = self.post_citizen("12345")
        assert response.status_code == 200
        self.assertContains(response, "ten digits")
        assert Citizen.objects.count() == self.before

    def test_it_requires_a_cpr_number_for_a_new_citizen(self) -> None:
        response = self.post_citizen("")
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["cpr"]
        assert Citizen.objects.count() == self.before

    def test_it_shows_a_duplicate_cpr_clearly(self) -> None:
        for raw in (self.alma.cpr, self.alma.cpr.replace("-", "")):
            with self.subTest(raw=raw):
                response = self.post_citizen(raw)
                assert response.status_code == 200
                self.assertContains(
                    response, "A citizen with this CPR number is already registered"
                )
        assert Citizen.objects.count() == self.before


class CitizenAdminListTests(CitizenAdminTestCase):
    def test_a_superuser_without_a_staff_record_sees_no_citizens(self) -> None:
        self.login(self.admin)
        response = self.client.get(LIST_URL)
        assert response.status_code == 200
        assert response.context["cl"].result_count == 0
        self.assertNotContains(response, "Alma")
        self.assertNotContains(response, "Mette")

    def test_a_staff_user_sees_only_the_citizens_they_work_with(self) -> None:
        self.make_admin_user()
        self.login(self.caseworker)
        response = self.client.get(LIST_URL)
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == [self.alma]
        self.assertContains(response, "Alma")
        self.assertNotContains(response, "Mette")

    def test_search_does_not_reach_beyond_visible_citizens(self) -> None:
        self.make_admin_user()
        self.login(self.caseworker)
        response = self.client.get(LIST_URL, {"q": self.mother.cpr})
        assert response.context["cl"].result_count == 0
        response = self.client.get(LIST_URL, {"q": self.alma.cpr})
        assert list(response.context["cl"].result_list) == [self.alma]

    def test_a_citizen_outside_the_users_engagements_cannot_be_opened(self) -> None:
        self.make_admin_user()
        self.login(self.caseworker)
        url = reverse("admin:citizens_citizen_change", args=[self.mother.pk])
        response = self.client.get(url)
        assert response.status_code == 302  # the admin's "does not exist" redirect
        self.assertNotContains(response, "Mette", status_code=302)

    def test_the_change_list_never_shows_the_full_cpr(self) -> None:
        self.make_admin_user()
        self.login(self.caseworker)
        response = self.client.get(LIST_URL)
        cpr = self.alma.cpr
        self.assertNotContains(response, cpr)
        self.assertNotContains(response, cpr.replace("-", ""))
        self.assertNotContains(response, cpr[7:])  # not even the serial alone
        self.assertContains(response, self.alma.masked_cpr)

    def test_the_change_form_never_shows_the_full_cpr(self) -> None:
        self.make_admin_user()
        self.login(self.caseworker)
        response = self.client.get(reverse("admin:citizens_citizen_change", args=[self.alma.pk]))
        assert response.status_code == 200
        self.assertNotContains(response, self.alma.cpr)
        self.assertNotContains(response, self.alma.cpr.replace("-", ""))

    def test_saving_without_a_new_cpr_keeps_the_number(self) -> None:
        self.make_admin_user()
        self.login(self.caseworker)
        url = reverse("admin:citizens_citizen_change", args=[self.alma.pk])
        cpr = self.alma.cpr
        response = self.client.post(
            url,
            {
                "cpr": "",
                "first_name": "Alma Marie",
                "last_name": "Jensen",
                "municipality": str(self.alma.municipality_id),
                "current_unit": str(self.school.pk),
                "engagements-TOTAL_FORMS": "0",
                "engagements-INITIAL_FORMS": "0",
                "engagements-MIN_NUM_FORMS": "0",
                "engagements-MAX_NUM_FORMS": "1000",
            },
        )
        assert response.status_code == 302
        self.alma.refresh_from_db()
        assert self.alma.first_name == "Alma Marie"
        assert self.alma.cpr == cpr


class CitizenAdminEngagementTests(CitizenAdminTestCase):
    def test_a_staff_user_who_adds_a_citizen_can_see_the_record_afterwards(self) -> None:
        self.make_admin_user()
        self.login(self.caseworker)
        response = self.post_citizen(synthetic_cpr(dt.date(2016, 2, 3)))
        assert response.status_code == 302
        citizen = Citizen.objects.get(first_name="Nora")
        assert citizen.engagements.filter(staff=self.caseworker).exists()
        listing = self.client.get(reverse("admin:citizens_citizen_changelist"))
        self.assertContains(listing, "Nora")
