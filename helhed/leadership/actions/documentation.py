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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from helhed.leadership.models import MINUTES_PER_HOUR, DataUse, DocumentationRequirement
from helhed.lib.validity import today
from helhed.organisation.models import Municipality, Staff, Unit
from helhed.results.models import Indicator

MIN_REASON = 10
MAX_TEXT = 5_000
MAX_MINUTES = 10_000
MAX_CASES = 10_000_000
# How far ahead a use may be ended: a planned end, not a guess about next decade.
MAX_END_AHEAD = dt.timedelta(days=366)


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
    """The yearly hours of every requirement the municipality has dropped, summed.

    The minutes are summed before they are turned into hours, so that rounding
    each requirement to a tenth of an hour does not add up to a wrong total.
    """
    dropped = DocumentationRequirement.objects.filter(
        municipality=municipality, status=DocumentationRequirement.Status.DROPPED
    )
    return hours_of(dropped)


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


# --------------------------------------------------------------------------- totals


def hours_of(
    requirements: Iterable[DocumentationRequirement] | QuerySet[DocumentationRequirement],
) -> Decimal:
    """The yearly hours of these requirements: their minutes summed, then turned into hours."""
    if isinstance(requirements, QuerySet):
        pairs = list(requirements.values_list("minutes_per_case", "cases_per_year"))
    else:
        pairs = [(r.minutes_per_case, r.cases_per_year) for r in requirements]
    minutes = sum(Decimal(m) * Decimal(c) for m, c in pairs)
    return (Decimal(minutes) / MINUTES_PER_HOUR).quantize(Decimal("0.1"))


class UseFlags(TypedDict):
    """What ``with_flags`` and ``indicators_with_use_flags`` annotate."""

    in_use: bool
    nice_to_know: bool


if TYPE_CHECKING:
    # For the type checker only: the runtime alias takes one argument on this Python.
    from django_stubs_ext import WithAnnotations

    FlaggedRequirement = WithAnnotations[DocumentationRequirement, UseFlags]
    FlaggedIndicator = WithAnnotations[Indicator, UseFlags]


@dataclass(frozen=True)
class DocumentationTotals:
    """What the register costs a year, what is "nice to know" and what has been saved."""

    active_count: int
    active_hours: Decimal
    nice_count: int
    nice_hours: Decimal
    dropped_count: int
    saved_hours: Decimal


def documentation_totals(
    municipality: Municipality, on: dt.date | None = None
) -> DocumentationTotals:
    """The totals at the top of the register (nice to know is part of the active hours)."""
    active = DocumentationRequirement.objects.filter(
        municipality=municipality, status=DocumentationRequirement.Status.ACTIVE
    )
    nice = nice_to_know(municipality, on)
    dropped = DocumentationRequirement.objects.filter(
        municipality=municipality, status=DocumentationRequirement.Status.DROPPED
    )
    return DocumentationTotals(
        active_count=active.count(),
        active_hours=hours_of(active),
        nice_count=nice.count(),
        nice_hours=hours_of(nice),
        dropped_count=dropped.count(),
        saved_hours=hours_saved(municipality),
    )


def with_flags(
    requirements: QuerySet[DocumentationRequirement], on: dt.date | None = None
) -> QuerySet[FlaggedRequirement]:
    """Annotate ``in_use`` and ``nice_to_know`` (active, no legal basis, no use in force)."""
    on = on or today()
    uses = DataUse.objects.filter(requirement=OuterRef("pk")).exclude(ended_on__lte=on)
    return requirements.annotate(
        in_use=Exists(uses),
        nice_to_know=ExpressionWrapper(
            Q(status=DocumentationRequirement.Status.ACTIVE, legal_basis="") & ~Exists(uses),
            output_field=BooleanField(),
        ),
    )


def by_cost(requirements: QuerySet[DocumentationRequirement]) -> QuerySet[DocumentationRequirement]:
    """Order by minutes a year, most first (as 64-bit: the product outgrows a 32-bit column)."""
    return requirements.annotate(
        minutes_per_year=Cast("minutes_per_case", BigIntegerField())
        * Cast(F("cases_per_year"), BigIntegerField())
    ).order_by("-minutes_per_year", "title", "pk")


def indicators_with_use_flags(
    indicators: QuerySet[Indicator], on: dt.date | None = None
) -> QuerySet[FlaggedIndicator]:
    """Annotate ``in_use`` and ``nice_to_know`` (an active indicator nobody uses)."""
    on = on or today()
    uses = DataUse.objects.filter(indicator=OuterRef("pk")).exclude(ended_on__lte=on)
    return indicators.annotate(
        in_use=Exists(uses),
        nice_to_know=ExpressionWrapper(
            Q(is_active=True) & ~Exists(uses), output_field=BooleanField()
        ),
    )


# --------------------------------------------------------------------------- changes


def _text(
    errors: dict[str, str], field: str, value: str, *, limit: int, required: bool, missing: str
) -> str:
    """The stripped text, or an error for ``field`` when it is missing or too long."""
    value = value.strip()
    if required and not value:
        errors[field] = missing
    elif len(value) > limit:
        errors[field] = _("Keep it under %(count)s characters.") % {"count": limit}
    return value


@transaction.atomic
def do_register_requirement(
    *,
    actor: Staff,
    title: str,
    kind: str,
    purpose: str,
    owner: Staff,
    owning_unit: Unit,
    minutes_per_case: int,
    cases_per_year: int,
    system: str = "",
    legal_basis: str = "",
    units: Sequence[Unit] = (),
) -> DocumentationRequirement:
    """Register a requirement staff must fill in, with what it costs and why it exists.

    Everything named must belong to the actor's municipality: the register is
    the municipality's own.
    """
    municipality_id = actor.municipality_id
    errors: dict[str, str] = {}
    title = _text(
        errors, "title", title, limit=200, required=True, missing=_("Give the requirement a title.")
    )
    purpose = _text(
        errors,
        "purpose",
        purpose,
        limit=MAX_TEXT,
        required=True,
        missing=_("Say what the requirement is for."),
    )
    system = _text(errors, "system", system, limit=120, required=False, missing="")
    legal_basis = _text(errors, "legal_basis", legal_basis, limit=200, required=False, missing="")
    if kind not in DocumentationRequirement.Kind.values:
        errors["kind"] = _("Choose a form, a field in a system or a report.")
    if owner.municipality_id != municipality_id:
        errors["owner"] = _("The owner must work in the municipality.")
    if owning_unit.municipality_id != municipality_id or not owning_unit.is_valid_on():
        errors["owning_unit"] = _("Choose a current unit of the municipality.")
    units = list(dict.fromkeys(units))
    if any(u.municipality_id != municipality_id for u in units):
        errors["units"] = _("Only units of the municipality can be bound by the requirement.")
    if not 1 <= minutes_per_case <= MAX_MINUTES:
        errors["minutes_per_case"] = _("Give the minutes per case, from 1 to %(max)s.") % {
            "max": MAX_MINUTES
        }
    if not 0 <= cases_per_year <= MAX_CASES:
        errors["cases_per_year"] = _("Give the cases per year, from 0 to %(max)s.") % {
            "max": MAX_CASES
        }
    if (
        title
        and DocumentationRequirement.objects.filter(
            municipality_id=municipality_id,
            status=DocumentationRequirement.Status.ACTIVE,
            title__iexact=title,
        ).exists()
    ):
        errors["title"] = _("The register already holds a requirement with this title.")
    if errors:
        raise ValidationError(errors)
    requirement = DocumentationRequirement.objects.create(
        municipality_id=municipality_id,
        title=title,
        kind=kind,
        system=system,
        purpose=purpose,
        legal_basis=legal_basis,
        owner=owner,
        owning_unit=owning_unit,
        minutes_per_case=minutes_per_case,
        cases_per_year=cases_per_year,
    )
    requirement.units.set(units)
    return requirement


@transaction.atomic
def do_record_data_use(
    *,
    actor: Staff,
    user_description: str,
    used_for: str,
    requirement: DocumentationRequirement | None = None,
    indicator: Indicator | None = None,
    on: dt.date | None = None,
) -> DataUse:
    """Record who uses a requirement's data (or an indicator), and for what.

    A use in force lifts the "nice to know" flag: somebody needs the data.
    """
    errors: dict[str, str] = {}
    if (requirement is None) == (indicator is None):
        raise ValidationError(_("Record the use of one requirement or one indicator."))
    municipality_id = (requirement or indicator).municipality_id  # type: ignore[union-attr]
    if municipality_id != actor.municipality_id:
        raise ValidationError(_("Only uses in your own municipality can be recorded."))
    if requirement is not None and requirement.status != DocumentationRequirement.Status.ACTIVE:
        errors["requirement"] = _("The requirement is dropped; nobody fills it in any more.")
    if indicator is not None and not indicator.is_active:
        errors["indicator"] = _("The indicator is no longer in use in the catalogue.")
    user_description = _text(
        errors,
        "user_description",
        user_description,
        limit=200,
        required=True,
        missing=_("Say who uses the data: a forum, a leader, a unit or a system."),
    )
    used_for = _text(
        errors,
        "used_for",
        used_for,
        limit=MAX_TEXT,
        required=True,
        missing=_("Say what the data is used for."),
    )
    if errors:
        raise ValidationError(errors)
    return DataUse.objects.create(
        requirement=requirement,
        indicator=indicator,
        user_description=user_description,
        used_for=used_for,
        recorded_by=actor,
        recorded_on=on or today(),
    )


@transaction.atomic
def do_end_data_use(*, actor: Staff, use: DataUse, ended_on: dt.date | None = None) -> DataUse:
    """Record that the data is no longer used from ``ended_on`` (today by default).

    The use stays on record, so the history of who relied on the data is kept.
    """
    use = DataUse.objects.select_for_update().get(pk=use.pk)
    ended_on = ended_on or today()
    if use.ended_on is not None:
        raise ValidationError({"ended_on": _("The use has already ended.")})
    if ended_on < use.recorded_on:
        raise ValidationError(
            {
                "ended_on": _("A use cannot end before it was recorded (%(on)s).")
                % {"on": use.recorded_on}
            }
        )
    if ended_on > today() + MAX_END_AHEAD:
        raise ValidationError({"ended_on": _("Give a date within the coming year.")})
    use.ended_on = ended_on
    use.save(update_fields=["ended_on"])
    return use
