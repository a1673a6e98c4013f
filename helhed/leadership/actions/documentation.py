"""The documentation register: what staff must register, what it costs, who uses it.

A requirement earns its place by a legal basis or by a use: somebody (a
forum, a leader, a system) who uses the data for something. One with neither
is "nice to know", and the leadership may drop it; the hours a dropped
requirement cost a year are the hours saved. Who may drop is asked of
``helhed.policy.can_drop_requirement`` (a leader of the owning unit or above);
the rules of the record are kept here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from helhed.leadership.models import DataUse, DocumentationRequirement
from helhed.lib.validity import today
from helhed.organisation.models import Municipality, Staff

MIN_REASON = 10


def with_use_flags(
    requirements: QuerySet[DocumentationRequirement], on: dt.date | None = None
) -> QuerySet[DocumentationRequirement]:
    """Annotate ``in_use``: whether any use of the requirement's data is in force on ``on``."""
    on = on or today()
    uses = DataUse.objects.filter(requirement=OuterRef("pk")).exclude(ended_on__lte=on)
    return requirements.annotate(in_use=Exists(uses))


def is_nice_to_know(requirement: DocumentationRequirement, on: dt.date | None = None) -> bool:
    """Required, without a legal basis, and nobody uses the data."""
    if requirement.status != DocumentationRequirement.Status.ACTIVE:
        return False
    if requirement.legal_basis.strip():
        return False
    return not requirement.uses.exclude(ended_on__lte=on or today()).exists()


def nice_to_know(
    municipality: Municipality, on: dt.date | None = None
) -> QuerySet[DocumentationRequirement]:
    """The municipality's active requirements with no legal basis and no use in force."""
    uses = DataUse.objects.filter(requirement=OuterRef("pk")).exclude(ended_on__lte=on or today())
    return DocumentationRequirement.objects.filter(
        ~Exists(uses),
        municipality=municipality,
        status=DocumentationRequirement.Status.ACTIVE,
        legal_basis="",
    )


def hours_saved(municipality: Municipality) -> Decimal:
    """The yearly hours of every requirement the municipality has dropped, summed."""
    dropped = DocumentationRequirement.objects.filter(
        municipality=municipality, status=DocumentationRequirement.Status.DROPPED
    )
    return sum((r.hours_per_year for r in dropped), Decimal("0.0"))


@transaction.atomic
def do_drop_requirement(
    *,
    actor: Staff,
    requirement: DocumentationRequirement,
    reason: str,
    on: dt.date | None = None,
) -> DocumentationRequirement:
    """Drop a requirement with a reason. Its hours count as saved from then on.

    A requirement with a legal basis cannot be dropped locally: the law asks
    for it, and only a change of the law (or of the basis recorded) can lift it.
    """
    requirement = DocumentationRequirement.objects.select_for_update().get(pk=requirement.pk)
    errors: dict[str, str] = {}
    if requirement.status != DocumentationRequirement.Status.ACTIVE:
        errors["status"] = _("The requirement is already dropped.")
    if requirement.legal_basis.strip():
        errors["legal_basis"] = _(
            "The requirement rests on %(basis)s; a local decision cannot drop it."
        ) % {"basis": requirement.legal_basis}
    if len(reason.strip()) < MIN_REASON:
        errors["reason"] = _("Give the reason in a sentence (at least %(n)d characters).") % {
            "n": MIN_REASON
        }
    if errors:
        raise ValidationError(errors)
    requirement.status = DocumentationRequirement.Status.DROPPED
    requirement.dropped_on = on or today()
    requirement.dropped_by = actor
    requirement.drop_reason = reason.strip()
    requirement.save(update_fields=["status", "dropped_on", "dropped_by", "drop_reason"])
    return requirement
