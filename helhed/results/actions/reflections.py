"""Reflection meetings: a leader team looks at its data, records what it sees and will adjust.

The Leadership Commission's cycle of data, reflection and adjustment, kept
light: who took part, which indicators they looked at, what they see, what
they will adjust, and who follows up by when. Only unit-level numbers are
brought to the meeting (the page shows the unit's own statuses); nothing here
compares individual employees.

Who may record or follow up is asked of ``helhed.policy`` by the views and the
API (``can_record_reflection``, ``can_edit_reflection``); the rules about the
record itself are kept here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from helhed.lib.validity import today
from helhed.organisation.models import RoleAssignment, Staff, Unit
from helhed.results.models import Indicator, Reflection
from helhed.results.periods import Period
from helhed.results.scope import indicators_for
from helhed.results.status import IndicatorStatus, statuses

MAX_TEXT = 20_000
# The periods' own lower bound (``Period.parse``): an earlier day has no periods to show.
EARLIEST_MEETING = dt.date(1990, 1, 1)


def participant_candidates(unit: Unit, on: dt.date | None = None) -> QuerySet[Staff]:
    """Staff with a role in the unit or a unit beneath it, on the day (today by default)."""
    roles = RoleAssignment.objects.valid_on(on or today()).filter(unit__path__startswith=unit.path)
    return Staff.objects.filter(
        municipality_id=unit.municipality_id, pk__in=roles.values("staff_id")
    ).order_by("first_name", "last_name", "pk")


def reflection_statuses(reflection: Reflection) -> list[IndicatorStatus]:
    """The unit's status for each indicator looked at, as of the meeting.

    Each indicator is read at its own last complete period before the meeting
    day: what the team could have seen. One batch per frequency.
    """
    indicators = list(reflection.indicators.all())
    by_frequency: dict[str, list[Indicator]] = defaultdict(list)
    for indicator in indicators:
        by_frequency[indicator.frequency].append(indicator)
    found: dict[int, IndicatorStatus] = {}
    for frequency, group in by_frequency.items():
        period = Period.last_complete(reflection.held_on, frequency)
        for (indicator_id, _unit_id), status in statuses(group, [reflection.unit], period).items():
            found[indicator_id] = status
    return [found[indicator.pk] for indicator in indicators]


@transaction.atomic
def do_record_reflection(
    *,
    actor: Staff,
    unit: Unit,
    held_on: dt.date,
    what_we_see: str,
    what_we_adjust: str = "",
    participants: Sequence[Staff] = (),
    indicators: Sequence[Indicator] = (),
    follow_up_owner: Staff | None = None,
    follow_up_on: dt.date | None = None,
) -> Reflection:
    """Record a reflection meeting of the unit's leader team, led by ``actor``."""
    errors: dict[str, str] = {}
    if held_on > today():
        errors["held_on"] = _("The meeting cannot be in the future; record it once it is held.")
    elif held_on < EARLIEST_MEETING:
        errors["held_on"] = _("Give the day the meeting was held (from %(year)s on).") % {
            "year": EARLIEST_MEETING.year
        }
    what_we_see = what_we_see.strip()
    what_we_adjust = what_we_adjust.strip()
    if not what_we_see:
        errors["what_we_see"] = _("Write what you see in the data.")
    elif len(what_we_see) > MAX_TEXT or len(what_we_adjust) > MAX_TEXT:
        errors["what_we_see"] = _("Keep it under %(count)s characters.") % {"count": MAX_TEXT}
    participants = list(dict.fromkeys(participants))
    allowed = set(
        participant_candidates(unit)
        .filter(pk__in=[p.pk for p in participants])
        .values_list("pk", flat=True)
    )
    outside = [p.full_name for p in participants if p.pk not in allowed]
    if outside:
        errors["participants"] = _(
            "Only staff with a role in %(unit)s or beneath it can take part: %(names)s."
        ) % {"unit": unit.name, "names": ", ".join(outside)}
    own = indicators_for(unit)
    own_ids = {indicator.pk for indicator in own}
    indicators = list(dict.fromkeys(indicators))
    foreign = [i.name for i in indicators if i.pk not in own_ids]
    if foreign:
        errors["indicators"] = _("These indicators are not measured for %(unit)s: %(names)s.") % {
            "unit": unit.name,
            "names": ", ".join(foreign),
        }
    if (follow_up_owner is None) != (follow_up_on is None):
        if follow_up_owner is None:
            errors["follow_up_owner"] = _("Name who follows up, or leave out the date.")
        else:
            errors["follow_up_on"] = _("Give the date to follow up, or leave out the owner.")
    if follow_up_owner is not None and follow_up_owner.pk not in {
        actor.pk,
        *(p.pk for p in participants),
    }:
        errors["follow_up_owner"] = _(
            "The one who follows up must take part in the meeting or lead it."
        )
    if follow_up_on is not None and follow_up_on < held_on:
        errors["follow_up_on"] = _("The follow-up cannot come before the meeting.")
    if errors:
        raise ValidationError(errors, code="reflection")
    reflection = Reflection.objects.create(
        unit=unit,
        held_on=held_on,
        led_by=actor,
        what_we_see=what_we_see,
        what_we_adjust=what_we_adjust,
        follow_up_owner=follow_up_owner,
        follow_up_on=follow_up_on,
    )
    reflection.participants.set(participants)
    reflection.indicators.set(indicators)
    return reflection


@transaction.atomic
def do_mark_followed_up(*, actor: Staff, reflection: Reflection) -> Reflection:
    """Record that the follow-up is done, today."""
    if reflection.follow_up_owner_id is None:
        raise ValidationError(_("No follow-up was planned at this meeting."), code="no_follow_up")
    if reflection.followed_up_on is not None:
        raise ValidationError(_("The follow-up is already recorded."), code="followed_up")
    reflection.followed_up_on = today()
    reflection.save(update_fields=["followed_up_on"])
    return reflection
