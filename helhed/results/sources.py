"""Computed indicator values: the interface a computation plugs into.

An indicator whose ``computed_by`` names a registered source gets its
measurements from code instead of a person or a file. A source is a function
that, given the indicator, the units and the periods, returns one
``Computed`` value per (unit, period) it can compute; ``do_compute`` in
``actions/measurements.py`` stores them as measurements with source
"computed". The sources in ``computations.py`` read Helhed's own data (the
organisation, referrals, network-meeting actions, FIT ratings); the
analytics app registers its engine the same way, so a computed source at
national scale plugs in without any change here::

    @register("analytics.grades_02")
    def grades(indicator, units, periods): ...

A source returns only aggregates (value, numerator, denominator, persons),
never a person.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from helhed.organisation.models import Unit
from helhed.results.models import Indicator
from helhed.results.periods import Period


@dataclass(frozen=True)
class Computed:
    """One computed value for one unit and period."""

    unit: Unit
    period: Period
    value: Decimal
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    persons: int | None = None


Source = Callable[[Indicator, Sequence[Unit], Sequence[Period]], list[Computed]]

_SOURCES: dict[str, tuple[Source, str]] = {}


def register(name: str, label: str = "") -> Callable[[Source], Source]:
    """Register a computation under ``name`` (the value of ``Indicator.computed_by``)."""

    def decorator(function: Source) -> Source:
        if name in _SOURCES and _SOURCES[name][0] is not function:
            raise ValueError(f"A computed source named {name!r} is already registered")
        _SOURCES[name] = (function, label or name)
        return function

    return decorator


def get_source(name: str) -> Source | None:
    entry = _SOURCES.get(name)
    return entry[0] if entry else None


def source_choices() -> list[tuple[str, str]]:
    """(name, label) of every registered source, for forms and the API."""
    return sorted((name, label) for name, (_function, label) in _SOURCES.items())
