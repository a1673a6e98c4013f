"""The directory of contact points: who to call in a unit, and whether it has capacity now.

A leader of the unit or above adds, changes and removes the unit's contact
points and says whether there is capacity (``policy.can_edit_contact_points``).
The directory holds no personal data about citizens.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from helhed import policy
from helhed.lib.validity import today
from helhed.organisation.models import ContactPoint, Staff, Unit

EDITABLE = ("name", "phone", "email", "opening_hours", "has_capacity", "capacity_note")


def _require_editor(actor: Staff, unit: Unit) -> None:
    if not policy.can_edit_contact_points(actor.user, unit):
        raise PermissionDenied(_("Only a leader of the unit or above keeps its contact points."))


def _check(point: ContactPoint) -> None:
    """Tidy the text and validate; every problem at once, by field."""
    for name in ("name", "phone", "opening_hours", "capacity_note"):
        setattr(point, name, " ".join(str(getattr(point, name)).split()))
    point.email = point.email.strip()
    errors: dict[str, list[str]] = {}
    if not point.unit.is_valid_on(today()):
        errors["unit"] = [_("The unit does not exist today.")]
    if not point.phone and not point.email:
        errors["phone"] = [_("Give a phone number or an e-mail address, so people can reach it.")]
    if errors:
        raise ValidationError(errors)
    point.full_clean()


@transaction.atomic
def do_add_contact_point(*, actor: Staff, unit: Unit, **fields: object) -> ContactPoint:
    """Add a contact point to ``unit``."""
    _require_editor(actor, unit)
    point = ContactPoint(unit=unit, **{k: v for k, v in fields.items() if k in EDITABLE})
    _check(point)
    point.save()
    return point


@transaction.atomic
def do_change_contact_point(*, actor: Staff, point: ContactPoint, **fields: object) -> ContactPoint:
    """Change a contact point's details (its unit stays)."""
    _require_editor(actor, point.unit)
    locked = ContactPoint.objects.select_for_update().select_related("unit").get(pk=point.pk)
    for name, value in fields.items():
        if name in EDITABLE:
            setattr(locked, name, value)
    _check(locked)
    locked.save()
    return locked


@transaction.atomic
def do_set_capacity(
    *, actor: Staff, point: ContactPoint, has_capacity: bool, note: str = ""
) -> ContactPoint:
    """Say whether the contact point has capacity now, with a short note."""
    return do_change_contact_point(
        actor=actor, point=point, has_capacity=has_capacity, capacity_note=note
    )


@transaction.atomic
def do_remove_contact_point(*, actor: Staff, point: ContactPoint) -> None:
    _require_editor(actor, point.unit)
    ContactPoint.objects.filter(pk=point.pk).delete()


def search_directory(points: QuerySet[ContactPoint], query: str) -> QuerySet[ContactPoint]:
    """Every word in the unit's name or the contact point's name."""
    for word in query.split():
        points = points.filter(Q(unit__name__icontains=word) | Q(name__icontains=word))
    return points
