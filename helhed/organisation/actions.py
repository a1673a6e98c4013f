"""Every change to the organisation goes through these functions.

They validate (``full_clean``), save in one transaction and keep history:
nothing is overwritten, periods are closed and successors opened. Every
grant, change and end of a role is written to the audit log (``audited``).

A role is access to citizens' data, so the functions that grant and end one
take the administrator who asks (``by``) and ask the policy
(``policy.may_assign_role``): no one grants, changes or ends their own roles.
``by`` is ``None`` only where no person asks: the organisation import, run by
an operator from the command line, and the test factories.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from helhed import policy
from helhed.lib.validity import overlap_q
from helhed.organisation import audited
from helhed.organisation.models import Municipality, Role, RoleAssignment, Staff, Unit, UnitType
from helhed.organisation.signals import unit_succeeded


@transaction.atomic
def do_create_unit(
    *,
    municipality: Municipality,
    name: str,
    unit_type: UnitType,
    parent: Unit | None = None,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    **fields: Any,
) -> Unit:
    unit = Unit(
        municipality=municipality,
        name=name,
        unit_type=unit_type,
        parent=parent,
        valid_from=valid_from,
        valid_to=valid_to,
        **fields,
    )
    unit.full_clean()
    unit.save()
    return unit


def refusal(by: User, staff: Staff) -> str:
    """Why ``by`` may not assign ``staff``'s roles, in words that say what to do instead."""
    if staff.user_id is not None and staff.user_id == by.pk:
        return _(
            "You cannot grant, change or end your own roles: a role opens citizens' data. "
            "Ask another administrator to do it."
        )
    return _("You cannot assign roles to this staff member or in this unit.")


def _require_assigner(by: User | None, staff: Staff, unit: Unit | None) -> None:
    if by is not None and not policy.may_assign_role(by, staff, unit):
        raise PermissionDenied(refusal(by, staff))


@transaction.atomic
def do_assign_role(
    *,
    staff: Staff,
    unit: Unit,
    role: Role,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    job_title: str = "",
    by: User | None = None,
) -> RoleAssignment:
    """Give ``staff`` the role in ``unit`` for the period; ``by`` is the administrator asking."""
    _require_assigner(by, staff, unit)
    assignment = RoleAssignment(
        staff=staff,
        unit=unit,
        role=role,
        valid_from=valid_from,
        valid_to=valid_to,
        job_title=job_title,
    )
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def do_end_assignment(
    assignment: RoleAssignment, last_day: dt.date, *, by: User | None = None
) -> RoleAssignment:
    """End the assignment after ``last_day``; ``by`` is the administrator asking."""
    _require_assigner(by, assignment.staff, assignment.unit)
    if last_day < assignment.valid_from:
        raise ValidationError(
            {
                "valid_to": ValidationError(
                    _("The assignment cannot end before it starts."), code="period_order"
                )
            }
        )
    assignment.valid_to = last_day
    assignment.full_clean()
    assignment.save(update_fields=["valid_to"])
    return assignment


def _close(unit: Unit, last_day: dt.date) -> None:
    """Close the unit registration and end its roles after ``last_day``.

    Roles that had not begun are deleted (the delete logs them as ended);
    the update sends no signal, so the roles it ends are logged here.
    """
    unit.valid_to = last_day
    unit.save(update_fields=["valid_to"])
    unit.role_assignments.filter(valid_from__gt=last_day).delete()
    running = unit.role_assignments.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=last_day))
    ending = list(running.select_related("role"))
    running.update(valid_to=last_day)
    audited.log_ended(ending, last_day)


@transaction.atomic
def do_close_unit(unit: Unit, last_day: dt.date) -> int:
    """Close a unit, its whole subtree and their role assignments after ``last_day``.

    Returns the number of unit registrations closed.
    """
    if last_day < unit.valid_from:
        raise ValidationError(
            {
                "valid_to": ValidationError(
                    _("A unit cannot close before it opens."), code="period_order"
                )
            }
        )
    open_units = (
        Unit.objects.under(unit).filter(valid_from__lte=last_day).exclude(valid_to__lte=last_day)
    )
    closed = 0
    for member in open_units.order_by("-depth"):
        _close(member, last_day)
        closed += 1
    return closed


@transaction.atomic
def do_move_unit(unit: Unit, new_parent: Unit, on: dt.date) -> Unit:
    """Reorganise: from ``on``, ``unit`` and its subtree sit under ``new_parent``.

    The old registrations close the day before; successors with the same
    identity (``key``) open on ``on`` and take over the open role
    assignments. Listeners of ``unit_succeeded`` move what they hang on a unit.
    """
    errors: list[str] = []
    if new_parent.path.startswith(unit.path):
        errors.append(_("A unit cannot be placed under itself or one of its own units."))
    if new_parent.municipality_id != unit.municipality_id:
        errors.append(_("The new parent belongs to another municipality."))
    if on <= unit.valid_from:
        errors.append(_("A reorganisation must take effect after the unit was created."))
    if not unit.is_valid_on(on) or not new_parent.is_valid_on(on):
        errors.append(_("Both units must exist on the date of the reorganisation."))
    if new_parent.unit_type.level >= unit.unit_type.level:
        errors.append(
            _("A %(child)s cannot be placed under a %(parent)s.")
            % {"child": unit.unit_type, "parent": new_parent.unit_type}
        )
    if errors:
        raise ValidationError({"parent": errors})

    last_day = on - dt.timedelta(days=1)
    successor_of: dict[int, Unit] = {}
    # (successor's assignment, old unit id): logged as moved, not as granted and ended,
    # since the role stays with the same unit (its identity, ``key``).
    moved: list[tuple[RoleAssignment, int]] = []
    subtree = list(Unit.objects.under(unit).valid_on(on).select_related("unit_type"))
    with audited.quiet():
        for old in sorted(subtree, key=lambda u: u.depth):
            parent = new_parent if old.pk == unit.pk else successor_of[old.parent_id or 0]
            new = Unit(
                key=old.key,
                municipality_id=old.municipality_id,
                parent=parent,
                name=old.name,
                unit_type=old.unit_type,
                sector_id=old.sector_id,
                predecessor=old,
                external_id=old.external_id,
                valid_from=on,
                valid_to=old.valid_to,
            )
            new.full_clean()
            new.save()
            successor_of[old.pk] = new
            # Open and future assignments both: _close deletes the future ones from old.
            carried = old.role_assignments.filter(overlap_q(on, None)).select_related("role")
            for assignment in carried:
                successor = RoleAssignment.objects.create(
                    staff_id=assignment.staff_id,
                    unit=new,
                    role=assignment.role,
                    job_title=assignment.job_title,
                    valid_from=max(assignment.valid_from, on),
                    valid_to=assignment.valid_to,
                )
                moved.append((successor, old.pk))
            _close(old, last_day)
            unit_succeeded.send(sender=Unit, old=old, new=new, on=on)
    audited.log_moved(moved)
    return successor_of[unit.pk]
