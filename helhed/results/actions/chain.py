"""Committees, ambitions and markers: creating and changing the results chain.

Who may call these is asked of ``helhed.policy`` by the views and the API
(``can_manage_results``, ``can_edit_ambition``, ``can_edit_marker``); the
rules about the objects themselves live here: an ambition spans the
municipality or its administrations and runs from a year to a later one; its
owner and a marker's responsible leader are leaders of the same
municipality; a marker follows indicators of the municipality's active
catalogue and may narrow the ambition's units to units beneath them.

Ambitions are never deleted: one is deactivated, and stays readable, because
reports and narratives point at its markers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from helhed.lib.validity import today
from helhed.organisation.models import Municipality, Role, RoleAssignment, Staff, Unit
from helhed.results.models import Ambition, Committee, Indicator, Marker
from helhed.results.periods import Frequency

# Administrations sit at depth 2 (the municipality's root unit is depth 1).
AMBITION_UNIT_MAX_DEPTH = 2
MIN_YEAR = 2000
MAX_YEAR = 2100


# --------------------------------------------------------------------------- helpers


def leader_staff(municipality: Municipality) -> list[Staff]:
    """Staff of the municipality who hold a leader role there today: owners to choose from."""
    ids = (
        RoleAssignment.objects.valid_on(today())
        .filter(role__kind=Role.Kind.LEADER, unit__municipality=municipality)
        .values("staff_id")
    )
    return list(
        Staff.objects.filter(municipality=municipality, pk__in=ids).order_by(
            "first_name", "last_name", "pk"
        )
    )


def ambition_unit_choices(municipality: Municipality) -> list[Unit]:
    """The units an ambition may span: the municipality's root and its administrations, today."""
    return list(
        Unit.objects.valid_on(today())
        .filter(municipality=municipality, depth__lte=AMBITION_UNIT_MAX_DEPTH)
        .order_by("path")
    )


def marker_unit_choices(ambition: Ambition) -> list[Unit]:
    """The units a marker may narrow to: the ambition's units and those beneath them, today."""
    paths = [unit.path for unit in ambition.units.all()]
    units = Unit.objects.valid_on(today()).filter(municipality_id=ambition.municipality_id)
    return sorted(
        (unit for unit in units.order_by("path") if any(unit.path.startswith(p) for p in paths)),
        key=lambda unit: unit.path,
    )


def is_cross_cutting(units: Iterable[Unit]) -> bool:
    """Whether an ambition's units span more than one administration.

    The municipality's root unit spans all of them; otherwise count the units.
    """
    units = list(units)
    return len(units) > 1 or any(unit.parent_id is None for unit in units)


def _check_owner(owner: Staff, municipality: Municipality, field: str) -> None:
    if owner.municipality_id != municipality.pk:
        raise ValidationError(
            {field: _("The owner must be a staff member of this municipality.")},
            code="other_municipality",
        )
    is_leader = (
        RoleAssignment.objects.valid_on(today())
        .filter(staff=owner, role__kind=Role.Kind.LEADER, unit__municipality=municipality)
        .exists()
    )
    if not is_leader:
        raise ValidationError(
            {field: _("The owner must hold a leader role in the municipality today.")},
            code="not_leader",
        )


def _check_years(first_year: int, last_year: int) -> None:
    errors: dict[str, list[ValidationError]] = {}
    for name, year in (("first_year", first_year), ("last_year", last_year)):
        if not MIN_YEAR <= year <= MAX_YEAR:
            errors.setdefault(name, []).append(
                ValidationError(
                    _("Write a year between %(low)s and %(high)s."),
                    code="year_range",
                    params={"low": MIN_YEAR, "high": MAX_YEAR},
                )
            )
    if not errors and last_year < first_year:
        errors["last_year"] = [
            ValidationError(
                _("The last year (%(last)s) cannot come before the first year (%(first)s)."),
                code="years",
                params={"last": last_year, "first": first_year},
            )
        ]
    if errors:
        raise ValidationError(errors)


def _check_ambition_units(units: Sequence[Unit], municipality: Municipality) -> None:
    if not units:
        raise ValidationError(
            {"units": _("Choose the administrations (or the whole municipality) it spans.")},
            code="required",
        )
    wrong = [
        unit.name
        for unit in units
        if unit.municipality_id != municipality.pk or unit.depth > AMBITION_UNIT_MAX_DEPTH
    ]
    if wrong:
        raise ValidationError(
            {
                "units": _(
                    "An ambition spans the municipality or its administrations; "
                    "%(units)s is not one of them."
                )
                % {"units": ", ".join(sorted(wrong))}
            },
            code="unit_level",
        )


def _check_committee(committee: Committee, municipality: Municipality) -> None:
    if committee.municipality_id != municipality.pk:
        raise ValidationError(
            {"committee": _("The committee belongs to another municipality.")},
            code="other_municipality",
        )


def _check_indicators(indicators: Sequence[Indicator], municipality: Municipality) -> None:
    wrong = [i.name for i in indicators if i.municipality_id != municipality.pk or not i.is_active]
    if wrong:
        raise ValidationError(
            {
                "indicators": _(
                    "Choose indicators from the municipality's active catalogue; "
                    "%(indicators)s is not in it."
                )
                % {"indicators": ", ".join(sorted(wrong))}
            },
            code="indicator",
        )


def _check_marker_units(units: Sequence[Unit], ambition: Ambition) -> None:
    paths = [unit.path for unit in ambition.units.all()]
    outside = [
        unit.name
        for unit in units
        if unit.municipality_id != ambition.municipality_id
        or not any(unit.path.startswith(path) for path in paths)
    ]
    if outside:
        raise ValidationError(
            {
                "units": _(
                    "A marker's units must lie within the ambition's units; "
                    "%(units)s is outside them."
                )
                % {"units": ", ".join(sorted(outside))}
            },
            code="outside_ambition",
        )


def _text(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(
            {field: _("Write the %(label)s.") % {"label": label}}, code="required"
        )
    return value


# --------------------------------------------------------------------------- committees


@transaction.atomic
def do_create_committee(
    *,
    actor: Staff,
    name: str,
    description: str = "",
    cadence: str = Frequency.QUARTERLY,
    report_due_days: int = 45,
) -> Committee:
    """Create a committee of the actor's municipality."""
    committee = Committee(municipality=actor.municipality)
    return _save_committee(committee, name, description, cadence, report_due_days)


@transaction.atomic
def do_update_committee(
    *,
    actor: Staff,
    committee: Committee,
    name: str,
    description: str = "",
    cadence: str = Frequency.QUARTERLY,
    report_due_days: int = 45,
    is_active: bool = True,
) -> Committee:
    """Change a committee's name, description or cadence, or retire it."""
    committee.is_active = is_active
    return _save_committee(committee, name, description, cadence, report_due_days)


def _save_committee(
    committee: Committee, name: str, description: str, cadence: str, report_due_days: int
) -> Committee:
    committee.name = _text(name, "name", _("name"))
    committee.description = (description or "").strip()
    committee.cadence = cadence
    committee.report_due_days = report_due_days
    clash = Committee.objects.filter(
        municipality_id=committee.municipality_id, name__iexact=committee.name
    ).exclude(pk=committee.pk)
    if clash.exists():
        raise ValidationError(
            {"name": _("The municipality already has a committee with this name.")},
            code="unique",
        )
    committee.full_clean(exclude=["municipality"], validate_constraints=False)
    try:
        with transaction.atomic():
            committee.save()
    except IntegrityError as exc:  # a concurrent save of the same name
        raise ValidationError(
            {"name": _("The municipality already has a committee with this name.")},
            code="unique",
        ) from exc
    return committee


# --------------------------------------------------------------------------- ambitions


@transaction.atomic
def do_create_ambition(
    *,
    actor: Staff,
    committee: Committee,
    title: str,
    first_year: int,
    last_year: int,
    owner: Staff,
    units: Sequence[Unit],
    description: str = "",
) -> Ambition:
    """Create an ambition of a committee, spanning the municipality or some administrations."""
    municipality = actor.municipality
    title = _text(title, "title", _("ambition"))
    _check_committee(committee, municipality)
    _check_years(first_year, last_year)
    _check_owner(owner, municipality, "owner")
    _check_ambition_units(units, municipality)
    ambition = Ambition(
        municipality=municipality,
        committee=committee,
        title=title,
        description=(description or "").strip(),
        first_year=first_year,
        last_year=last_year,
        owner=owner,
    )
    ambition.full_clean()
    ambition.save()
    ambition.units.set(units)
    return ambition


@transaction.atomic
def do_update_ambition(
    *,
    actor: Staff,
    ambition: Ambition,
    title: str,
    first_year: int,
    last_year: int,
    description: str = "",
    committee: Committee | None = None,
    owner: Staff | None = None,
    units: Sequence[Unit] | None = None,
) -> Ambition:
    """Change an ambition; its text and years always, its committee, owner and units if given.

    The owner edits text and years only; the views pass the rest for managers.
    Narrowing the units is refused while a marker's own units fall outside them.
    """
    municipality = ambition.municipality
    ambition.title = _text(title, "title", _("ambition"))
    ambition.description = (description or "").strip()
    _check_years(first_year, last_year)
    ambition.first_year, ambition.last_year = first_year, last_year
    if committee is not None:
        _check_committee(committee, municipality)
        ambition.committee = committee
    if owner is not None:
        _check_owner(owner, municipality, "owner")
        ambition.owner = owner
    ambition.full_clean()
    ambition.save()
    if units is not None:
        _check_ambition_units(units, municipality)
        ambition.units.set(units)
        for marker in ambition.markers.prefetch_related("units"):
            try:
                _check_marker_units(list(marker.units.all()), ambition)
            except ValidationError as exc:
                raise ValidationError(
                    {
                        "units": _(
                            "The marker “%(marker)s” is measured for units outside these; "
                            "change its units first."
                        )
                        % {"marker": marker.title}
                    },
                    code="marker_outside",
                ) from exc
    return ambition


@transaction.atomic
def do_set_ambition_active(*, actor: Staff, ambition: Ambition, active: bool) -> Ambition:
    """Deactivate an ambition (it stays readable, out of unit pages and reports) or reopen it."""
    ambition.is_active = active
    ambition.save(update_fields=["is_active"])
    return ambition


# --------------------------------------------------------------------------- markers


@transaction.atomic
def do_create_marker(
    *,
    actor: Staff,
    ambition: Ambition,
    title: str,
    owner: Staff,
    indicators: Sequence[Indicator] = (),
    units: Sequence[Unit] = (),
    description: str = "",
) -> Marker:
    """Add a quality marker to an ambition, last in its order."""
    title = _text(title, "title", _("quality marker"))
    _check_owner(owner, ambition.municipality, "owner")
    _check_indicators(indicators, ambition.municipality)
    _check_marker_units(units, ambition)
    last = ambition.markers.aggregate(last=Max("sort_order"))["last"] or 0
    marker = Marker(
        ambition=ambition,
        title=title,
        description=(description or "").strip(),
        owner=owner,
        sort_order=last + 10,
    )
    marker.full_clean()
    marker.save()
    marker.indicators.set(indicators)
    marker.units.set(units)
    return marker


@transaction.atomic
def do_update_marker(
    *,
    actor: Staff,
    marker: Marker,
    title: str | None = None,
    description: str | None = None,
    owner: Staff | None = None,
    indicators: Sequence[Indicator] | None = None,
    units: Sequence[Unit] | None = None,
) -> Marker:
    """Change a marker; a field left as None is kept as it is."""
    ambition = marker.ambition
    if title is not None:
        marker.title = _text(title, "title", _("quality marker"))
    if description is not None:
        marker.description = description.strip()
    if owner is not None:
        _check_owner(owner, ambition.municipality, "owner")
        marker.owner = owner
    if indicators is not None:
        # An indicator retired from the catalogue may stay on the marker it was on.
        kept = set(marker.indicators.values_list("pk", flat=True))
        _check_indicators([i for i in indicators if i.pk not in kept], ambition.municipality)
    if units is not None:
        _check_marker_units(units, ambition)
    marker.full_clean()
    marker.save()
    if indicators is not None:
        marker.indicators.set(indicators)
    if units is not None:
        marker.units.set(units)
    return marker


@transaction.atomic
def do_move_marker(*, actor: Staff, marker: Marker, up: bool) -> Marker:
    """Move a marker one place up or down among its ambition's markers."""
    markers = list(
        Marker.objects.select_for_update()
        .filter(ambition_id=marker.ambition_id)
        .order_by("sort_order", "pk")
    )
    index = next(i for i, m in enumerate(markers) if m.pk == marker.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(markers):
        markers[index], markers[other] = markers[other], markers[index]
    for position, item in enumerate(markers, start=1):
        if item.sort_order != position * 10:
            item.sort_order = position * 10
            item.save(update_fields=["sort_order"])
    marker.refresh_from_db(fields=["sort_order"])
    return marker
