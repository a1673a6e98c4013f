"""Referrals between units: send, receive, accept, reject, withdraw.

A referral asks another unit (PPR, social services, health ...) to help with a
citizen. Until it is accepted the receiving unit sees only what it needs to
decide (name, age, question, legal basis). Accepting it opens a time-limited
``Engagement`` for the receiving unit, on the legal basis or consent recorded
with the referral: that engagement, not the referral, is what gives access,
so the one policy module keeps deciding who sees whom.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from helhed import policy
from helhed.citizens.actions import do_start_engagement
from helhed.citizens.models import Citizen, Consent, Engagement
from helhed.lib.validity import today
from helhed.organisation.models import Staff, Unit
from helhed.plans.models import LegalBasis, Plan, Referral

MIN_ACCESS_DAYS = 1
MAX_ACCESS_DAYS = 365

# The kind of engagement the receiving unit gets, by the unit's sector code.
ENGAGEMENT_KIND_BY_SECTOR: dict[str, str] = {
    "ppr": Engagement.Kind.PPR,
    "social": Engagement.Kind.CASEWORK,
    "health": Engagement.Kind.HEALTH,
    "school": Engagement.Kind.TEACHING,
    "daycare": Engagement.Kind.DAYCARE,
    "employment": Engagement.Kind.EMPLOYMENT,
}


def engagement_kind_for(unit: Unit) -> str:
    """The engagement kind that fits the receiving unit's sector (coordination otherwise)."""
    code = unit.sector.code if unit.sector_id and unit.sector else ""
    return ENGAGEMENT_KIND_BY_SECTOR.get(code, Engagement.Kind.COORDINATION)


def _lock(referral: Referral) -> Referral:
    """Re-read the referral under a row lock, so two answers cannot both win."""
    return Referral.objects.select_for_update().get(pk=referral.pk)


def _require_open(referral: Referral) -> None:
    if not referral.is_open:
        raise ValidationError(
            _("This referral is already %(status)s; it can no longer be changed.")
            % {"status": referral.get_status_display().lower()},
            code="closed",
        )


def _require_decider(actor: Staff, referral: Referral) -> None:
    if not policy.can_decide_referral(actor.user, referral):
        raise PermissionDenied(_("Only staff of the receiving unit can answer this referral."))


def _consent_errors(citizen: Citizen, legal_basis: str, consent: Consent | None) -> list[str]:
    if consent is None:
        if legal_basis == LegalBasis.CONSENT:
            return [_("Choose the consent the referral rests on.")]
        return []
    if consent.citizen_id != citizen.pk:
        return [_("The consent belongs to another citizen.")]
    if not consent.is_active():
        return [
            _(
                "The consent is not active today (withdrawn, expired or not yet in force). "
                "Record a new consent, or choose another legal basis."
            )
        ]
    return []


@transaction.atomic
def do_send_referral(
    *,
    actor: Staff,
    citizen: Citizen,
    from_unit: Unit,
    to_unit: Unit,
    question: str,
    legal_basis: str,
    consent: Consent | None = None,
    access_days: int = 90,
    plan: Plan | None = None,
) -> Referral:
    """Refer ``citizen`` from one of the actor's units to another unit of the municipality.

    Every problem with the input is reported at once, keyed by field, and
    nothing is saved unless all is well.
    """
    if not policy.can_refer(actor.user, citizen):
        raise PermissionDenied(_("You can refer only citizens you work with."))
    # Serialise referrals of the same citizen, so the duplicate check below holds
    # when two colleagues send at the same moment (a no-op on SQLite).
    Citizen.objects.select_for_update().filter(pk=citizen.pk).first()
    on = today()
    errors: dict[str, list[str]] = {}

    if not policy.staff_units(actor.user, on).filter(pk=from_unit.pk).exists():
        errors.setdefault("from_unit", []).append(
            _("You can refer only from a unit where you work today.")
        )
    if to_unit.pk == from_unit.pk:
        errors.setdefault("to_unit", []).append(
            _("Choose another unit than the one you refer from.")
        )
    elif to_unit.municipality_id != from_unit.municipality_id:
        errors.setdefault("to_unit", []).append(
            _("%(unit)s belongs to another municipality; refer within your own municipality.")
            % {"unit": to_unit.name}
        )
    elif not to_unit.is_valid_on(on):
        errors.setdefault("to_unit", []).append(
            _("%(unit)s does not exist today (closed or not yet opened).") % {"unit": to_unit.name}
        )
    else:
        already = (
            Referral.objects.filter(
                citizen=citizen, to_unit=to_unit, status__in=Referral.OPEN_STATUSES
            )
            .order_by("sent_at")
            .first()
        )
        if already is not None:
            errors.setdefault("to_unit", []).append(
                _(
                    "%(name)s already has an open referral to %(unit)s (sent %(date)s). "
                    "Wait for its answer, or withdraw it first."
                )
                % {
                    "name": citizen.full_name,
                    "unit": to_unit.name,
                    "date": timezone.localdate(already.sent_at).strftime("%d.%m.%Y"),
                }
            )
    if not question.strip():
        errors.setdefault("question", []).append(
            _("Say what you ask the receiving unit to help with.")
        )
    if legal_basis not in LegalBasis.values:
        errors.setdefault("legal_basis", []).append(_("Choose the legal basis of the referral."))
    consent_errors = _consent_errors(citizen, legal_basis, consent)
    if consent_errors:
        errors["consent"] = consent_errors
    if not MIN_ACCESS_DAYS <= access_days <= MAX_ACCESS_DAYS:
        errors.setdefault("access_days", []).append(
            _("Access is given for %(min)s to %(max)s days.")
            % {"min": MIN_ACCESS_DAYS, "max": MAX_ACCESS_DAYS}
        )
    if plan is not None and not plan.members.filter(citizen=citizen).exists():
        errors.setdefault("plan", []).append(_("The plan is not about this citizen."))
    if errors:
        raise ValidationError(errors)

    referral = Referral(
        citizen=citizen,
        plan=plan,
        from_unit=from_unit,
        to_unit=to_unit,
        sent_by=actor,
        question=question.strip(),
        legal_basis=legal_basis,
        consent=consent,
        access_days=access_days,
    )
    referral.full_clean()
    referral.save()
    return referral


@transaction.atomic
def do_mark_referral_received(*, actor: Staff, referral: Referral) -> Referral:
    """The receiving unit says it has seen the referral (the sender sees that it arrived)."""
    locked = _lock(referral)
    _require_open(locked)
    _require_decider(actor, locked)
    if locked.status == Referral.Status.SENT:
        locked.status = Referral.Status.RECEIVED
        locked.received_at = timezone.now()
        locked.save(update_fields=["status", "received_at"])
    return locked


@transaction.atomic
def do_accept_referral(*, actor: Staff, referral: Referral) -> Referral:
    """Accept the referral and open the receiving unit's access for ``access_days`` days.

    The access is an ``Engagement`` of the receiving unit that ends on
    ``access_until``; its purpose names the referral and its legal basis.
    """
    locked = _lock(referral)
    _require_open(locked)
    _require_decider(actor, locked)
    if locked.legal_basis == LegalBasis.CONSENT and (
        locked.consent is None or not locked.consent.is_active()
    ):
        raise ValidationError(
            {
                "consent": _(
                    "The consent this referral rests on is no longer active, so it cannot "
                    "open access. Ask the sender for a new consent or another legal basis."
                )
            },
            code="consent_inactive",
        )
    on = today()
    now = timezone.now()
    locked.status = Referral.Status.ACCEPTED
    locked.received_at = locked.received_at or now
    locked.decided_at = now
    locked.decided_by = actor
    locked.access_until = on + dt.timedelta(days=locked.access_days)
    locked.save(update_fields=["status", "received_at", "decided_at", "decided_by", "access_until"])
    # Stored text is written in the municipality's language, not the user's.
    with translation.override(settings.LANGUAGE_CODE):
        purpose = _("Referral no. %(id)s from %(unit)s, accepted; legal basis: %(basis)s") % {
            "id": locked.pk,
            "unit": locked.from_unit.name,
            "basis": locked.get_legal_basis_display(),
        }
    do_start_engagement(
        citizen=locked.citizen,
        unit=locked.to_unit,
        kind=engagement_kind_for(locked.to_unit),
        valid_from=on,
        valid_to=locked.access_until,
        purpose=purpose[:300],
        # Access on consent lasts only while the consent does (policy checks it).
        consent=locked.consent if locked.legal_basis == LegalBasis.CONSENT else None,
    )
    return locked


@transaction.atomic
def do_reject_referral(*, actor: Staff, referral: Referral, reason: str) -> Referral:
    """Reject the referral; the reason tells the sender where to go instead."""
    locked = _lock(referral)
    _require_open(locked)
    _require_decider(actor, locked)
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Say why the referral is rejected, so the sender knows what to do next.")},
            code="no_reason",
        )
    now = timezone.now()
    locked.status = Referral.Status.REJECTED
    locked.received_at = locked.received_at or now
    locked.decided_at = now
    locked.decided_by = actor
    locked.rejection_reason = reason.strip()
    locked.full_clean()
    locked.save(
        update_fields=["status", "received_at", "decided_at", "decided_by", "rejection_reason"]
    )
    return locked


@transaction.atomic
def do_withdraw_referral(*, actor: Staff, referral: Referral) -> Referral:
    """The sending side takes back a referral that has not been answered yet."""
    locked = _lock(referral)
    _require_open(locked)
    if not policy.can_withdraw_referral(actor.user, locked):
        raise PermissionDenied(_("Only the sender or the sending unit can withdraw a referral."))
    locked.status = Referral.Status.WITHDRAWN
    # The clock stops: a withdrawn referral waits no longer (decided_by stays
    # empty, as the receiving unit decided nothing).
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_at"])
    return locked
