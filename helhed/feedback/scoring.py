"""The arithmetic of FIT: totals, the clinical range, reliable change, "not improving".

Pure functions on numbers and dates, with no Django queries, so the rules can
be tested exactly (and with generated series) and reused by the web pages,
the API, the plan page and later the review flag on efforts.

The rules, as the FIT literature states them:

* the **total** is the sum of the item scores (0-40 for four 0-10 items);
* a total **below the clinical cut-off** is in the clinical range (ORS 25,
  the child version 28, SRS 36);
* a change from the first rating of at least the scale's **reliable change**
  (ORS 5, CORS 6) is more than measurement noise: *improved* upwards,
  *deteriorated* downwards, otherwise *no reliable change*;
* a series is **not improving** when, after a number of sessions, the total
  has not improved reliably since the first rating and is still in the
  clinical range, or when it has deteriorated reliably.

Totals are ``Decimal`` with one decimal, as stored on ``Rating.total``, so
5.0 + 0.1 is exactly 5.1 and a change of exactly the threshold counts.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

# The number of ratings after which a series without reliable improvement is flagged.
NOT_IMPROVING_AFTER = 3

ONE_DECIMAL = Decimal("0.1")

Number = int | float | Decimal


def as_decimal(value: Number) -> Decimal:
    """A score or total as a one-decimal ``Decimal`` (floats through their shortest text)."""
    if isinstance(value, float):
        value = Decimal(repr(value))
    return Decimal(value).quantize(ONE_DECIMAL)


def total(scores: Iterable[Number]) -> Decimal:
    """The sum of the item scores."""
    return sum((as_decimal(score) for score in scores), Decimal("0.0")).quantize(ONE_DECIMAL)


def in_clinical_range(value: Number, cutoff: Number | None) -> bool | None:
    """Whether a total lies below the cut-off (``None`` when the scale has no cut-off)."""
    if cutoff is None:
        return None
    return as_decimal(value) < as_decimal(cutoff)


def change_from_first(first: Number, current: Number) -> Decimal:
    """How far the total has moved since the first rating (positive is better)."""
    return as_decimal(current) - as_decimal(first)


class Change(enum.StrEnum):
    IMPROVED = "improved"
    DETERIORATED = "deteriorated"
    NO_RELIABLE_CHANGE = "no_reliable_change"

    @property
    def label(self) -> str:
        return str(CHANGE_LABELS[self])


CHANGE_LABELS = {
    Change.IMPROVED: _("Reliably improved"),
    Change.DETERIORATED: _("Reliably deteriorated"),
    Change.NO_RELIABLE_CHANGE: _("No reliable change"),
}


def classify(first: Number, current: Number, reliable_change: Number | None) -> Change | None:
    """Improved, deteriorated or no reliable change (``None`` without a threshold).

    A change of exactly the threshold counts as reliable.
    """
    if reliable_change is None:
        return None
    threshold = as_decimal(reliable_change)
    delta = change_from_first(first, current)
    if delta >= threshold:
        return Change.IMPROVED
    if -delta >= threshold:
        return Change.DETERIORATED
    return Change.NO_RELIABLE_CHANGE


def not_improving(
    totals: Sequence[Number],
    *,
    cutoff: Number | None,
    reliable_change: Number | None,
    after: int = NOT_IMPROVING_AFTER,
) -> bool:
    """Flag a series that has had ``after`` ratings without getting reliably better.

    Flagged when the latest total has deteriorated reliably since the first,
    or has not improved reliably and is still in the clinical range (below
    the cut-off; a scale without a cut-off counts as always in range). A scale
    without a reliable-change threshold (the session scales) is never flagged:
    there is no measure of "reliably better" to hold it to.
    """
    if reliable_change is None or len(totals) < max(after, 2):
        return False
    change = classify(totals[0], totals[-1], reliable_change)
    if change is Change.DETERIORATED:
        return True
    still_clinical = cutoff is None or bool(in_clinical_range(totals[-1], cutoff))
    return change is Change.NO_RELIABLE_CHANGE and still_clinical


@dataclass(frozen=True)
class Point:
    """One rating in a series, with what it means against the first."""

    rated_on: dt.date
    total: Decimal
    change: Decimal
    classification: Change | None
    clinical: bool | None

    @property
    def size(self) -> Decimal:
        """How far the total has moved from the first, either way."""
        return abs(self.change)


@dataclass(frozen=True)
class Series:
    """A citizen's totals on one scale in date order, and what they add up to."""

    points: tuple[Point, ...]
    cutoff: Decimal | None
    reliable_change: Decimal | None
    not_improving: bool
    after: int

    @property
    def first(self) -> Point:
        return self.points[0]

    @property
    def latest(self) -> Point:
        return self.points[-1]

    @property
    def band(self) -> tuple[Decimal, Decimal] | None:
        """The totals within reliable change of the first: movement inside is noise."""
        if self.reliable_change is None:
            return None
        return self.first.total - self.reliable_change, self.first.total + self.reliable_change


def series(
    ratings: Iterable[tuple[dt.date, Number]],
    *,
    cutoff: Number | None,
    reliable_change: Number | None,
    after: int = NOT_IMPROVING_AFTER,
) -> Series:
    """Summarise ``(date, total)`` pairs (in the order given; sort them by date first)."""
    pairs = [(on, as_decimal(value)) for on, value in ratings]
    if not pairs:
        raise ValueError("A series needs at least one rating")
    first = pairs[0][1]
    points = tuple(
        Point(
            rated_on=on,
            total=value,
            change=change_from_first(first, value),
            classification=classify(first, value, reliable_change),
            clinical=in_clinical_range(value, cutoff),
        )
        for on, value in pairs
    )
    return Series(
        points=points,
        cutoff=None if cutoff is None else as_decimal(cutoff),
        reliable_change=None if reliable_change is None else as_decimal(reliable_change),
        not_improving=not_improving(
            [value for _on, value in pairs],
            cutoff=cutoff,
            reliable_change=reliable_change,
            after=after,
        ),
        after=after,
    )
