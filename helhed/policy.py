"""The one place that decides who may see and do what.

Deny by default. Every view, API endpoint, admin screen and export asks this
module; none of them filters citizens on its own. The rules so far:

* A citizen's personal data is visible to a staff member only through an
  engagement that is valid today: with the staff member personally, or with a
  unit where the staff member holds a front-line role today.
* Leaders, analysts and politicians do not see citizens through their role;
  they see aggregates (later issues add those views, suppressed for politicians).
* The organisation (units, roles, leaders) is visible to every signed-in user
  of the municipality: it is not personal data about citizens.
* Registering a citizen is for front-line staff.

A user without a staff record (a technical administrator) sees no citizens.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.http import Http404

from helhed.citizens.models import Citizen, CitizenQuerySet, Engagement
from helhed.lib.validity import today, valid_on_q
from helhed.organisation.models import Municipality, Role, RoleAssignment, Staff, Unit, UnitQuerySet

# None stands for "no user" (treated as anonymous), which keeps callers simple.
AnyUser = User | AnonymousUser | None


def staff_for(user: AnyUser) -> Staff | None:
    if not isinstance(user, User) or not user.is_authenticated:
        return None
    try:
        return user.staff
    except Staff.DoesNotExist:
        return None


def role_kinds(staff: Staff, on: dt.date | None = None) -> set[str]:
    return set(
        RoleAssignment.objects.valid_on(on).filter(staff=staff).values_list("role__kind", flat=True)
    )


def _frontline_unit_ids(staff: Staff, on: dt.date) -> QuerySet[RoleAssignment, dict[str, Any]]:
    return (
        RoleAssignment.objects.valid_on(on)
        # A role in another municipality's unit never opens this one's citizens,
        # however the assignment came to exist.
        .filter(
            staff=staff,
            role__kind=Role.Kind.FRONTLINE,
            unit__municipality_id=staff.municipality_id,
        )
        .values("unit_id")
    )


def visible_citizens(user: AnyUser, on: dt.date | None = None) -> CitizenQuerySet:
    """Citizens whose personal data ``user`` may see today."""
    staff = staff_for(user)
    if staff is None:
        return Citizen.objects.none()
    on = on or today()
    engaged = Engagement.objects.filter(valid_on_q(on)).filter(
        Q(staff=staff) | Q(unit_id__in=_frontline_unit_ids(staff, on))
    )
    return Citizen.objects.filter(pk__in=engaged.values("citizen_id"))


def can_view_citizen(user: AnyUser, citizen: Citizen) -> bool:
    return visible_citizens(user).filter(pk=citizen.pk).exists()


def get_citizen_for_user(user: AnyUser, citizen_id: int) -> Citizen:
    """The citizen, or 404 when it does not exist *or* the user may not see it.

    The same answer in both cases, so that probing ids reveals nothing.
    """
    citizen = (
        visible_citizens(user)
        .select_related("municipality", "current_unit")
        .filter(pk=citizen_id)
        .first()
    )
    if citizen is None:
        raise Http404("No such citizen")
    return citizen


def can_register_citizen(user: AnyUser) -> bool:
    staff = staff_for(user)
    return staff is not None and Role.Kind.FRONTLINE in role_kinds(staff)


def can_register_citizen_in(user: AnyUser, municipality: Municipality) -> bool:
    """Front-line staff register citizens of their own municipality only."""
    staff = staff_for(user)
    return (
        can_register_citizen(user)
        and staff is not None
        and (staff.municipality_id == municipality.pk)
    )


def can_view_organisation(user: AnyUser) -> bool:
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    return staff_for(user) is not None or user.is_staff


def visible_units(user: AnyUser) -> UnitQuerySet:
    """Units of the user's own municipality (all municipalities for administrators)."""
    if not can_view_organisation(user):
        return Unit.objects.none()
    staff = staff_for(user)
    if staff is None:
        return Unit.objects.all()
    return Unit.objects.filter(municipality_id=staff.municipality_id)


def visible_staff(user: AnyUser) -> QuerySet[Staff]:
    if not can_view_organisation(user):
        return Staff.objects.none()
    staff = staff_for(user)
    if staff is None:
        return Staff.objects.all()
    return Staff.objects.filter(municipality_id=staff.municipality_id)


@dataclass(frozen=True)
class Capabilities:
    """What the home page offers a user; each flag mirrors a rule above."""

    sees_citizens: bool
    registers_citizens: bool
    leads_units: bool
    analyses_data: bool
    reads_committee_reports: bool
    administers: bool


def capabilities(user: AnyUser) -> Capabilities:
    staff = staff_for(user)
    kinds = role_kinds(staff) if staff else set()
    return Capabilities(
        sees_citizens=Role.Kind.FRONTLINE in kinds,
        registers_citizens=Role.Kind.FRONTLINE in kinds,
        leads_units=Role.Kind.LEADER in kinds,
        analyses_data=Role.Kind.ANALYST in kinds,
        reads_committee_reports=Role.Kind.POLITICIAN in kinds,
        administers=isinstance(user, User) and user.is_staff,
    )


def get_unit_for_user(user: AnyUser, unit_id: int) -> Unit:
    """The unit registration, or 404 when it does not exist or lies outside the user's reach."""
    unit = (
        visible_units(user)
        .select_related("municipality", "unit_type", "sector", "parent")
        .filter(pk=unit_id)
        .first()
    )
    if unit is None:
        raise Http404("No such unit")
    return unit
