"""Keep citizens' links to units true after a reorganisation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.dispatch import receiver

from helhed.citizens.models import Citizen, Engagement
from helhed.organisation.models import Unit
from helhed.organisation.signals import unit_succeeded


@receiver(unit_succeeded, sender=Unit)
def move_engagements_to_successor(
    sender: type[Unit], old: Unit, new: Unit, on: dt.date, **kwargs: Any
) -> None:
    """Close each open engagement with the old unit and reopen it with the successor."""
    last_day = on - dt.timedelta(days=1)
    for engagement in Engagement.objects.valid_on(on).filter(unit=old):
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
