"""Every change to citizens' data goes through these functions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from helhed.audit import codes, trail
from helhed.citizens import crypto
from helhed.citizens.models import Citizen, Consent, Engagement
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
    consent: Consent | None = None,
) -> Engagement:
    """Open access to ``citizen`` for ``staff`` or ``unit``; ``consent`` if it rests on one."""
    engagement = Engagement(
        citizen=citizen,
        staff=staff,
        unit=unit,
        kind=kind,
        valid_from=valid_from,
        valid_to=valid_to,
        purpose=purpose,
        consent=consent,
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


# A reason must say something a reviewer can check afterwards.
BREAK_GLASS_MIN_REASON = 15


@transaction.atomic
def do_break_glass(*, actor: Staff, citizen: Citizen, reason: str) -> Engagement:
    """Open ``citizen`` to ``actor`` for the rest of today, on a stated reason.

    For on-call staff (the caller checks ``policy.can_break_glass``) who must
    act for a citizen nobody has given them: the access is an emergency
    engagement that ends tonight, and it is logged with the reason and the
    break-the-glass mark that puts it on the leader's review list.
    """
    reason = " ".join(reason.split())
    if len(reason) < BREAK_GLASS_MIN_REASON:
        raise ValidationError(
            {
                "reason": _(
                    "State the reason in at least %(n)d characters: your leader reviews it."
                )
                % {"n": BREAK_GLASS_MIN_REASON}
            },
            code="reason_too_short",
        )
    if citizen.municipality_id != actor.municipality_id:
        raise ValidationError(
            _("Emergency access covers citizens of your own municipality only."),
            code="other_municipality",
        )
    on = today()
    engagement = do_start_engagement(
        citizen=citizen,
        staff=actor,
        kind=Engagement.Kind.EMERGENCY,
        valid_from=on,
        valid_to=on,
        purpose=reason[:300],
    )
    trail.log(
        actor.user,
        codes.BREAK_GLASS,
        engagement,
        citizen_id=citizen.pk,
        purpose=reason[:300],
        break_glass=True,
    )
    return engagement
