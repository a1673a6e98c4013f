"""What a dashboard shows: its filters, the periods they span, and the cells they select.

The page and its CSV and Excel files read the same selection, so a file holds
the numbers the page shows and nothing else. Every value leaves this module
through ``shown_value`` and ``shown_persons``: a cell the engine hid is
``None`` here whatever the row holds, so no page or file can print it.

Periods: the range is a span of quarters (``from`` and ``to`` accept any
period code and widen to whole quarters). A quarterly indicator shows the
quarters of the range; a yearly one the years that *end* in it, so the
default, the last 20 complete quarters, shows the last five whole years and
not a year still running.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from helhed.analytics.definitions import BY_CODE
from helhed.analytics.kinds import AGE_BANDS, SEXES
from helhed.analytics.models import Cell
from helhed.lib.validity import today
from helhed.lib.views import MAX_ID_DIGITS
from helhed.organisation.models import Unit
from helhed.results.models import Indicator
from helhed.results.periods import Frequency, Period

ALL = "all"
DEFAULT_QUARTERS = 20
MAX_QUARTERS = 80
CELL_FIELDS = (
    "indicator_code",
    "unit_id",
    "unit_key",
    "period",
    "period_start",
    "group",
    "value",
    "persons",
    "suppression",
)


def group_choices() -> list[tuple[str, str]]:
    """The groups the engine publishes (``sql.py``'s GROUPING SETS), in the reader's words."""
    sexes = {"F": _("Female"), "M": _("Male")}
    return [
        (ALL, _("Everyone")),
        *[(f"sex:{sex}", sexes[sex]) for sex in SEXES],
        *[(f"age:{band}", _("Aged %(band)s") % {"band": band}) for band, _lo, _hi in AGE_BANDS],
    ]


def group_label(group: str) -> str:
    return dict(group_choices()).get(group, group)


def default_range(on: Any = None) -> tuple[Period, Period]:
    """The last ``DEFAULT_QUARTERS`` complete quarters."""
    last = Period.last_complete(on or today(), Frequency.QUARTERLY)
    return last.shift(1 - DEFAULT_QUARTERS), last


def _quarters(first: Period, last: Period) -> int:
    return (last.year * 4 + last.number) - (first.year * 4 + first.number) + 1


def periods_in_range(first: Period, last: Period, frequency: str) -> list[Period]:
    """The indicator's periods of the range, oldest first (see the module docstring)."""
    if frequency == Frequency.YEARLY:
        end_year = last.year if last.number == 4 else last.year - 1
        return [Period(Frequency.YEARLY, year) for year in range(first.year, end_year + 1)]
    return [first.shift(step) for step in range(_quarters(first, last))]


# --------------------------------------------------------------------------- the filters


class DashboardFilters(forms.Form):
    """The query string of a dashboard: ``unit``, ``group``, ``from`` and ``to``.

    ``from`` and ``to`` are Python keywords, so those two fields are added in
    ``__init__``. The unit list is the user's visible units; whether the user
    may see the unit asked for is the policy's decision (a 404), not the form's.
    """

    unit = forms.IntegerField(
        label=gettext_lazy("Unit"),
        required=False,
        min_value=1,
        max_value=10**MAX_ID_DIGITS - 1,
        widget=forms.Select,
        error_messages={"invalid": gettext_lazy("Choose a unit from the list.")},
    )
    group = forms.ChoiceField(label=gettext_lazy("Group"), required=False)

    def __init__(self, *args: Any, units: Sequence[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        top = min((unit.depth for unit in units), default=0)
        unit_field = self.fields["unit"]
        unit_field.widget.choices = [
            (unit.pk, "\u00a0\u00a0" * (unit.depth - top) + unit.name) for unit in units
        ]
        group_field = self.fields["group"]
        assert isinstance(group_field, forms.ChoiceField)  # noqa: S101 - narrows for mypy
        group_field.choices = group_choices()
        help_text = _("A quarter (2025-Q3) or a year (2025).")
        self.fields["from"] = forms.CharField(
            label=_("From"), required=False, max_length=20, help_text=help_text
        )
        self.fields["to"] = forms.CharField(
            label=_("To"), required=False, max_length=20, help_text=help_text
        )

    def _quarter(self, name: str, *, end: bool) -> Period | None:
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            return None
        try:
            period = Period.parse(text)
        except ValidationError as exc:
            self.add_error(name, exc)
            return None
        return Period.containing(period.end if end else period.start, Frequency.QUARTERLY)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first = self._quarter("from", end=False)
        last = self._quarter("to", end=True)
        if self.errors:
            return data
        last = last or default_range()[1]
        first = first or last.shift(1 - DEFAULT_QUARTERS)
        if first > last:
            self.add_error("to", _("The last period must not be before the first."))
        elif _quarters(first, last) > MAX_QUARTERS:
            self.add_error(
                "from",
                _("Choose at most %(years)d years at a time.") % {"years": MAX_QUARTERS // 4},
            )
        data["first"], data["last"] = first, last
        data["group"] = data.get("group") or ALL
        return data


@dataclass(frozen=True)
class Selection:
    """A unit, a group and a range of quarters, as the filters chose them."""

    unit: Unit
    group: str
    first: Period
    last: Period

    def periods(self, frequency: str) -> list[Period]:
        return periods_in_range(self.first, self.last, frequency)

    def query(self, unit: Unit | None = None) -> str:
        """The query string of this selection, for another unit (drill-down) if given."""
        return urlencode(
            {
                "unit": (unit or self.unit).pk,
                "group": self.group,
                "from": self.first.code,
                "to": self.last.code,
            }
        )

    @property
    def group_label(self) -> str:
        return group_label(self.group)


# --------------------------------------------------------------------------- reading cells


def shown_value(cell: Cell | None) -> Decimal | None:
    """The cell's value as it may be shown: never for a cell the engine hid."""
    if cell is None or not cell.is_visible():
        return None
    return cell.value


def shown_persons(cell: Cell | None) -> int | None:
    if cell is None or not cell.is_visible():
        return None
    return cell.persons


def hidden_reason(cell: Cell | None) -> str:
    """Why a cell is not shown, in the reader's words; empty for a shown cell."""
    reason = "" if cell is None else cell.hidden_reason()
    if not reason:
        return ""
    if reason == Cell.Suppression.COMPLEMENTARY:
        return _("hidden (so a number under 5 cannot be worked out)")
    return _("hidden (fewer than 5)")


def catalogue(unit: Unit) -> dict[str, Indicator]:
    """The engine's indicators as the unit's municipality names them (one query)."""
    return {
        indicator.code: indicator
        for indicator in Indicator.objects.filter(
            municipality_id=unit.municipality_id, code__in=list(BY_CODE)
        )
    }


def all_period_codes(selection: Selection) -> list[str]:
    frequencies = {definition.frequency for definition in BY_CODE.values()}
    return [p.code for f in sorted(frequencies) for p in selection.periods(f)]


def cells_for(
    keys: Iterable[uuid.UUID], selection: Selection, codes: Iterable[str] | None = None
) -> list[Cell]:
    """The cells of these units in the selection's group and periods (one query)."""
    codes = list(codes) if codes is not None else all_period_codes(selection)
    if not codes:
        return []
    starts = [Period.parse(code).start for code in codes]
    return list(
        Cell.objects.filter(
            unit_key__in=list(keys),
            indicator_code__in=list(BY_CODE),
            group=selection.group,
            period__in=codes,
            # Lets the database use the series index's date range, not only the list.
            period_start__gte=min(starts),
            period_start__lte=max(starts),
        )
        .only(*CELL_FIELDS)
        .order_by("unit_key", "indicator_code", "period_start")
    )
