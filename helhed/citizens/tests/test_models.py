"""Citizens: family links, consents, engagements and registration."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from helhed import policy
from helhed.citizens.actions import do_register_citizen
from helhed.citizens.models import Citizen, Consent, Engagement, FamilyLink
from helhed.lib.validity import today
from helhed.test import BaseTestCase, make_citizen, municipality, synthetic_cpr


def codes(exc: ValidationError) -> set[str | None]:
    return {error.code for errors in exc.error_dict.values() for error in errors}


class FamilyLinkTests(BaseTestCase):
    def test_it_rejects_a_guardian_younger_than_the_child(self) -> None:
        link = FamilyLink(
            from_citizen=self.alma, to_citizen=self.mother, kind=FamilyLink.Kind.GUARDIAN
        )
        with self.assertRaises(ValidationError) as caught:
            link.full_clean()
        assert "guardian_younger" in codes(caught.exception)

    def test_it_rejects_a_guardian_born_the_same_day(self) -> None:
        twin = make_citizen("Tvilling", birth_date=self.alma.birth_date)
        link = FamilyLink(from_citizen=twin, to_citizen=self.alma, kind=FamilyLink.Kind.GUARDIAN)
        with self.assertRaises(ValidationError):
            link.full_clean()

    def test_a_younger_sibling_is_fine(self) -> None:
        baby = make_citizen("Baby", birth_date=dt.date(2020, 2, 2))
        FamilyLink(
            from_citizen=baby, to_citizen=self.alma, kind=FamilyLink.Kind.SIBLING
        ).full_clean()

    def test_it_rejects_a_link_to_oneself(self) -> None:
        for kind in FamilyLink.Kind:
            link = FamilyLink(from_citizen=self.alma, to_citizen=self.alma, kind=kind)
            with self.subTest(kind=kind), self.assertRaises(ValidationError) as caught:
                link.clean()
            assert caught.exception.code == "self_relation"

    def test_the_database_rejects_a_link_to_oneself(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            FamilyLink.objects.create(
                from_citizen=self.alma, to_citizen=self.alma, kind=FamilyLink.Kind.SIBLING
            )

    def test_guardians_and_children_in_care_read_both_ways(self) -> None:
        assert list(self.alma.guardians()) == [self.mother]
        assert list(self.mother.children_in_care()) == [self.alma]
        assert not self.mother.guardians().exists()
        assert not self.alma.children_in_care().exists()
        assert not self.bror.guardians().exists()  # a sibling link is not guardianship

    def test_siblings_read_both_ways(self) -> None:
        assert list(self.alma.siblings()) == [self.bror]
        assert list(self.bror.siblings()) == [self.alma]
        assert not self.mother.siblings().exists()

    def test_siblings_are_listed_once_each(self) -> None:
        # Linked in both directions by mistake: still one sibling.
        FamilyLink.objects.create(
            from_citizen=self.alma, to_citizen=self.bror, kind=FamilyLink.Kind.SIBLING
        )
        assert list(self.alma.siblings()) == [self.bror]


class ConsentTests(BaseTestCase):
    def consent(self, **fields: object) -> Consent:
        values: dict[str, object] = {
            "citizen": self.alma,
            "given_by": self.mother,
            "purpose": "Samarbejde mellem skole og PPR",
            "given_on": dt.date(2024, 3, 1),
        }
        values.update(fields)
        return Consent(**values)

    def test_it_is_not_active_before_it_is_given(self) -> None:
        consent = self.consent()
        assert not consent.is_active(dt.date(2024, 2, 29))
        assert consent.is_active(dt.date(2024, 3, 1))
        assert consent.is_active(dt.date(2030, 1, 1))

    def test_it_stops_on_the_day_it_is_withdrawn(self) -> None:
        consent = self.consent(withdrawn_on=dt.date(2024, 6, 1))
        assert consent.is_active(dt.date(2024, 5, 31))
        assert not consent.is_active(dt.date(2024, 6, 1))
        assert not consent.is_active(dt.date(2025, 1, 1))

    def test_it_holds_through_its_expiry_date(self) -> None:
        consent = self.consent(expires_on=dt.date(2024, 12, 31))
        assert consent.is_active(dt.date(2024, 12, 31))
        assert not consent.is_active(dt.date(2025, 1, 1))

    def test_it_can_be_given_by_a_guardian_or_the_citizen(self) -> None:
        self.consent(given_by=self.mother).full_clean()
        self.consent(given_by=self.alma).full_clean()

    def test_it_cannot_be_given_by_a_sibling(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.consent(given_by=self.bror).full_clean()
        assert caught.exception.error_dict["given_by"][0].code == "not_guardian"

    def test_it_cannot_be_given_by_a_child_for_the_guardian(self) -> None:
        with self.assertRaises(ValidationError):
            self.consent(citizen=self.mother, given_by=self.alma).full_clean()

    def test_it_cannot_be_withdrawn_before_it_was_given(self) -> None:
        with self.assertRaises(ValidationError):
            self.consent(withdrawn_on=dt.date(2024, 2, 1)).full_clean()
        with self.assertRaises(IntegrityError), transaction.atomic():
            self.consent(withdrawn_on=dt.date(2024, 2, 1)).save()


class EngagementTests(BaseTestCase):
    def test_it_needs_a_staff_member_or_a_unit(self) -> None:
        engagement = Engagement(citizen=self.alma, kind=Engagement.Kind.CASEWORK)
        with self.assertRaises(ValidationError) as caught:
            engagement.full_clean()
        assert "no_party" in {e.code for e in caught.exception.error_dict["__all__"]}

    def test_the_database_requires_a_staff_member_or_a_unit(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            Engagement.objects.create(citizen=self.alma, kind=Engagement.Kind.CASEWORK)

    def test_either_party_is_enough(self) -> None:
        Engagement(citizen=self.alma, staff=self.colleague, kind="casework").full_clean()
        Engagement(citizen=self.alma, unit=self.family_dept, kind="casework").full_clean()

    def test_it_rejects_a_period_that_ends_before_it_starts(self) -> None:
        engagement = Engagement(
            citizen=self.alma,
            staff=self.colleague,
            kind=Engagement.Kind.CASEWORK,
            valid_from=dt.date(2024, 1, 2),
            valid_to=dt.date(2024, 1, 1),
        )
        with self.assertRaises(ValidationError):
            engagement.full_clean()
        with self.assertRaises(IntegrityError), transaction.atomic():
            engagement.save()


class RegistrationTests(BaseTestCase):
    def register(self, cpr: str, **fields: object) -> Citizen:
        values: dict[str, object] = {
            "cpr": cpr,
            "first_name": "Nora",
            "last_name": "Nielsen",
            "municipality": municipality(),
        }
        values.update(fields)
        return do_register_citizen(**values)  # type: ignore[arg-type]

    def test_it_derives_birth_date_and_sex_from_the_cpr_number(self) -> None:
        citizen = self.register(synthetic_cpr(dt.date(2015, 6, 1), "M"))
        citizen.refresh_from_db()
        assert citizen.birth_date == dt.date(2015, 6, 1)
        assert citizen.sex == Citizen.Sex.MALE

    def test_it_rejects_a_duplicate_cpr_with_a_validation_error(self) -> None:
        before = Citizen.objects.count()
        for raw in (self.alma.cpr, self.alma.cpr.replace("-", ""), f" {self.alma.cpr} "):
            with self.subTest(raw=raw), self.assertRaises(ValidationError) as caught:
                # Not an IntegrityError: the user gets a message, not a server error.
                self.register(raw)
            assert caught.exception.error_dict["cpr"][0].code == "cpr_taken"
            with translation.override("en"):
                assert "already registered" in caught.exception.message_dict["cpr"][0]
        assert Citizen.objects.count() == before

    def test_a_duplicate_does_not_leave_an_engagement_behind(self) -> None:
        before = Engagement.objects.count()
        with self.assertRaises(ValidationError):
            self.register(self.alma.cpr, registered_by=self.colleague)
        assert Engagement.objects.count() == before

    def test_it_rejects_an_invalid_cpr_number(self) -> None:
        with self.assertRaises(ValidationError):
            self.register("0707614286")
        assert not Citizen.objects.filter(first_name="Nora").exists()

    def test_the_registering_staff_member_gets_an_engagement(self) -> None:
        citizen = self.register(
            synthetic_cpr(dt.date(2016, 2, 2)), registered_by=self.colleague, purpose="Underretning"
        )
        engagement = Engagement.objects.get(citizen=citizen)
        assert engagement.staff == self.colleague
        assert engagement.kind == Engagement.Kind.CASEWORK
        assert engagement.valid_from == today()
        assert engagement.valid_to is None
        assert engagement.purpose == "Underretning"
        assert citizen in policy.visible_citizens(self.colleague.user)
        assert citizen not in policy.visible_citizens(self.caseworker.user)

    def test_without_a_registering_staff_member_nobody_is_engaged(self) -> None:
        citizen = self.register(synthetic_cpr(dt.date(2016, 2, 2)))
        assert not Engagement.objects.filter(citizen=citizen).exists()

    def test_it_strips_the_names(self) -> None:
        citizen = self.register(synthetic_cpr(dt.date(2016, 2, 2)), first_name="  Nora ")
        assert citizen.first_name == "Nora"

    def test_age_counts_birthdays(self) -> None:
        born = self.alma.birth_date
        assert self.alma.age(born.replace(year=born.year + 10)) == 10
        assert self.alma.age(born.replace(year=born.year + 10) - dt.timedelta(days=1)) == 9

    def test_masked_cpr_hides_the_serial(self) -> None:
        assert self.alma.masked_cpr == self.alma.cpr[:6] + "-xxxx"
