"""Retention periods ("5y", "730d") and the ``HELHED_RETENTION`` setting that overrides them.

Kept apart from ``helhed.lib.retention`` (which imports models) because
``settings.py`` parses the setting at start-up, before any app is loaded: a
bad value stops the server with a message an operator can act on.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass
from typing import Literal

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import ngettext

_PERIOD = re.compile(r"^\s*(\d{1,4})\s*([yd])\s*$")


@dataclass(frozen=True)
class Period:
    """A whole number of years or days; years count by the calendar (leap days included)."""

    amount: int
    unit: Literal["years", "days"]

    def before(self, on: dt.date) -> dt.date:
        """The date this period before ``on`` (29 February falls back to the 28th)."""
        if self.unit == "days":
            return on - dt.timedelta(days=self.amount)
        year = on.year - self.amount
        try:
            return on.replace(year=year)
        except ValueError:
            return on.replace(year=year, day=28)

    def __str__(self) -> str:
        if self.unit == "years":
            return ngettext("%(n)d year", "%(n)d years", self.amount) % {"n": self.amount}
        return ngettext("%(n)d day", "%(n)d days", self.amount) % {"n": self.amount}

    @property
    def code(self) -> str:
        """The form the setting takes: ``5y`` or ``730d``."""
        return f"{self.amount}{self.unit[0]}"


def years(amount: int) -> Period:
    return Period(amount, "years")


def days(amount: int) -> Period:
    return Period(amount, "days")


def parse_period(value: object) -> Period:
    """``"5y"`` -> five years, ``"730d"`` -> 730 days; anything else raises ``ValueError``."""
    match = _PERIOD.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f'a period is written like "5y" or "730d"; got {value!r}')
    amount, unit = int(match.group(1)), match.group(2)
    return years(amount) if unit == "y" else days(amount)


def env_periods(name: str) -> dict[str, Period]:
    """Read a JSON object of rule code -> period, e.g. ``{"plans.plan": "6y"}``.

    Whether each code names a registered rule can only be checked once the
    apps are loaded; ``helhed.lib.retention`` does that (a system check, and
    the retention command refuses to run).
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ImproperlyConfigured(
            f'{name} must be a JSON object such as {{"plans.plan": "6y"}}: {exc}'
        ) from exc
    if not isinstance(data, dict):
        raise ImproperlyConfigured(
            f'{name} must be a JSON object such as {{"plans.plan": "6y"}}; got {raw!r}'
        )
    periods: dict[str, Period] = {}
    for code, value in data.items():
        try:
            periods[code] = parse_period(value)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}: {code}: {exc}") from exc
    return periods
