"""Writing to the audit log: ``log`` for one entry, ``log_many`` for a batch.

Every entry is written in the caller's transaction, so a change and its entry
are committed together or not at all. Writers take the chain head's row lock
first (an ``UPDATE``, which SQLite and PostgreSQL both serialise), read the
previous hash, and append; that is two statements more than a plain insert,
cheap enough that the log is never switched off (``benchmarks/audit_log.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from helhed.audit import codes
from helhed.audit.chain import GENESIS, HASHED_FIELDS, entry_hash, signing_key
from helhed.audit.context import _LazyRequestUser, current
from helhed.audit.models import AuditEntry, AuditHead


@dataclass
class Entry:
    """An entry before it is chained: what happened, to whom, by whom."""

    action: str
    actor: Any = None
    obj: models.Model | None = None
    citizen_id: int | None = None
    purpose: str = ""
    source: str = ""
    break_glass: bool = False
    detail: dict[str, Any] = field(default_factory=dict)
    at: dt.datetime | None = None
    # A staff member acting without a login of their own (the demo's simulated
    # history): named by their staff record instead of a user.
    staff: Any = None
    # An object named by type and id, where no instance is at hand.
    object_type: str = ""
    object_id: str = ""


def log(
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    *,
    citizen_id: int | None = None,
    purpose: str = "",
    break_glass: bool = False,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. ``actor`` is a user, or ``None`` for the current context's user."""
    return log_many(
        [
            Entry(
                action=action,
                actor=actor,
                obj=obj,
                citizen_id=citizen_id,
                purpose=purpose,
                break_glass=break_glass,
                detail=detail or {},
            )
        ]
    )[0]


def log_many(entries: Sequence[Entry]) -> list[AuditEntry]:
    """Append entries in the given order, in one transaction and one insert."""
    if not entries:
        return []
    context = current()
    rows = [_row(entry, context) for entry in entries]
    kid, key = signing_key()
    with transaction.atomic():
        # The UPDATE takes the head's row lock (the database's write lock on
        # SQLite) before the previous hash is read, so two writers never chain
        # onto the same entry.
        locked = AuditHead.objects.filter(pk=1).update(entries=F("entries") + len(rows))
        if not locked:
            AuditHead.objects.create(pk=1, entries=len(rows))
        head = AuditHead.objects.get(pk=1)
        seq = head.entries - len(rows)
        prev = head.last_hash or GENESIS
        for row in rows:
            seq += 1
            row.seq = seq
            row.prev_hash = prev
            row.key_id = kid
            row.hash = entry_hash(prev, {name: getattr(row, name) for name in HASHED_FIELDS}, key)
            prev = row.hash
        AuditEntry.objects.bulk_create(rows, batch_size=1000)
        AuditHead.objects.filter(pk=1).update(last_hash=prev)
    return rows


def log_read(
    user: Any,
    obj: models.Model,
    citizen_ids: Iterable[int],
    *,
    action: str = codes.VIEW,
    purpose: str = "",
    break_glass: bool = False,
) -> None:
    """Log that ``user`` saw ``obj``'s personal data about these citizens, once per request."""
    context = current()
    key = (action, _object_type(obj), str(obj.pk))
    if key in context.seen:
        return
    context.seen.add(key)
    log_many(
        [
            Entry(
                action=action,
                actor=user,
                obj=obj,
                citizen_id=citizen_id,
                purpose=purpose,
                break_glass=break_glass,
            )
            for citizen_id in sorted(set(citizen_ids))
        ]
    )


def log_list(
    user: Any,
    citizen_ids: Iterable[int | None],
    *,
    what: str,
    action: str = codes.LIST,
    purpose: str = "",
) -> None:
    """Log that ``user`` saw these citizens named in a list (a search, a worklist).

    ``what`` names the list (a URL name such as ``"citizens:list"``, never a
    search term); ``action`` is ``codes.SEARCH`` for search results. The whole
    page is one batch, and each citizen is logged once per request and list,
    however many times the page asks.
    """
    context = current()
    ids = []
    for citizen_id in sorted({c for c in citizen_ids if c is not None}):
        key = (action, f"list:{what}", str(citizen_id))
        if key not in context.seen:
            context.seen.add(key)
            ids.append(citizen_id)
    log_many(
        [
            Entry(
                action=action,
                actor=user,
                citizen_id=citizen_id,
                purpose=purpose,
                detail={"list": what},
            )
            for citizen_id in ids
        ]
    )


# --------------------------------------------------------------------------- internals


def _object_type(obj: models.Model) -> str:
    return obj._meta.label_lower


def _row(entry: Entry, context: Any) -> AuditEntry:
    if entry.action not in codes.ACTIONS:
        raise ValueError(f"Unregistered audit action {entry.action!r}")
    user = entry.actor if entry.actor is not None else context.user
    if isinstance(user, _LazyRequestUser):
        user = user.resolve()
    if entry.staff is not None:
        actor_id, actor, staff_id = entry.staff.user_id, entry.staff.full_name, entry.staff.pk
    else:
        actor_id, actor, staff_id = _actor(user, context.source)
    obj = entry.obj
    citizen_id = entry.citizen_id
    return AuditEntry(
        # Truncated to microseconds in UTC, exactly what the database returns.
        at=(entry.at or timezone.now()).astimezone(dt.UTC),
        actor_id=actor_id,
        actor=actor,
        actor_staff_id=staff_id,
        action=entry.action,
        citizen_id=citizen_id,
        object_type=_object_type(obj) if obj is not None else entry.object_type,
        object_id=str(obj.pk) if obj is not None else entry.object_id,
        purpose=(entry.purpose or context.purpose)[:300],
        source=(entry.source or context.source)[:100],
        break_glass=entry.break_glass,
        detail=entry.detail,
    )


def _actor(user: Any, source: str) -> tuple[int | None, str, int | None]:
    """The user's id, a readable label (kept even if the user is deleted) and staff id."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None, source or "system", None
    # A user without a staff record (a family login, an administrator) raises
    # RelatedObjectDoesNotExist, an AttributeError, so getattr's default applies.
    staff = getattr(user, "staff", None)
    label = staff.full_name if staff is not None else user.get_username()
    return user.pk, str(label)[:200], getattr(staff, "pk", None)
