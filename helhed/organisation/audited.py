"""Every grant, change and end of a role is audited, whoever makes it and however.

A role decides whose citizens a staff member sees (``helhed.policy``), so the
log keeps who gave which role to whom, like the look-ups it opens. Signal
handlers write the entries in the saving transaction, from the admin, the
actions and the organisation import alike. The one bulk writer, ``_close`` in
``actions`` (a ``QuerySet.update``, which sends no signal), logs the roles it
ends with ``log_ended``; a reorganisation carries roles over to the unit's
successor inside ``quiet()`` and logs them as ``ROLE_MOVED`` (same unit, same
access). The demo generator's ``bulk_create`` is not a grant anyone made and
is not logged.

Besides who did it (the entry's actor), an entry names no one and no citizen:
``detail`` holds the staff id, the role's code, the unit id and the period,
and the review looks the names up when it shows them. The login a staff
record is linked to is logged the same way (``STAFF_LOGIN``, user ids only):
whoever logs in with it holds the record's roles.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save

from helhed.audit import codes
from helhed.audit.trail import Entry, log_many
from helhed.organisation.models import Role, RoleAssignment, Staff

# The fields of an assignment that decide access, compared before and after a save.
WATCHED = ("staff_id", "unit_id", "role_id", "valid_from", "valid_to", "job_title")
IDS = ("staff_id", "unit_id")

_quiet: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "helhed_organisation_roles_quiet", default=False
)


@contextmanager
def quiet() -> Iterator[None]:
    """Write no entries from the signal handlers inside the block: the caller logs.

    Only for code that writes a more telling entry for every assignment it
    touches, in the same transaction (a reorganisation's ``ROLE_MOVED``).
    """
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def _day(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def role_detail(assignment: RoleAssignment, **extra: Any) -> dict[str, Any]:
    """What an entry says about an assignment: ids, the role's code and the period, no names."""
    return {
        "staff": assignment.staff_id,
        "role": assignment.role.code,
        "unit": assignment.unit_id,
        "valid_from": _day(assignment.valid_from),
        "valid_to": _day(assignment.valid_to),
        **extra,
    }


def log_assignments(action: str, assignments: Iterable[RoleAssignment], **extra: Any) -> None:
    """Log ``action`` for each assignment, as they are now, in one batch."""
    log_many([Entry(action=action, obj=a, detail=role_detail(a, **extra)) for a in assignments])


def log_ended(assignments: Iterable[RoleAssignment], last_day: dt.date) -> None:
    """Log the end of assignments read before a bulk update ended them after ``last_day``.

    Nothing inside ``quiet()``: the caller logs what it does instead.
    """
    if _quiet.get():
        return
    entries = []
    for assignment in assignments:
        previous = assignment.valid_to
        assignment.valid_to = last_day
        detail = role_detail(assignment, previous_valid_to=_day(previous))
        entries.append(Entry(action=codes.ROLE_ENDED, obj=assignment, detail=detail))
    log_many(entries)


def log_moved(moved: Iterable[tuple[RoleAssignment, int]]) -> None:
    """Log roles carried over to a reorganised unit's successor: (new assignment, old unit id)."""
    log_many(
        [
            Entry(
                action=codes.ROLE_MOVED,
                obj=assignment,
                detail=role_detail(assignment, from_unit=old_unit_id),
            )
            for assignment, old_unit_id in moved
        ]
    )


def _stored(instance: RoleAssignment) -> dict[str, Any] | None:
    if instance.pk is None:
        return None
    return RoleAssignment.objects.filter(pk=instance.pk).values(*WATCHED).first()


def _before_save(sender: type[RoleAssignment], instance: RoleAssignment, **kwargs: Any) -> None:
    if kwargs.get("raw") or _quiet.get():
        return
    instance._audit_before = _stored(instance)  # type: ignore[attr-defined]


def _ends_earlier(before: dt.date | None, after: dt.date | None) -> bool:
    return after is not None and (before is None or after < before)


def _saved(
    sender: type[RoleAssignment],
    instance: RoleAssignment,
    created: bool,
    raw: bool = False,
    **kwargs: Any,
) -> None:
    if raw or _quiet.get():  # loading a fixture is not a grant anyone made
        return
    before: dict[str, Any] | None = getattr(instance, "_audit_before", None)
    instance._audit_before = None  # type: ignore[attr-defined]
    if created or before is None:
        log_assignments(codes.ROLE_GRANTED, [instance])
        return
    changed = [name for name in WATCHED if before[name] != getattr(instance, name)]
    if not changed:
        return
    if changed == ["valid_to"] and _ends_earlier(before["valid_to"], instance.valid_to):
        log_assignments(codes.ROLE_ENDED, [instance], previous_valid_to=_day(before["valid_to"]))
        return
    previous: dict[str, Any] = {
        name.removesuffix("_id"): before[name] for name in changed if name in IDS
    }
    if "role_id" in changed:
        roles = Role.objects.filter(pk=before["role_id"])
        previous["role"] = roles.values_list("code", flat=True).first()
    extra: dict[str, Any] = {"fields": [name.removesuffix("_id") for name in changed]}
    if previous:
        extra["previous"] = previous
    if "valid_to" in changed:
        extra["previous_valid_to"] = _day(before["valid_to"])
    log_assignments(codes.ROLE_CHANGED, [instance], **extra)


def _deleted(sender: type[RoleAssignment], instance: RoleAssignment, **kwargs: Any) -> None:
    """A deleted assignment (one that had not begun, closed with its unit) has ended."""
    if _quiet.get():
        return
    log_assignments(codes.ROLE_ENDED, [instance], removed=True)


def _staff_before_save(sender: type[Staff], instance: Staff, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    stored = None
    if instance.pk is not None:
        stored = Staff.objects.filter(pk=instance.pk).values_list("user_id", flat=True).first()
    instance._audit_login_before = stored  # type: ignore[attr-defined]


def _staff_saved(
    sender: type[Staff], instance: Staff, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if raw:
        return
    before = getattr(instance, "_audit_login_before", None)
    if before == instance.user_id:
        return
    log_many(
        [
            Entry(
                action=codes.STAFF_LOGIN,
                obj=instance,
                detail={"staff": instance.pk, "user": instance.user_id, "previous_user": before},
            )
        ]
    )


_UID = "helhed.organisation.audited"
pre_save.connect(_before_save, sender=RoleAssignment, dispatch_uid=f"{_UID}.role.pre", weak=False)
post_save.connect(_saved, sender=RoleAssignment, dispatch_uid=f"{_UID}.role.save", weak=False)
post_delete.connect(_deleted, sender=RoleAssignment, dispatch_uid=f"{_UID}.role.delete", weak=False)
pre_save.connect(_staff_before_save, sender=Staff, dispatch_uid=f"{_UID}.staff.pre", weak=False)
post_save.connect(_staff_saved, sender=Staff, dispatch_uid=f"{_UID}.staff.save", weak=False)
