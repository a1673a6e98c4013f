"""Every change to citizens' data goes through these functions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from helhed.audit import codes, trail
from helhed.citizens import crypto
from helhed.citizens.models import Citizen, Consent, Engagement
from helhed.lib.logfilter import CPR_SHAPE
from helhed.lib.validity import today
from helhed.organisation.models import Municipality, Sector, Staff, Unit


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
            .exclude(cpr_encrypted="")  # anonymised: nothing to re-encrypt
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
    if CPR_SHAPE.search(reason):
        # The reason is kept as the engagement's purpose and in the audit log,
        # where a CPR number must never be written.
        raise ValidationError(
            {"reason": _("Leave the CPR number out of the reason: the reason is kept in the log.")},
            code="reason_has_cpr",
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


# --------------------------------------------------------------------------- consents


def _date(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


@transaction.atomic
def do_record_consent(
    *,
    actor: Staff,
    citizen: Citizen,
    sectors: Iterable[Sector],
    purpose: str,
    given_by: Citizen,
    given_on: dt.date | None = None,
    expires_on: dt.date | None = None,
) -> Consent:
    """Record the citizen's (or a guardian's) consent to share data across ``sectors``.

    The caller checks that ``actor`` may (``policy.can_manage_consents``).
    Every problem is reported at once, keyed by field, and nothing is saved
    unless all is well: a consent is the basis of other units' access, so a
    half-recorded one (without its sectors, say) must never exist.
    """
    on = today()
    given_on = given_on or on
    sectors = list(sectors)
    consent = Consent(
        citizen=citizen,
        purpose=" ".join(purpose.split()),
        given_by=given_by,
        given_on=given_on,
        expires_on=expires_on,
        recorded_by=actor,
    )
    errors: dict[str, list[str]] = {}
    try:
        # The two date constraints are checked below, with the error on the field.
        consent.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors = {field: list(messages) for field, messages in exc.message_dict.items()}
    if not sectors:
        errors.setdefault("sectors", []).append(_("Choose the sectors the consent covers."))
    if given_on > on:
        errors.setdefault("given_on", []).append(
            _("A consent cannot be dated in the future; record it on the day it is given.")
        )
    if expires_on is not None and expires_on < given_on:
        errors.setdefault("expires_on", []).append(
            _("A consent cannot expire before it was given (%(date)s).") % {"date": _date(given_on)}
        )
    if errors:
        raise ValidationError(errors)
    consent.save()
    consent.sectors.set(sectors)
    return consent


@transaction.atomic
def do_withdraw_consent(*, consent: Consent, withdrawn_on: dt.date | None = None) -> Consent:
    """Withdraw a consent; the access it gave closes at once.

    ``policy.access_engagements`` ignores engagements whose consent is not in
    force on the day asked, so nothing else has to be revoked. A withdrawal
    is dated today or, when recorded late, the day the family said so; never
    in the future (access would stay open until then) and never twice. The
    caller checks that the user may (``policy.may_withdraw_consent``).
    """
    locked = Consent.objects.select_for_update().get(pk=consent.pk)
    on = today()
    when = withdrawn_on or on
    if locked.withdrawn_on is not None:
        raise ValidationError(
            _("The consent was already withdrawn on %(date)s.")
            % {"date": _date(locked.withdrawn_on)},
            code="already_withdrawn",
        )
    if when > on:
        raise ValidationError(
            {
                "withdrawn_on": _(
                    "A withdrawal cannot be dated in the future: it takes effect when recorded."
                )
            },
            code="withdrawn_in_future",
        )
    if when < locked.given_on:
        raise ValidationError(
            {
                "withdrawn_on": _("A consent cannot be withdrawn before it was given (%(date)s).")
                % {"date": _date(locked.given_on)}
            },
            code="withdrawn_before_given",
        )
    locked.withdrawn_on = when
    locked.save(update_fields=["withdrawn_on"])
    consent.withdrawn_on = when
    return locked
