"""Shared principles between units, and the library of common methods.

A principle says who does what in a situation that crosses silos (a pupil's
worrying absence, the move from daycare to school, discharge from hospital to
elderly care). Units sign it through their own leader, once each.

Editing: the owner may change a principle only until the first unit signs
it. A signature is a unit's agreement to a particular text; changing the text
under it would make the signature claim an agreement that was never given,
and keeping "signed before the last change" would need a change history this
register does not hold. So once a unit has signed, a change is written as a
new principle (the form can start from the old one) and the units sign that.
This keeps the record simple and every signature true.

A method's use is shown as counts of active efforts in active plans that
refer to it, by sector and by responsible unit: counts only, never which
citizen or plan.

Who may do what is asked of ``helhed.policy`` by the views and the API; the
rules of the records are kept here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from helhed.leadership.models import Method, Principle, PrincipleSignature
from helhed.lib.validity import today
from helhed.organisation.models import Sector, Staff, Unit
from helhed.plans.models import Effort, Plan

MAX_TEXT = 20_000


def _check_principle(
    *,
    title: str,
    situation: str,
    who_does_what: str,
    owner: Staff,
    review_on: dt.date,
    municipality_id: int,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Give the principle a title.")
    if not situation.strip():
        errors["situation"] = _("Describe when the principle applies.")
    if not who_does_what.strip():
        errors["who_does_what"] = _("Write who does what.")
    elif len(who_does_what) > MAX_TEXT or len(situation) > MAX_TEXT:
        errors["who_does_what"] = _("Keep it under %(count)s characters.") % {"count": MAX_TEXT}
    if owner.municipality_id != municipality_id:
        errors["owner"] = _("The owner must work in the municipality.")
    if review_on <= today():
        errors["review_on"] = _("The review date must be in the future.")
    return errors


@transaction.atomic
def do_create_principle(
    *,
    actor: Staff,
    title: str,
    situation: str,
    who_does_what: str,
    review_on: dt.date,
    owner: Staff | None = None,
) -> Principle:
    """Write a principle for the actor's municipality; the actor owns it unless told."""
    owner = owner or actor
    errors = _check_principle(
        title=title,
        situation=situation,
        who_does_what=who_does_what,
        owner=owner,
        review_on=review_on,
        municipality_id=actor.municipality_id,
    )
    if errors:
        raise ValidationError(errors, code="principle")
    return Principle.objects.create(
        municipality_id=actor.municipality_id,
        title=title.strip(),
        situation=situation.strip(),
        who_does_what=who_does_what.strip(),
        owner=owner,
        review_on=review_on,
    )


@transaction.atomic
def do_edit_principle(
    *,
    actor: Staff,
    principle: Principle,
    title: str,
    situation: str,
    who_does_what: str,
    review_on: dt.date,
    owner: Staff | None = None,
) -> Principle:
    """Change a principle nobody has signed yet (see the module docstring for why)."""
    principle = Principle.objects.select_for_update().get(pk=principle.pk)
    if principle.signatures.exists():
        raise ValidationError(
            _(
                "Units have signed this principle, so its text cannot change. "
                "Write a new principle and ask the units to sign that."
            ),
            code="signed",
        )
    owner = owner or principle.owner
    errors = _check_principle(
        title=title,
        situation=situation,
        who_does_what=who_does_what,
        owner=owner,
        review_on=review_on,
        municipality_id=principle.municipality_id,
    )
    if errors:
        raise ValidationError(errors, code="principle")
    principle.title = title.strip()
    principle.situation = situation.strip()
    principle.who_does_what = who_does_what.strip()
    principle.owner = owner
    principle.review_on = review_on
    principle.save(update_fields=["title", "situation", "who_does_what", "owner", "review_on"])
    return principle


@transaction.atomic
def do_sign_principle(*, actor: Staff, principle: Principle, unit: Unit) -> PrincipleSignature:
    """Sign a principle on behalf of ``unit``: once per unit."""
    if unit.municipality_id != principle.municipality_id:
        raise ValidationError({"unit": _("The unit belongs to another municipality.")})
    if principle.is_past_review():
        raise ValidationError(
            _("The principle is past its review date; its owner must review it first."),
            code="past_review",
        )
    if PrincipleSignature.objects.filter(principle=principle, unit=unit).exists():
        raise ValidationError(
            {"unit": _("%(unit)s has already signed this principle.") % {"unit": unit.name}},
            code="signed",
        )
    try:
        with transaction.atomic():
            return PrincipleSignature.objects.create(
                principle=principle, unit=unit, signed_by=actor, signed_on=today()
            )
    except IntegrityError as exc:  # a signature made at the same moment
        raise ValidationError(
            {"unit": _("%(unit)s has already signed this principle.") % {"unit": unit.name}},
            code="signed",
        ) from exc


# --------------------------------------------------------------------------- methods


def _check_method(
    *,
    name: str,
    description: str,
    research_basis: str,
    evidence: str,
    units: Sequence[Unit],
    municipality_id: int,
    exclude_pk: int = 0,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Give the method a name.")
    elif (
        Method.objects.filter(municipality_id=municipality_id, name__iexact=name.strip())
        .exclude(pk=exclude_pk)
        .exists()
    ):
        errors["name"] = _("The library already has a method by that name.")
    if not description.strip():
        errors["description"] = _("Describe the method.")
    if not research_basis.strip():
        errors["research_basis"] = _(
            "Name the research the method rests on, or say that it is practice-based."
        )
    if len(description) > MAX_TEXT or len(research_basis) > MAX_TEXT:
        errors["description"] = _("Keep it under %(count)s characters.") % {"count": MAX_TEXT}
    if evidence not in Method.Evidence.values:
        errors["evidence"] = _("Choose an evidence level.")
    foreign = [u.name for u in units if u.municipality_id != municipality_id]
    if foreign:
        errors["units"] = _("These units belong to another municipality: %(names)s.") % {
            "names": ", ".join(foreign)
        }
    return errors


@transaction.atomic
def do_register_method(
    *,
    actor: Staff,
    name: str,
    description: str,
    research_basis: str,
    evidence: str,
    link: str = "",
    units: Sequence[Unit] = (),
) -> Method:
    """Add a method to the municipality's library; the actor owns the entry."""
    units = list(dict.fromkeys(units))
    errors = _check_method(
        name=name,
        description=description,
        research_basis=research_basis,
        evidence=evidence,
        units=units,
        municipality_id=actor.municipality_id,
    )
    if errors:
        raise ValidationError(errors, code="method")
    method = Method(
        municipality_id=actor.municipality_id,
        name=name.strip(),
        description=description.strip(),
        research_basis=research_basis.strip(),
        evidence=evidence,
        link=link.strip(),
        owner=actor,
    )
    method.full_clean(exclude=["municipality", "owner"])
    method.save()
    method.units.set(units)
    return method


@transaction.atomic
def do_edit_method(
    *,
    actor: Staff,
    method: Method,
    name: str,
    description: str,
    research_basis: str,
    evidence: str,
    link: str = "",
    units: Sequence[Unit] = (),
) -> Method:
    """Change a method's entry and where it is used."""
    units = list(dict.fromkeys(units))
    errors = _check_method(
        name=name,
        description=description,
        research_basis=research_basis,
        evidence=evidence,
        units=units,
        municipality_id=method.municipality_id,
        exclude_pk=method.pk,
    )
    if errors:
        raise ValidationError(errors, code="method")
    method.name = name.strip()
    method.description = description.strip()
    method.research_basis = research_basis.strip()
    method.evidence = evidence
    method.link = link.strip()
    method.full_clean(exclude=["municipality", "owner"])
    method.save(update_fields=["name", "description", "research_basis", "evidence", "link"])
    method.units.set(units)
    return method


@dataclass(frozen=True)
class UsageRow:
    """How many active efforts refer to a method, in one sector or unit."""

    name: str
    count: int


@dataclass(frozen=True)
class MethodUsage:
    total: int
    by_sector: list[UsageRow]
    by_unit: list[UsageRow]


def active_efforts_q(on: dt.date, prefix: str = "") -> Q:
    """Efforts running on ``on`` in an active plan."""
    return (
        Q(**{f"{prefix}plan__status": Plan.Status.ACTIVE})
        & Q(**{f"{prefix}starts_on__lte": on})
        & (Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": on}))
    )


def method_usage(method: Method, on: dt.date | None = None) -> MethodUsage:
    """Counts of active efforts that work by the method, by sector and by unit. No names."""
    efforts = Effort.objects.filter(active_efforts_q(on or today()), method=method)
    sector_counts = {
        row["sector_id"]: row["n"]
        for row in efforts.order_by().values("sector_id").annotate(n=Count("pk"))
    }
    sectors = Sector.objects.filter(pk__in=sector_counts)
    by_sector = sorted(
        (UsageRow(sector.name, sector_counts[sector.pk]) for sector in sectors),
        key=lambda row: (-row.count, row.name),
    )
    by_unit = [
        UsageRow(row["responsible_unit__name"], row["n"])
        for row in efforts.values("responsible_unit__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "responsible_unit__name")
    ]
    return MethodUsage(total=efforts.count(), by_sector=by_sector, by_unit=by_unit)
