"""Handovers between units: start one with a checklist, tick points, accept or return it.

A handover moves a citizen's course from one unit or sector to another
(hospital discharge to home care, school to youth guidance, youth to adult
services at 18, daycare to school). The sending unit keeps the responsibility
until the receiving unit accepts (``Handover.responsible_unit``); a return
leaves it with the sender. Accepting opens the receiving unit's access to the
citizen the way an accepted referral does: an ``Engagement`` of the unit, so
that the one policy module keeps deciding who sees whom.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from helhed import policy
from helhed.citizens.actions import do_start_engagement
from helhed.citizens.models import Citizen, Engagement
from helhed.lib.validity import today
from helhed.organisation.models import Staff, Unit
from helhed.plans.actions.referrals import engagement_kind_for
from helhed.plans.models import Handover, HandoverItem, Plan

MAX_ITEMS = 30
MAX_ITEM_LENGTH = 200
MAX_NOTE = 10_000

# The standard checklist of each kind: what the municipalities' handovers have
# shown to fall between two chairs. Copied onto a handover when it is started
# without points of its own; every point can be changed then.
DEFAULT_CHECKLISTS: dict[str, list[Promise]] = {
    Handover.Kind.DISCHARGE: [
        gettext_lazy("Discharge date agreed with the hospital"),
        gettext_lazy("Medicine list and care plan sent to home care"),
        gettext_lazy("Aids and equipment in place at home"),
        gettext_lazy("First home visit booked"),
        gettext_lazy("Relatives informed"),
    ],
    Handover.Kind.SCHOOL_TO_YOUTH: [
        gettext_lazy("Joint meeting with the pupil, the parents and youth guidance"),
        gettext_lazy("The pupil's wishes for education written down"),
        gettext_lazy("Assessment of readiness for education handed over"),
        gettext_lazy("Contact person in youth guidance named"),
    ],
    Handover.Kind.YOUTH_TO_ADULT: [
        gettext_lazy("Joint meeting with the young person by age 17½ at the latest"),
        gettext_lazy("The contact person continues across the handover"),
        gettext_lazy("Action plan handed over"),
        gettext_lazy("Support and benefits after 18 clarified"),
        gettext_lazy("The young person's own wishes written down"),
    ],
    Handover.Kind.DAYCARE_TO_SCHOOL: [
        gettext_lazy("Transition conversation with the parents"),
        gettext_lazy("Transition description sent to the school, with the parents' consent"),
        gettext_lazy("Visit to the school with a familiar adult"),
        gettext_lazy("Support for the first school days agreed"),
    ],
    Handover.Kind.OTHER: [
        gettext_lazy("Joint meeting with the citizen"),
        gettext_lazy("Documents handed over"),
        gettext_lazy("Contact person in the receiving unit named"),
    ],
}


def default_checklist(kind: str) -> list[str]:
    """The kind's standard points, in the municipality's language (they are stored text)."""
    with translation.override(settings.LANGUAGE_CODE):
        return [str(point) for point in DEFAULT_CHECKLISTS.get(kind, [])]


def search_handovers(handovers: QuerySet[Handover], text: str) -> QuerySet[Handover]:
    """Handovers whose citizen (name or CPR number) or units match ``text``."""
    text = text.strip()
    if not text:
        return handovers
    return handovers.filter(
        Q(citizen__in=Citizen.objects.search(text))
        | Q(from_unit__name__icontains=text)
        | Q(to_unit__name__icontains=text)
    )


def days_overdue(handover: Handover, on: dt.date | None = None) -> int:
    """Whole days past the deadline of a pending handover (0 when it is not overdue)."""
    on = on or today()
    return (on - handover.deadline).days if handover.is_overdue(on) else 0


def _lock(handover: Handover) -> Handover:
    """Re-read the handover under a row lock, so that two answers cannot both win."""
    return (
        Handover.objects.select_for_update(of=("self",))
        .select_related("from_unit", "to_unit")
        .get(pk=handover.pk)
    )


def _require_pending(handover: Handover) -> None:
    if handover.status != Handover.Status.PENDING:
        raise ValidationError(
            _("This handover is already %(status)s; it can no longer be changed.")
            % {"status": handover.get_status_display().lower()},
            code="closed",
        )


def _require_decider(actor: Staff, handover: Handover) -> None:
    if not policy.decides_handover_at(actor.user, handover):
        raise PermissionDenied(_("Only staff of the receiving unit accept or return a handover."))


def _clean_points(points: list[str], errors: dict[str, list[str]]) -> list[str]:
    cleaned = [point.strip() for point in points if point.strip()]
    if len(cleaned) > MAX_ITEMS:
        errors.setdefault("items", []).append(
            _("A checklist has at most %(n)s points.") % {"n": MAX_ITEMS}
        )
    if any("\x00" in p for p in cleaned):
        errors.setdefault("items", []).append(_("A checklist point cannot hold a null character."))
    too_long = [p for p in cleaned if len(p) > MAX_ITEM_LENGTH]
    if too_long:
        errors.setdefault("items", []).append(
            _("A checklist point has at most %(n)s characters.") % {"n": MAX_ITEM_LENGTH}
        )
    return cleaned


@transaction.atomic
def do_start_handover(
    *,
    actor: Staff,
    citizen: Citizen,
    kind: str,
    from_unit: Unit,
    to_unit: Unit,
    deadline: dt.date,
    note: str = "",
    items: list[str] | None = None,
    plan: Plan | None = None,
) -> Handover:
    """Hand ``citizen``'s course over from one of the actor's units to another unit.

    Without checklist points of its own the kind's standard checklist is used.
    Every problem with the input is reported at once, keyed by field.
    """
    if not policy.can_view_citizen(actor.user, citizen):
        raise PermissionDenied(_("You can hand over only citizens you work with."))
    on = today()
    errors: dict[str, list[str]] = {}
    if kind not in Handover.Kind.values:
        errors.setdefault("kind", []).append(_("Choose the kind of handover."))
    if not policy.can_start_handover(actor.user, citizen, from_unit):
        errors.setdefault("from_unit", []).append(
            _("You can hand over only from a unit where you work today.")
        )
    if to_unit.pk == from_unit.pk:
        errors.setdefault("to_unit", []).append(
            _("Choose another unit than the one you hand over from.")
        )
    elif to_unit.municipality_id != from_unit.municipality_id:
        errors.setdefault("to_unit", []).append(
            _("%(unit)s belongs to another municipality; hand over within your own municipality.")
            % {"unit": to_unit.name}
        )
    elif not to_unit.is_valid_on(on):
        errors.setdefault("to_unit", []).append(
            _("%(unit)s does not exist today (closed or not yet opened).") % {"unit": to_unit.name}
        )
    elif Handover.objects.filter(
        citizen=citizen, to_unit=to_unit, status=Handover.Status.PENDING
    ).exists():
        errors.setdefault("to_unit", []).append(
            _(
                "%(name)s already has a handover to %(unit)s waiting for acceptance. "
                "Add to its checklist instead."
            )
            % {"name": citizen.full_name, "unit": to_unit.name}
        )
    if deadline < on:
        errors.setdefault("deadline", []).append(_("The deadline cannot be in the past."))
    if len(note) > MAX_NOTE or "\x00" in note:
        errors.setdefault("note", []).append(_("Write at most %(n)s characters.") % {"n": MAX_NOTE})
    points = _clean_points(items or [], errors)
    if not points and kind in Handover.Kind.values:
        points = default_checklist(kind)
    if plan is not None and not plan.members.filter(citizen=citizen).exists():
        errors.setdefault("plan", []).append(_("The plan is not about this citizen."))
    if errors:
        raise ValidationError(errors)

    handover = Handover(
        citizen=citizen,
        plan=plan,
        kind=kind,
        from_unit=from_unit,
        to_unit=to_unit,
        deadline=deadline,
        note=note.strip(),
        created_by=actor,
        created_on=on,
    )
    handover.full_clean()
    handover.save()
    for point in points:
        HandoverItem.objects.create(handover=handover, text=point)
    return handover


@transaction.atomic
def do_add_handover_item(*, actor: Staff, handover: Handover, text: str) -> HandoverItem:
    """Add a point to the checklist of a pending handover."""
    locked = _lock(handover)
    _require_pending(locked)
    if not policy.can_work_on_handover(actor.user, locked):
        raise PermissionDenied(_("Only staff of the two units change the checklist."))
    text = text.strip()
    if not text or "\x00" in text:
        raise ValidationError({"text": _("Write the checklist point.")})
    if len(text) > MAX_ITEM_LENGTH:
        raise ValidationError(
            {"text": _("A checklist point has at most %(n)s characters.") % {"n": MAX_ITEM_LENGTH}}
        )
    if locked.items.count() >= MAX_ITEMS:
        raise ValidationError(
            {"text": _("A checklist has at most %(n)s points.") % {"n": MAX_ITEMS}}
        )
    return HandoverItem.objects.create(handover=locked, text=text)


@transaction.atomic
def do_tick_handover_item(*, actor: Staff, item: HandoverItem, done: bool = True) -> HandoverItem:
    """Mark a checklist point as done (or not done after all) while the handover is pending."""
    locked = _lock(item.handover)
    _require_pending(locked)
    if not policy.can_work_on_handover(actor.user, locked):
        raise PermissionDenied(_("Only staff of the two units tick the checklist."))
    point = HandoverItem.objects.select_for_update().get(pk=item.pk, handover=locked)
    if done and point.done_on is None:
        point.done_on = today()
        point.done_by = actor
    elif not done:
        point.done_on = None
        point.done_by = None
    point.save(update_fields=["done_on", "done_by"])
    return point


def _receiving_unit_engaged(handover: Handover, on: dt.date) -> bool:
    return (
        Engagement.objects.valid_on(on)
        .filter(
            citizen_id=handover.citizen_id,
            unit_id=handover.to_unit_id,
            consent__isnull=True,
            valid_to__isnull=True,
        )
        .exists()
    )


@transaction.atomic
def do_accept_handover(*, actor: Staff, handover: Handover) -> Handover:
    """Accept: the responsibility moves to the receiving unit, which gets access to the citizen.

    The access is an ``Engagement`` of the receiving unit, as for an accepted
    referral, but open-ended: the unit now holds the task, not a time-limited
    look. Nothing is opened twice if the unit already works with the citizen.
    """
    locked = _lock(handover)
    _require_decider(actor, locked)
    _require_pending(locked)
    on = today()
    locked.status = Handover.Status.ACCEPTED
    locked.decided_by = actor
    locked.decided_on = on
    locked.save(update_fields=["status", "decided_by", "decided_on"])
    if not _receiving_unit_engaged(locked, on):
        # Stored text is written in the municipality's language, not the user's.
        with translation.override(settings.LANGUAGE_CODE):
            purpose = _("Handover no. %(id)s from %(unit)s, accepted: %(kind)s") % {
                "id": locked.pk,
                "unit": locked.from_unit.name,
                "kind": locked.get_kind_display(),
            }
        do_start_engagement(
            citizen=locked.citizen,
            unit=locked.to_unit,
            kind=engagement_kind_for(locked.to_unit),
            valid_from=on,
            purpose=purpose[:300],
        )
    return locked


@transaction.atomic
def do_return_handover(*, actor: Staff, handover: Handover, reason: str) -> Handover:
    """Return the handover to the sender with a reason; the sender keeps the responsibility."""
    locked = _lock(handover)
    _require_decider(actor, locked)
    _require_pending(locked)
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say why the handover is returned, so the sender knows what to do.")},
            code="no_reason",
        )
    if len(reason) > MAX_NOTE:
        raise ValidationError({"reason": _("Write at most %(n)s characters.") % {"n": MAX_NOTE}})
    locked.status = Handover.Status.RETURNED
    locked.decided_by = actor
    locked.decided_on = today()
    locked.return_reason = reason
    locked.save(update_fields=["status", "decided_by", "decided_on", "return_reason"])
    return locked
