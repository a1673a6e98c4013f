"""Shared principles on the web: the library, writing, signing once per unit, editing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.urls import reverse

from helhed.leadership.actions.principles import do_create_principle, do_sign_principle
from helhed.leadership.models import Principle, PrincipleSignature
from helhed.lib.validity import today
from helhed.organisation.models import Staff, Unit
from helhed.test import BaseTestCase, make_staff


class PrincipleCase(BaseTestCase):
    """Bakkeskolen's leader writes the absence principle; the family department has a leader."""

    family_leader: Staff

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.family_leader = make_staff(
            "Frida", "Falk", unit=cls.family_dept, role="leader", username="familyleader"
        )

    def setUp(self) -> None:
        super().setUp()
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        self.principle = self.write()

    def write(self, **changes: Any) -> Principle:
        data: dict[str, Any] = {
            "actor": self.leader,
            "title": "Bekymrende fravær",
            "situation": "En elevs fravær bekymrer skolen.",
            "who_does_what": "Skolen kontakter familien; familieafdelingen inddrages efter 10 %.",
            "review_on": today() + dt.timedelta(days=365),
        }
        data.update(changes)
        return do_create_principle(**data)

    def sign_url(self, principle: Principle | None = None) -> str:
        return reverse("leadership:principle_sign", args=[(principle or self.principle).pk])


class PrincipleListTests(PrincipleCase):
    def test_staff_see_the_library_and_search_it(self) -> None:
        self.login(self.teacher)
        response = self.client.get(reverse("leadership:principles"))
        self.assertContains(response, "Bekymrende fravær")
        self.assertNotContains(response, "Write a principle")
        response = self.client.get(reverse("leadership:principles"), {"q": "zebra"})
        self.assertNotContains(response, "Bekymrende fravær")

    def test_a_principle_past_its_review_date_is_flagged_and_filtered(self) -> None:
        Principle.objects.filter(pk=self.principle.pk).update(
            review_on=today() - dt.timedelta(days=1)
        )
        fresh = self.write(title="Overgang fra dagtilbud til skole")
        assert self.principle.pk != fresh.pk
        self.login(self.leader)
        response = self.client.get(reverse("leadership:principles"), {"past_review": "on"})
        self.assertContains(response, "Bekymrende fravær")
        self.assertContains(response, "past review")
        self.assertNotContains(response, "Overgang fra dagtilbud")
        detail = self.client.get(reverse("leadership:principle", args=[self.principle.pk]))
        self.assertContains(detail, 'data-testid="past-review"')
        fresh_detail = self.client.get(reverse("leadership:principle", args=[fresh.pk]))
        self.assertNotContains(fresh_detail, 'data-testid="past-review"')

    def test_an_outsider_sees_nothing(self) -> None:
        self.login(self.outsider)
        response = self.client.get(reverse("leadership:principles"))
        self.assertNotContains(response, "Bekymrende fravær", status_code=200)
        detail = self.client.get(reverse("leadership:principle", args=[self.principle.pk]))
        assert detail.status_code == 404

    def test_wrong_method(self) -> None:
        self.login(self.leader)
        assert self.client.post(reverse("leadership:principles")).status_code == 405
        assert self.client.get(self.sign_url()).status_code == 405


class PrincipleCreateTests(PrincipleCase):
    def data(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": "Udskrivning fra hospital til ældrepleje",
            "situation": "En ældre udskrives.",
            "who_does_what": "Hospitalet ringer dagen før; hjemmeplejen er der ved hjemkomst.",
            "owner": self.chief.pk,
            "review_on": (today() + dt.timedelta(days=200)).isoformat(),
        }
        data.update(changes)
        return data

    def test_a_leader_writes_a_principle(self) -> None:
        self.login(self.chief)
        response = self.client.post(reverse("leadership:principle_create"), self.data())
        principle = Principle.objects.get(title="Udskrivning fra hospital til ældrepleje")
        self.assertRedirects(response, reverse("leadership:principle", args=[principle.pk]))
        assert principle.owner == self.chief
        assert principle.municipality == self.chief.municipality

    def test_the_review_date_must_be_in_the_future(self) -> None:
        self.login(self.chief)
        for day in (today(), today() - dt.timedelta(days=3)):
            response = self.client.post(
                reverse("leadership:principle_create"), self.data(review_on=day.isoformat())
            )
            self.assertContains(response, "must be in the future", status_code=422)
        assert not Principle.objects.filter(title__startswith="Udskrivning").exists()

    def test_bad_input_is_an_error(self) -> None:
        self.login(self.chief)
        response = self.client.post(
            reverse("leadership:principle_create"), self.data(owner="x", review_on="soon")
        )
        assert response.status_code == 422

    def test_only_leaders_write_principles(self) -> None:
        self.login(self.teacher)
        assert self.client.get(reverse("leadership:principle_create")).status_code == 403
        response = self.client.post(reverse("leadership:principle_create"), self.data())
        assert response.status_code == 403

    def test_a_new_version_starts_from_the_old_text(self) -> None:
        self.login(self.chief)
        url = reverse("leadership:principle_create") + f"?from={self.principle.pk}"
        self.assertContains(self.client.get(url), "Skolen kontakter familien")
        other_unit = Unit.objects.get(municipality__code=167, name="Familie")
        self.login(make_staff("Olga", unit=other_unit, role="leader", username="olga"))
        assert self.client.get(url).status_code == 404


class PrincipleSignTests(PrincipleCase):
    def test_the_units_own_leader_signs_once(self) -> None:
        self.login(self.family_leader)
        detail = self.client.get(reverse("leadership:principle", args=[self.principle.pk]))
        self.assertContains(detail, "Sign for Familieafdelingen")
        response = self.client.post(self.sign_url(), {"unit": self.family_dept.pk})
        self.assertRedirects(response, reverse("leadership:principle", args=[self.principle.pk]))
        signature = PrincipleSignature.objects.get()
        assert (signature.unit, signature.signed_by) == (self.family_dept, self.family_leader)
        again = self.client.post(self.sign_url(), {"unit": self.family_dept.pk})
        self.assertContains(again, "has already signed", status_code=422)
        assert PrincipleSignature.objects.count() == 1
        detail = self.client.get(reverse("leadership:principle", args=[self.principle.pk]))
        self.assertNotContains(detail, "Sign for Familieafdelingen")

    def test_a_leader_above_may_not_sign_for_the_unit(self) -> None:
        self.login(self.chief)
        response = self.client.post(self.sign_url(), {"unit": self.family_dept.pk})
        assert response.status_code == 403
        self.login(self.director)
        assert self.client.post(self.sign_url(), {"unit": self.school.pk}).status_code == 403
        self.login(self.caseworker)
        assert self.client.post(self.sign_url(), {"unit": self.family_dept.pk}).status_code == 403
        assert not PrincipleSignature.objects.exists()

    def test_an_outsider_gets_404(self) -> None:
        self.login(self.outsider)
        response = self.client.post(self.sign_url(), {"unit": self.outsider_unit().pk})
        assert response.status_code == 404
        assert not PrincipleSignature.objects.exists()

    def test_a_unit_of_another_municipality_is_404(self) -> None:
        self.login(self.leader)
        response = self.client.post(self.sign_url(), {"unit": self.outsider_unit().pk})
        assert response.status_code == 404

    def test_bad_input_is_an_error(self) -> None:
        self.login(self.leader)
        for unit in ("", "abc", str(2**70)):
            response = self.client.post(self.sign_url(), {"unit": unit})
            assert response.status_code == 422, unit

    def test_a_principle_past_review_cannot_be_signed(self) -> None:
        Principle.objects.filter(pk=self.principle.pk).update(
            review_on=today() - dt.timedelta(days=1)
        )
        self.login(self.leader)
        response = self.client.post(self.sign_url(), {"unit": self.school.pk})
        self.assertContains(response, "past its review date", status_code=422)

    def outsider_unit(self) -> Unit:
        return Unit.objects.get(municipality__code=167, name="Familie")


class PrincipleEditTests(PrincipleCase):
    def data(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": "Bekymrende fravær i skolen",
            "situation": "En elevs fravær bekymrer skolen.",
            "who_does_what": "Skolen ringer samme dag.",
            "owner": self.leader.pk,
            "review_on": (today() + dt.timedelta(days=100)).isoformat(),
        }
        data.update(changes)
        return data

    def edit_url(self) -> str:
        return reverse("leadership:principle_edit", args=[self.principle.pk])

    def test_the_owner_edits_before_anyone_signs(self) -> None:
        self.login(self.leader)
        assert self.client.get(self.edit_url()).status_code == 200
        response = self.client.post(self.edit_url(), self.data())
        self.assertRedirects(response, reverse("leadership:principle", args=[self.principle.pk]))
        self.principle.refresh_from_db()
        assert self.principle.who_does_what == "Skolen ringer samme dag."

    def test_after_a_signature_the_text_is_fixed(self) -> None:
        do_sign_principle(actor=self.family_leader, principle=self.principle, unit=self.family_dept)
        self.login(self.leader)
        response = self.client.get(self.edit_url())
        self.assertRedirects(response, reverse("leadership:principle", args=[self.principle.pk]))
        response = self.client.post(self.edit_url(), self.data())
        self.assertContains(response, "Write a new principle", status_code=422)
        self.principle.refresh_from_db()
        assert self.principle.who_does_what.startswith("Skolen kontakter familien")

    def test_only_the_owner_edits(self) -> None:
        self.login(self.chief)
        assert self.client.get(self.edit_url()).status_code == 403
        assert self.client.post(self.edit_url(), self.data()).status_code == 403
        self.login(self.outsider)
        assert self.client.get(self.edit_url()).status_code == 404

    def test_bad_input_is_an_error(self) -> None:
        self.login(self.leader)
        response = self.client.post(self.edit_url(), self.data(title="", review_on="x"))
        assert response.status_code == 422
