"""Management span: spans over time against the municipality's target, and what a target needs.

The spans themselves come from ``helhed.organisation.span`` (computed from the
tree and the role assignments as of a date, never stored); this module reads
them at quarter ends for a history, sets the municipality's target span
(``SpanTarget``, kept with its history), puts the staff's sickness absence
and well-being for each leader's unit beside the span (the results app's own
measurements and suppression), and answers "how many leader posts would a
target span need?".

Who may see a unit's spans or set the target is asked of ``helhed.policy``
(``get_span_unit_for_user``, ``can_set_span_target``); the rules are here.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import altair as alt
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from helhed.leadership.models import SpanTarget
from helhed.lib.charts import accessible_svg
from helhed.lib.validity import today
from helhed.organisation.models import Municipality, Staff, Unit
from helhed.organisation.span import Span, management_spans
from helhed.results.models import Indicator
from helhed.results.periods import Frequency, Period
from helhed.results.status import IndicatorStatus, statuses

MIN_TARGET = 2
MAX_TARGET = 500
MAX_NOTE = 300
HISTORY_QUARTERS = 8
SICKNESS = "sygefravaer-medarbejdere"
WELLBEING = "trivsel-medarbejdere"

# --------------------------------------------------------------------------- targets


def target_in_force(targets: Sequence[SpanTarget], on: dt.date) -> SpanTarget | None:
    """Of a municipality's targets, the one with the latest start on or before ``on``."""
    found = None
    for target in sorted(targets, key=lambda t: (t.applies_from, t.pk)):
        if target.applies_from <= on:
            found = target
    return found


def validate_target(value: int, field: str = "max_direct_reports") -> None:
    if not MIN_TARGET <= value <= MAX_TARGET:
        raise ValidationError(
            {
                field: _("A target span is between %(low)d and %(high)d staff per leader.")
                % {"low": MIN_TARGET, "high": MAX_TARGET}
            }
        )


@transaction.atomic
def do_set_span_target(
    *,
    actor: Staff,
    municipality: Municipality,
    max_direct_reports: int,
    applies_from: dt.date,
    note: str = "",
    on: dt.date | None = None,
) -> SpanTarget:
    """Set the municipality's target span from a date; earlier targets stay as history.

    A target applies from today or later (``on``): the history of what the
    target was is not rewritten afterwards. One target per day.
    """
    on = on or today()
    errors: dict[str, str] = {}
    try:
        validate_target(max_direct_reports)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if applies_from < on:
        errors["applies_from"] = _(
            "A target applies from today or later; the targets of the past are kept as they were."
        )
    elif SpanTarget.objects.filter(municipality=municipality, applies_from=applies_from).exists():
        errors["applies_from"] = _("A target already applies from %(day)s; choose another day.") % {
            "day": applies_from.isoformat()
        }
    if len(note) > MAX_NOTE:
        errors["note"] = _("Keep the note within %(n)d characters.") % {"n": MAX_NOTE}
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return SpanTarget.objects.create(
                municipality=municipality,
                max_direct_reports=max_direct_reports,
                applies_from=applies_from,
                note=note.strip(),
                set_by=actor,
            )
    except IntegrityError as exc:  # set at the same moment by another request
        raise ValidationError(
            {"applies_from": _("A target already applies from that day; choose another day.")}
        ) from exc


# --------------------------------------------------------------------------- summaries, history


@dataclass(frozen=True)
class SpanSummary:
    """The spans of a subtree on one day, against the target in force that day."""

    on: dt.date
    label: str
    leaders: int
    reports: int
    mean: Decimal | None
    largest: int | None
    target: int | None
    above_target: int | None


def summarise(
    spans: Sequence[Span], on: dt.date, target: SpanTarget | None, label: str = ""
) -> SpanSummary:
    reports = sum(span.direct_reports for span in spans)
    limit = target.max_direct_reports if target else None
    return SpanSummary(
        on=on,
        label=label or on.isoformat(),
        leaders=len(spans),
        reports=reports,
        mean=(
            (Decimal(reports) / Decimal(len(spans))).quantize(Decimal("0.1"), ROUND_HALF_UP)
            if spans
            else None
        ),
        largest=max((span.direct_reports for span in spans), default=None),
        target=limit,
        above_target=(
            None if limit is None else sum(1 for span in spans if span.direct_reports > limit)
        ),
    )


def history_days(on: dt.date | None = None) -> list[tuple[dt.date, str]]:
    """The ends of the last complete quarters, oldest first, then today, with their labels."""
    on = on or today()
    quarters = Period.last_complete(on, Frequency.QUARTERLY).back(HISTORY_QUARTERS)
    days = [(quarter.end, quarter.label) for quarter in quarters]
    return [*days, (on, _("Today"))]


def registration_on(unit: Unit, on: dt.date) -> Unit | None:
    """The registration of the unit (by its identity) that was valid on the day, if any.

    A reorganised unit is followed through its registrations, so its history
    is read from the tree as it was.
    """
    return (
        Unit.objects.filter(key=unit.key, municipality_id=unit.municipality_id)
        .valid_on(on)
        .order_by("-valid_from")
        .first()
    )


def span_history(unit: Unit, on: dt.date | None = None) -> list[SpanSummary]:
    """The subtree's spans at each of the last quarter ends and today, oldest first."""
    targets = list(SpanTarget.objects.filter(municipality_id=unit.municipality_id))
    history = []
    for day, label in history_days(on):
        registration = registration_on(unit, day)
        spans = management_spans(registration, day) if registration is not None else []
        history.append(summarise(spans, day, target_in_force(targets, day), label))
    return history


# --------------------------------------------------------------------------- leaders today


@dataclass(frozen=True)
class LeaderRow:
    """One leader's span with the staff's sickness absence and well-being in their unit."""

    span: Span
    over_target: bool
    sickness: IndicatorStatus | None
    wellbeing: IndicatorStatus | None


def area_indicators(municipality_id: int) -> dict[str, Indicator]:
    """The municipality's active sickness and well-being indicators, by code (absent if not)."""
    return {
        indicator.code: indicator
        for indicator in Indicator.objects.filter(
            municipality_id=municipality_id, code__in=[SICKNESS, WELLBEING], is_active=True
        )
    }


def leader_rows(
    spans: Sequence[Span], target: SpanTarget | None, on: dt.date | None = None
) -> list[LeaderRow]:
    """Each leader's row: the span, whether it is over the target, and the area's numbers.

    The numbers are the results app's statuses of the leader's unit for the
    current quarter (the latest value up to its end), so a value based on too
    few persons is suppressed exactly as on the results pages.
    """
    on = on or today()
    if not spans:
        return []
    indicators = area_indicators(spans[0].unit.municipality_id)
    found = statuses(
        list(indicators.values()),
        [span.unit for span in spans],
        Period.containing(on, Frequency.QUARTERLY),
        history=1,
    )
    sickness, wellbeing = indicators.get(SICKNESS), indicators.get(WELLBEING)
    limit = target.max_direct_reports if target else None
    return [
        LeaderRow(
            span=span,
            over_target=limit is not None and span.direct_reports > limit,
            sickness=found.get((sickness.pk, span.unit.pk)) if sickness else None,
            wellbeing=found.get((wellbeing.pk, span.unit.pk)) if wellbeing else None,
        )
        for span in spans
    ]


# --------------------------------------------------------------------------- scenario


@dataclass(frozen=True)
class Scenario:
    """How many leader posts a target span needs, two ways, against today's leaders."""

    target: int
    leaders_today: int
    reports: int
    needed_by_leader: int
    needed_overall: int

    @property
    def difference_by_leader(self) -> int:
        return self.needed_by_leader - self.leaders_today

    @property
    def difference_overall(self) -> int:
        return self.needed_overall - self.leaders_today


def scenario(spans: Sequence[Span], target: int) -> Scenario:
    """Leader posts for a target span ``target`` (raises ValidationError outside 2-500).

    *Per leader*: each of today's leaders' groups is split into groups of at
    most ``target``: ``ceil(direct reports / target)`` posts, at least one.
    *Overall*: ``ceil(all reporting lines / target)``, as if the units could
    be drawn anew. Both keep today's reporting lines; neither counts that new
    leaders also report to someone.
    """
    validate_target(target, "target")
    reports = sum(span.direct_reports for span in spans)
    return Scenario(
        target=target,
        leaders_today=len(spans),
        reports=reports,
        needed_by_leader=sum(max(1, math.ceil(span.direct_reports / target)) for span in spans),
        needed_overall=math.ceil(reports / target),
    )


# --------------------------------------------------------------------------- the plot

WIDTH = 460
HEIGHT = 200
MEAN_COLOUR = "#1f4e79"
LARGEST_COLOUR = "#b3261e"
TARGET_COLOUR = "#1b7f3b"


def history_spec(history: Sequence[SpanSummary]) -> dict[str, Any]:
    """The Vega-Lite spec: mean and largest span per day, and the target line."""
    mean_title, largest_title, target_title = _("Mean span"), _("Largest span"), _("Target")
    rows: list[dict[str, Any]] = []
    for point in history:
        if point.mean is not None:
            rows.append({"day": point.label, "value": float(point.mean), "series": mean_title})
        if point.largest is not None:
            rows.append({"day": point.label, "value": point.largest, "series": largest_title})
        if point.target is not None:
            rows.append({"day": point.label, "value": point.target, "series": target_title})
    styles = [
        (mean_title, MEAN_COLOUR, [1, 0]),
        (largest_title, LARGEST_COLOUR, [2, 3]),
        (target_title, TARGET_COLOUR, [6, 4]),
    ]
    drawn = {row["series"] for row in rows}
    styles = [style for style in styles if style[0] in drawn]
    domain = [name for name, _c, _d in styles]
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(point=True)
        .encode(
            x=alt.X(
                "day:N",
                title=None,
                sort=[point.label for point in history],
                axis=alt.Axis(labelAngle=-30),
            ),
            y=alt.Y("value:Q", title=_("Staff per leader"), scale=alt.Scale(zero=True)),
            color=alt.Color(
                "series:N",
                scale=alt.Scale(domain=domain, range=[c for _n, c, _d in styles]),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            strokeDash=alt.StrokeDash(
                "series:N",
                scale=alt.Scale(domain=domain, range=[d for _n, _c, d in styles]),
                legend=None,
            ),
        )
        .properties(width=WIDTH, height=HEIGHT)
    )
    return chart.to_dict()


def history_svg(history: Sequence[SpanSummary], unit: Unit) -> str:
    """The plot as inline SVG with an accessible name; empty when no day has a leader."""
    if not any(point.leaders for point in history):
        return ""
    name = _("Management span over time in %(unit)s") % {"unit": unit.name}
    return accessible_svg(history_spec(history), name)
