"""Reporting periods: a year, a half-year, a quarter or a month, written as a short code.

Measurements, targets and status reports name their period by code ("2025",
"2025-H1", "2025-Q3", "2025-09"), which sorts, reads and imports well; the
``Period`` value gives its dates, its neighbours and a label in the user's
language. Codes are validated here, once, so a bad code in a CSV file or an
API call gets the same clear message everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Frequency(models.TextChoices):
    """How often an indicator is measured, or a committee gets a status report."""

    YEARLY = "year", gettext_lazy("Yearly")
    HALF_YEARLY = "half", gettext_lazy("Half-yearly")
    QUARTERLY = "quarter", gettext_lazy("Quarterly")
    MONTHLY = "month", gettext_lazy("Monthly")


PER_YEAR = {
    Frequency.YEARLY: 1,
    Frequency.HALF_YEARLY: 2,
    Frequency.QUARTERLY: 4,
    Frequency.MONTHLY: 12,
}
MONTHS = {kind: 12 // count for kind, count in PER_YEAR.items()}

_CODE = re.compile(
    r"^(?P<year>\d{4})(?:-(?:(?P<half>H[12])|(?P<quarter>Q[1-4])|(?P<month>\d{2})))?$"
)


@dataclass(frozen=True, order=True)
class Period:
    """One period of a kind: ``Period(Frequency.QUARTERLY, 2025, 3)`` is "2025-Q3"."""

    kind: str
    year: int
    number: int = 1

    def __post_init__(self) -> None:
        if self.kind not in PER_YEAR:
            raise ValueError(f"Unknown period kind {self.kind!r}")
        if not 1 <= self.number <= PER_YEAR[Frequency(self.kind)]:
            raise ValueError(f"No period {self.number} in a {self.kind}")

    # Parsing and naming ------------------------------------------------------

    @classmethod
    def parse(cls, code: str) -> Period:
        """The period a code names; ``ValidationError`` with a readable message if none."""
        text = (code or "").strip().upper()
        match = _CODE.match(text)
        if match is None:
            raise ValidationError(
                _(
                    "“%(code)s” is not a period. Write a year (2025), a half-year (2025-H1), "
                    "a quarter (2025-Q3) or a month (2025-09)."
                ),
                code="period",
                params={"code": (code or "")[:20]},
            )
        year = int(match["year"])
        if not 1990 <= year <= 2100:
            raise ValidationError(
                _("The year %(year)s is outside 1990–2100."), code="period", params={"year": year}
            )
        if match["half"]:
            return cls(Frequency.HALF_YEARLY, year, int(match["half"][1]))
        if match["quarter"]:
            return cls(Frequency.QUARTERLY, year, int(match["quarter"][1]))
        if match["month"]:
            month = int(match["month"])
            if not 1 <= month <= 12:
                raise ValidationError(
                    _("“%(code)s” has no month %(month)s."),
                    code="period",
                    params={"code": code[:20], "month": month},
                )
            return cls(Frequency.MONTHLY, year, month)
        return cls(Frequency.YEARLY, year, 1)

    @classmethod
    def containing(cls, day: dt.date, kind: str) -> Period:
        """The period of this kind that ``day`` falls in."""
        months = MONTHS[Frequency(kind)]
        return cls(kind, day.year, (day.month - 1) // months + 1)

    @classmethod
    def last_complete(cls, day: dt.date, kind: str) -> Period:
        """The latest period of this kind that ended before ``day``."""
        return cls.containing(day, kind).previous()

    @property
    def code(self) -> str:
        if self.kind == Frequency.YEARLY:
            return f"{self.year}"
        if self.kind == Frequency.HALF_YEARLY:
            return f"{self.year}-H{self.number}"
        if self.kind == Frequency.QUARTERLY:
            return f"{self.year}-Q{self.number}"
        return f"{self.year}-{self.number:02d}"

    def __str__(self) -> str:
        return self.code

    @property
    def label(self) -> str:
        """The period in words, in the active language ("3. kvartal 2025")."""
        if self.kind == Frequency.YEARLY:
            return str(self.year)
        if self.kind == Frequency.HALF_YEARLY:
            return _("%(number)s. half-year %(year)s") % {"number": self.number, "year": self.year}
        if self.kind == Frequency.QUARTERLY:
            return _("Q%(number)s %(year)s") % {"number": self.number, "year": self.year}
        return self.start.strftime("%m/%Y")

    # Dates and neighbours ------------------------------------------------------

    @property
    def start(self) -> dt.date:
        months = MONTHS[Frequency(self.kind)]
        return dt.date(self.year, (self.number - 1) * months + 1, 1)

    @property
    def end(self) -> dt.date:
        return self.next().start - dt.timedelta(days=1)

    def shift(self, steps: int) -> Period:
        """The period ``steps`` periods later (earlier when negative)."""
        per_year = PER_YEAR[Frequency(self.kind)]
        index = self.year * per_year + (self.number - 1) + steps
        return Period(self.kind, index // per_year, index % per_year + 1)

    def next(self) -> Period:
        return self.shift(1)

    def previous(self) -> Period:
        return self.shift(-1)

    def back(self, count: int) -> list[Period]:
        """The ``count`` periods ending with this one, oldest first."""
        return [self.shift(-steps) for steps in range(count - 1, -1, -1)]

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def validate_period_code(code: str) -> None:
    """A model-field validator: the code must name a period."""
    Period.parse(code)
