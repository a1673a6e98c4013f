"""Every change to citizens' data goes through these functions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction

from helhed.citizens import crypto
from helhed.citizens.models import Citizen, Engagement
from helhed.lib.validity import today
from helhed.organisation.models import Municipality, Staff, Unit


@transaction.atomic
def do_register_citizen(
    *,
    cpr: str,
    first_name: str,
    last_name: str,
    municipality: Municipality,
    current_unit: Unit | None = None,
    registered_by: Staff | None = None,
    engagement_kind: str = Engagement.Kind.CASEWORK,
    purpose: str = "",
) -> Citizen:
    """Register a citizen; the registering staff member gets an engagement with them.

    Without that engagement the person who registered the citizen could not
    see the record they just made (deny by default).
    """
    citizen = Citizen(
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        municipality=municipality,
        current_unit=current_unit,
    )
    try:
        citizen.set_cpr(cpr)
    except ValidationError as exc:
        # Name the field, so forms and the API can show the error beside it.
        raise ValidationError({"cpr": exc.error_list}) from exc
    citizen.full_clean()
    citizen.save()
    if registered_by is not None:
        do_start_engagement(
            citizen=citizen,
            staff=registered_by,
            kind=engagement_kind,
            purpose=purpose,
            valid_from=today(),
        )
    return citizen


@transaction.atomic
def do_start_engagement(
    *,
    citizen: Citizen,
    kind: str,
    valid_from: dt.date,
    staff: Staff | None = None,
    unit: Unit | None = None,
    valid_to: dt.date | None = None,
    purpose: str = "",
) -> Engagement:
    engagement = Engagement(
        citizen=citizen,
        staff=staff,
        unit=unit,
        kind=kind,
        valid_from=valid_from,
        valid_to=valid_to,
        purpose=purpose,
    )
    engagement.full_clean()
    engagement.save()
    return engagement


def do_rotate_cpr_keys(
    batch_size: int = 1000, progress: Callable[[int], None] | None = None
) -> int:
    """Re-encrypt every CPR number with the primary key; return how many were rotated.

    Run after putting a new key first in HELHED_CPR_KEYS; afterwards the old
    key can be removed. Each batch commits on its own, and rotating twice is
    harmless, so an interrupted run can simply be started again. ``progress``
    is called after each batch with the number rotated so far.
    """
    rotated = 0
    last_pk = 0
    while True:
        batch = list(
            Citizen.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .only("pk", "cpr_encrypted")[:batch_size]
        )
        if not batch:
            return rotated
        for citizen in batch:
            citizen.cpr_encrypted = crypto.rotate(citizen.cpr_encrypted)
        with transaction.atomic():
            Citizen.objects.bulk_update(batch, ["cpr_encrypted"])
        rotated += len(batch)
        last_pk = batch[-1].pk
        if progress is not None:
            progress(rotated)
