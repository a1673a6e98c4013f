"""Which markers and indicators a unit is measured on.

A marker is measured for its units (or, when it names none, its ambition's)
and everything beneath them, so a school is measured on the markers of its
administration and of the municipality. Matching is by the unit's identity
(``key``), so a unit keeps its markers through a reorganisation as long as
it stays under the same units.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q

from helhed.organisation.models import Unit
from helhed.results.models import Ambition, Indicator, Marker


def _keys_up(unit: Unit) -> set[object]:
    keys = set(Unit.objects.filter(pk__in=unit.ancestor_ids()).values_list("key", flat=True))
    keys.add(unit.key)
    return keys


def markers_for(unit: Unit, *, year: int | None = None) -> list[Marker]:
    """Active markers measured for the unit or a unit above it, in ambition order."""
    keys = _keys_up(unit)
    ambitions = Ambition.objects.filter(municipality_id=unit.municipality_id, is_active=True)
    if year is not None:
        ambitions = ambitions.filter(first_year__lte=year, last_year__gte=year)
    own_units = Q(units__key__in=keys)
    inherited = Q(units__isnull=True, ambition__units__key__in=keys)
    return list(
        Marker.objects.filter(ambition__in=ambitions)
        .filter(own_units | inherited)
        .distinct()
        .select_related("ambition", "ambition__committee", "owner", "ambition__owner")
        .prefetch_related(Prefetch("indicators", queryset=Indicator.objects.filter(is_active=True)))
        .order_by("ambition__committee__name", "ambition__title", "sort_order", "pk")
    )


def indicators_for(unit: Unit, *, year: int | None = None) -> list[Indicator]:
    """The distinct active indicators of the unit's markers, in first-seen order."""
    seen: dict[int, Indicator] = {}
    for marker in markers_for(unit, year=year):
        for indicator in marker.indicators.all():
            seen.setdefault(indicator.pk, indicator)
    return list(seen.values())
