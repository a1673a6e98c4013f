"""Holes found by the security review, each pinned by a test that fails if it reopens."""

from __future__ import annotations

import logging

from django.contrib.auth.models import Permission
from django.urls import reverse

from helhed import policy
from helhed.citizens.models import Engagement
from helhed.lib.logfilter import MaskCprFilter, mask
from helhed.organisation.models import Role, RoleAssignment, Unit
from helhed.test import EPOCH, BaseTestCase, engage, make_citizen


class AdminLeakTests(BaseTestCase):
    def test_delete_pages_that_would_list_citizens_are_refused(self) -> None:
        self.login(self.admin)
        for url in (
            reverse("admin:organisation_municipality_delete", args=[self.root.municipality_id]),
            reverse("admin:organisation_unit_delete", args=[self.school.pk]),
            reverse("admin:organisation_staff_delete", args=[self.caseworker.pk]),
            reverse("admin:citizens_citizen_delete", args=[self.alma.pk]),
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                assert response.status_code in (302, 403), response.status_code
                self.assertNotContains(response, "Alma", status_code=response.status_code)

    def test_list_filters_through_citizen_relations_are_refused(self) -> None:
        self.login(self.admin)
        for url in (
            reverse("admin:organisation_unit_changelist") + f"?enrolled_citizens={self.alma.pk}",
            reverse("admin:organisation_municipality_changelist") + f"?citizens={self.alma.pk}",
            reverse("admin:organisation_staff_changelist") + "?engagements__isnull=False",
        ):
            with self.subTest(url=url):
                assert self.client.get(url).status_code == 400

    def test_declared_filters_still_work(self) -> None:
        self.login(self.admin)
        url = reverse("admin:organisation_role_changelist") + "?kind=leader"
        self.assertContains(self.client.get(url), "Kommunaldirekt")

    def test_consents_and_family_links_are_not_in_the_admin(self) -> None:
        self.login(self.admin)
        for path in (
            f"/admin/citizens/familylink/add/?from_citizen={self.alma.pk}",
            f"/admin/citizens/consent/add/?citizen={self.alma.pk}",
        ):
            with self.subTest(path=path):
                response = self.client.get(path)
                assert response.status_code == 404
                self.assertNotContains(response, "Alma", status_code=404)

    def test_an_administrator_sees_only_their_own_municipalitys_units_and_staff(self) -> None:
        user = self.leader.user
        assert user is not None
        user.is_staff = True
        user.save()
        user.user_permissions.add(
            *Permission.objects.filter(codename__in=["view_unit", "view_staff"])
        )
        self.login(self.leader)
        units = self.client.get(reverse("admin:organisation_unit_changelist"))
        self.assertContains(units, "Bakkeskolen")
        self.assertNotContains(units, "Hvidovre Kommune")
        staff = self.client.get(reverse("admin:organisation_staff_changelist"))
        self.assertContains(staff, "Sand")
        self.assertNotContains(staff, "Olsen")

    def test_api_tokens_cannot_be_added_in_the_admin(self) -> None:
        self.login(self.admin)
        assert self.client.get(reverse("admin:api_apitoken_add")).status_code == 403


class PolicyMunicipalityTests(BaseTestCase):
    def test_a_role_in_another_municipalitys_unit_opens_none_of_its_citizens(self) -> None:
        hvidovre_unit = Unit.objects.get(name="Familie", municipality__code=167)
        child = make_citizen("Hemmelig", "Barn", municipality_code=167)
        engage(child, unit=hvidovre_unit, kind=Engagement.Kind.CASEWORK)
        # Bypasses RoleAssignment.clean, as a faulty import or inline once could.
        RoleAssignment.objects.create(
            staff=self.colleague,
            unit=hvidovre_unit,
            role=Role.objects.get(code="caseworker"),
            valid_from=EPOCH,
        )
        assert not policy.visible_citizens(self.colleague.user).filter(pk=child.pk).exists()


class BadInputTests(BaseTestCase):
    def test_a_huge_api_page_number_is_a_422_not_a_500(self) -> None:
        self.login(self.caseworker)
        for path in ("/api/units", "/api/citizens", "/api/staff", "/api/municipalities"):
            with self.subTest(path=path):
                response = self.client.get(path + "?page=99999999999999999999999")
                assert response.status_code == 422

    def test_a_nul_character_in_a_web_search_is_a_400(self) -> None:
        self.login(self.caseworker)
        assert self.client.get(reverse("citizens:list") + "?q=a%00b").status_code == 400
        self.login(self.admin)
        url = reverse("admin:organisation_unit_changelist") + "?q=%00"
        assert self.client.get(url).status_code == 400


class CprExposureTests(BaseTestCase):
    def test_the_citizen_page_is_never_cached(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(reverse("citizens:detail", args=[self.alma.pk]))
        assert "no-store" in response.headers["Cache-Control"]

    def test_log_lines_mask_cpr_numbers(self) -> None:
        assert mask('"GET /citizens/?q=030315-5724 HTTP/1.1" 200') == (
            '"GET /citizens/?q=030315-xxxx HTTP/1.1" 200'
        )
        assert mask("q=0303155724&page=2") == "q=030315-xxxx&page=2"
        assert mask("unit 12345 of 2026") == "unit 12345 of 2026"
        record = logging.LogRecord(
            "django.server", logging.INFO, __file__, 1, '"%s" %s', ("GET /?q=0303155724", 200), None
        )
        MaskCprFilter().filter(record)
        assert "5724" not in record.getMessage()
