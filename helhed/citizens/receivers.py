"""Keep citizens' links to units true after a reorganisation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.dispatch import receiver

from helhed.citizens.models import Citizen, Engagement
from helhed.lib.validity import overlap_q
from helhed.organisation.models import Unit
from helhed.organisation.signals import unit_succeeded


@receiver(unit_succeeded, sender=Unit)
def move_engagements_to_successor(
    sender: type[Unit], old: Unit, new: Unit, on: dt.date, **kwargs: Any
) -> None:
    """Close each open engagement with the old unit and reopen it with the successor.

    An engagement that starts on or after ``on`` simply moves to the successor.
    """
    last_day = on - dt.timedelta(days=1)
    for engagement in Engagement.objects.filter(overlap_q(on, None)).filter(unit=old):
        if engagement.valid_from >= on:
            engagement.unit = new
            engagement.save(update_fields=["unit"])
            continue
        Engagement.objects.create(
            citizen_id=engagement.citizen_id,
            staff_id=engagement.staff_id,
            unit=new,
            kind=engagement.kind,
            purpose=engagement.purpose,
            valid_from=on,
            valid_to=engagement.valid_to,
        )
        engagement.valid_to = last_day
        engagement.save(update_fields=["valid_to"])
    Citizen.objects.filter(current_unit=old).update(current_unit=new)
