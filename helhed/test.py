"""Shared test base: small factories and a cast of named users.

The cast (``BaseTestCase.setUpTestData``), all in Rudersdal (230) unless said:

* ``director``: municipal director, leader of the municipality root unit
* ``chief``: chief of the children and school administration
* ``leader``: school leader of Bakkeskolen
* ``caseworker``: case worker in the family department, engaged with ``alma``
* ``teacher``: teacher at Bakkeskolen; sees Bakkeskolen's pupils through the
  school's unit engagement with ``alma``
* ``colleague``: case worker in the same department without an engagement
* ``analyst``, ``politician``: analyst and committee member
* ``outsider``: case worker in another municipality (Hvidovre, 167)
* ``admin``: a technical superuser with no staff record

Citizens: ``alma`` (a child at Bakkeskolen, 2014), her guardian ``mother``
and her brother ``bror``. ``guardian`` is the mother's own (family) login.
Every user's password is ``PASSWORD``.

Plans are not in the base: make one with ``make_plan`` where a test needs it.

Results are not in the base either: ``make_results_chain`` makes a committee
("Børne- og Skoleudvalget"), the catalogue, an ambition owned by the chief
over "Børn og Skole" with one marker (owner: the chief) on two indicators;
``set_target`` and ``record_value`` put targets and values in place.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.test import TestCase

from helhed.citizens import cpr as cprlib
from helhed.citizens.actions import do_start_engagement
from helhed.citizens.models import Citizen, Consent, Engagement, FamilyLink
from helhed.organisation.actions import do_assign_role, do_create_unit
from helhed.organisation.models import (
    Municipality,
    Role,
    RoleAssignment,
    Sector,
    Staff,
    Unit,
    UnitType,
)
from helhed.plans.models import Plan
from helhed.results.catalogue import install_catalogue
from helhed.results.models import Ambition, Committee, Indicator, Marker, Measurement, Target

PASSWORD = "test-password-7261"  # noqa: S105 - test fixture
EPOCH = dt.date(2020, 1, 1)
_rng = random.Random(4)  # noqa: S311 - test data, not security


def municipality(code: int = 230) -> Municipality:
    return Municipality.objects.get(code=code)


def make_unit(
    name: str,
    *,
    parent: Unit | None = None,
    unit_type: str = "institution",
    sector: str | None = None,
    municipality_code: int = 230,
    valid_from: dt.date = EPOCH,
    valid_to: dt.date | None = None,
) -> Unit:
    return do_create_unit(
        name=name,
        parent=parent,
        municipality=parent.municipality if parent else municipality(municipality_code),
        unit_type=UnitType.objects.get(code=unit_type),
        sector=Sector.objects.get(code=sector) if sector else None,
        valid_from=valid_from,
        valid_to=valid_to,
    )


def make_staff(
    first_name: str,
    last_name: str = "Hansen",
    *,
    unit: Unit | None = None,
    role: str | None = None,
    username: str | None = None,
    valid_from: dt.date = EPOCH,
    municipality_code: int | None = None,
) -> Staff:
    user = None
    if username:
        user = get_user_model().objects.create_user(
            username=username,
            password=PASSWORD,
            first_name=first_name,
            last_name=last_name,
        )
    code = municipality_code or (unit.municipality.code if unit else 230)
    staff = Staff.objects.create(
        user=user,
        municipality=municipality(code),
        first_name=first_name,
        last_name=last_name,
        email=f"{(username or first_name).lower()}@example.org",
    )
    if unit is not None and role is not None:
        assign(staff, unit, role, valid_from=valid_from)
    return staff


def assign(
    staff: Staff,
    unit: Unit,
    role: str,
    *,
    valid_from: dt.date = EPOCH,
    valid_to: dt.date | None = None,
) -> RoleAssignment:
    return do_assign_role(
        staff=staff,
        unit=unit,
        role=Role.objects.get(code=role),
        valid_from=valid_from,
        valid_to=valid_to,
    )


def synthetic_cpr(birth_date: dt.date, sex: str = "F") -> str:
    return cprlib.synthetic(birth_date, sex, _rng)


def make_citizen(
    first_name: str,
    last_name: str = "Jensen",
    *,
    birth_date: dt.date = dt.date(2014, 5, 17),
    sex: str = "F",
    municipality_code: int = 230,
    current_unit: Unit | None = None,
    **fields: Any,
) -> Citizen:
    citizen = Citizen(
        first_name=first_name,
        last_name=last_name,
        municipality=municipality(municipality_code),
        current_unit=current_unit,
        **fields,
    )
    citizen.set_cpr(synthetic_cpr(birth_date, sex))
    citizen.save()
    return citizen


def engage(
    citizen: Citizen,
    *,
    staff: Staff | None = None,
    unit: Unit | None = None,
    kind: str = Engagement.Kind.CASEWORK,
    valid_from: dt.date = EPOCH,
    valid_to: dt.date | None = None,
) -> Engagement:
    return do_start_engagement(
        citizen=citizen,
        staff=staff,
        unit=unit,
        kind=kind,
        valid_from=valid_from,
        valid_to=valid_to,
    )


def make_consent(
    citizen: Citizen,
    *,
    sectors: Sequence[str] = ("school", "social"),
    given_by: Citizen | None = None,
    purpose: str = "Samarbejde om trivsel i skolen",
    given_on: dt.date = EPOCH,
    expires_on: dt.date | None = None,
    withdrawn_on: dt.date | None = None,
) -> Consent:
    """A consent of ``citizen`` (given by themself unless ``given_by``) over sector codes."""
    consent = Consent.objects.create(
        citizen=citizen,
        purpose=purpose,
        given_by=given_by or citizen,
        given_on=given_on,
        expires_on=expires_on,
        withdrawn_on=withdrawn_on,
    )
    consent.sectors.set(Sector.objects.filter(code__in=sectors))
    return consent


def give_emergency_role(staff: Staff, unit: Unit) -> RoleAssignment:
    """Put ``staff`` on call in ``unit``: a front-line role that may break the glass."""
    role, _created = Role.objects.update_or_create(
        code="on_call",
        defaults={
            "name_da": "Socialrådgiver i døgnvagt",
            "name_en": "On-call social worker",
            "kind": Role.Kind.FRONTLINE,
            "emergency_access": True,
        },
    )
    return do_assign_role(staff=staff, unit=unit, role=role, valid_from=EPOCH)


def make_family_login(citizen: Citizen, username: str) -> User:
    """A login for a citizen (MitID in production) that opens the family view."""
    user = get_user_model().objects.create_user(
        username=username,
        password=PASSWORD,
        first_name=citizen.first_name,
        last_name=citizen.last_name,
    )
    citizen.user = user
    citizen.save(update_fields=["user"])
    return user


def make_plan(
    citizen: Citizen,
    *,
    coordinator: Staff,
    actor: Staff | None = None,
    title: str = "Alma trives i skolen",
    participants: Sequence[tuple[Staff, Unit]] = (),
    adults: Sequence[Citizen] = (),
) -> Plan:
    """An active plan through the actions, with optional participants (staff, unit)."""
    from helhed.plans.actions.plans import do_create_plan

    return do_create_plan(
        actor=actor or coordinator,
        citizens=[citizen],
        adults=adults,
        kind=Plan.Kind.FAMILY if adults else Plan.Kind.CITIZEN,
        title=title,
        coordinator=coordinator,
        participants=participants,
    )


def make_committee(
    name: str = "Børne- og Skoleudvalget", municipality_code: int = 230
) -> Committee:
    return Committee.objects.create(municipality=municipality(municipality_code), name=name)


def indicator(code: str, municipality_code: int = 230) -> Indicator:
    """A catalogue indicator by code, installing the catalogue first if need be."""
    muni = municipality(municipality_code)
    if not muni.indicators.exists():
        install_catalogue(muni)
    return Indicator.objects.get(municipality=muni, code=code)


def make_ambition(
    *,
    committee: Committee,
    owner: Staff,
    units: Sequence[Unit],
    title: str = "Alle børn lærer mere",
    first_year: int = 2022,
    last_year: int = 2030,
) -> Ambition:
    ambition = Ambition.objects.create(
        municipality=committee.municipality,
        committee=committee,
        title=title,
        first_year=first_year,
        last_year=last_year,
        owner=owner,
    )
    ambition.units.set(units)
    return ambition


def make_marker(
    ambition: Ambition,
    *,
    owner: Staff,
    indicators: Sequence[Indicator],
    title: str = "Flere børn går i almindelig skole og klarer sig godt",
    units: Sequence[Unit] = (),
) -> Marker:
    marker = Marker.objects.create(ambition=ambition, owner=owner, title=title)
    marker.indicators.set(indicators)
    marker.units.set(units)
    return marker


def set_target(
    ind: Indicator,
    unit: Unit,
    value: str | int | float,
    *,
    applies_from: str = "2022",
    baseline: str | None = None,
    baseline_period: str = "",
) -> Target:
    return Target.objects.create(
        indicator=ind,
        unit=unit,
        applies_from=applies_from,
        value=Decimal(str(value)),
        baseline_value=Decimal(baseline) if baseline is not None else None,
        baseline_period=baseline_period,
    )


def record_value(
    ind: Indicator,
    unit: Unit,
    period: str,
    value: str | int | float,
    *,
    persons: int | None = 40,
    source: str = Measurement.Source.MANUAL,
) -> Measurement:
    measurement, _created = Measurement.objects.update_or_create(
        indicator=ind,
        unit_key=unit.key,
        period=period,
        defaults={
            "unit": unit,
            "value": Decimal(str(value)),
            "persons": persons,
            "source": source,
        },
    )
    return measurement


class BaseTestCase(TestCase):
    """A small municipality with one user per role; see the module docstring."""

    director: Staff
    chief: Staff
    leader: Staff
    caseworker: Staff
    teacher: Staff
    colleague: Staff
    analyst: Staff
    politician: Staff
    outsider: Staff
    admin: User
    root: Unit
    children_admin: Unit
    school: Unit
    family_dept: Unit
    alma: Citizen
    mother: Citizen
    bror: Citizen

    @classmethod
    def setUpTestData(cls) -> None:
        cls.root = make_unit("Rudersdal Kommune", unit_type="municipality")
        cls.children_admin = make_unit("Børn og Skole", parent=cls.root, unit_type="administration")
        cls.school = make_unit("Bakkeskolen", parent=cls.children_admin, sector="school")
        cls.family_dept = make_unit("Familieafdelingen", parent=cls.children_admin, sector="social")
        other_root = make_unit("Hvidovre Kommune", unit_type="municipality", municipality_code=167)
        other_dept = make_unit("Familie", parent=other_root, sector="social")

        cls.director = make_staff(
            "Dorte", "Dahl", unit=cls.root, role="director", username="director"
        )
        cls.chief = make_staff(
            "Claus", "Krog", unit=cls.children_admin, role="chief", username="chief"
        )
        cls.leader = make_staff("Lise", "Lund", unit=cls.school, role="leader", username="leader")
        cls.caseworker = make_staff(
            "Sara", "Sand", unit=cls.family_dept, role="caseworker", username="caseworker"
        )
        cls.teacher = make_staff("Tom", "Thy", unit=cls.school, role="teacher", username="teacher")
        cls.colleague = make_staff(
            "Karl", "Kolding", unit=cls.family_dept, role="caseworker", username="colleague"
        )
        cls.analyst = make_staff("Anna", "Ahl", unit=cls.root, role="analyst", username="analyst")
        cls.politician = make_staff(
            "Per", "Poulsen", unit=cls.root, role="politician", username="politician"
        )
        cls.outsider = make_staff(
            "Otto", "Olsen", unit=other_dept, role="caseworker", username="outsider"
        )
        cls.admin = get_user_model().objects.create_superuser(
            "admin", "admin@example.org", PASSWORD
        )

        cls.alma = make_citizen("Alma", "Jensen", current_unit=cls.school)
        cls.mother = make_citizen("Mette", "Jensen", birth_date=dt.date(1984, 3, 2))
        cls.bror = make_citizen("Bo", "Jensen", birth_date=dt.date(2011, 9, 9), sex="M")
        FamilyLink.objects.create(
            from_citizen=cls.mother, to_citizen=cls.alma, kind=FamilyLink.Kind.GUARDIAN
        )
        FamilyLink.objects.create(
            from_citizen=cls.bror, to_citizen=cls.alma, kind=FamilyLink.Kind.SIBLING
        )
        engage(cls.alma, staff=cls.caseworker)
        engage(cls.alma, unit=cls.school, kind=Engagement.Kind.TEACHING)
        cls.guardian = make_family_login(cls.mother, "guardian")

    guardian: User

    def make_results_chain(self) -> tuple[Committee, Ambition, Marker]:
        """The committee, an ambition over Børn og Skole and its marker (see the module doc)."""
        committee = make_committee()
        ambition = make_ambition(committee=committee, owner=self.chief, units=[self.children_admin])
        marker = make_marker(
            ambition,
            owner=self.chief,
            indicators=[indicator("fravaer-over-10"), indicator("karakter-02-dansk-matematik")],
        )
        return committee, ambition, marker

    def login(self, staff_or_user: Staff | User) -> None:
        user = staff_or_user.user if isinstance(staff_or_user, Staff) else staff_or_user
        if user is None:
            raise ValueError(f"{staff_or_user} has no login")
        self.client.force_login(user)
