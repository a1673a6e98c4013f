"""Observations from Helhed's own database, pseudonymised on the way out.

Helhed registers some of the facts the indicators count itself, today the
notifications (underretninger) received. ``observations_since`` turns them
into store rows: the person becomes a pseudonym (a keyed hash of the CPR
hash with the purpose "analytics", irreversible without
``HELHED_PSEUDONYM_KEY``), and only the birth year, the sex, the receiving
unit, the municipality, the day and the kind leave the operational
database. No CPR number, name or free text is read.

Everything else (pupils' absence, grades, staff sickness, placements and
payments) lives in the source systems and arrives as files in the documented
format (``docs/analytics.md``). Load notifications from here *or* from a file,
not both, or they count twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from helhed.citizens.crypto import keyed_hash
from helhed.plans.models import Notification

PURPOSE = "analytics"


def pseudonym(cpr_hash: str) -> str:
    """The analytics pseudonym of a citizen: a keyed hash, apart from the look-up hash."""
    return keyed_hash(cpr_hash, purpose=PURPOSE)


def observations_since(since: dt.date | None = None) -> list[tuple[Any, ...]]:
    """Store rows (``store.COLUMNS`` order) for the notifications received since ``since``."""
    notifications = Notification.objects.select_related(
        "citizen", "to_unit", "to_unit__municipality"
    ).only(
        "reported_on",
        "citizen__cpr_hash",
        "citizen__birth_date",
        "citizen__sex",
        "to_unit__key",
        "to_unit__municipality__code",
    )
    if since is not None:
        notifications = notifications.filter(reported_on__gte=since)
    return [
        (
            pseudonym(item.citizen.cpr_hash),
            item.citizen.birth_date.year,
            item.citizen.sex,
            str(item.to_unit.key),
            item.to_unit.municipality.code,
            item.reported_on,
            "notification",
            1,
        )
        for item in notifications.iterator(chunk_size=2_000)
    ]
