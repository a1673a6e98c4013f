"""Every change of a tracked model is logged, whoever makes it and however.

Apps register the models that hold personal data in their ``ready()``, with a
function that names the citizens a row is about. A ``post_save`` and a
``post_delete`` handler then write an entry for each change, in the same
transaction, from views, the API, the admin and commands alike; nothing has
to remember to call the log. (``bulk_create`` sends no signals: the demo
generator, the one bulk writer, logs its own history with ``log_many``.)
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save

from helhed.audit import codes

CitizensOf = Callable[[Any], Iterable[int | None]]

TRACKED: dict[type[models.Model], CitizensOf] = {}

_paused: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "helhed_audit_tracking_paused", default=False
)


def track(model: type[models.Model], citizens: CitizensOf) -> None:
    """Log every save and delete of ``model``; ``citizens(row)`` gives the citizen ids."""
    TRACKED[model] = citizens
    uid = f"helhed.audit.track.{model._meta.label_lower}"
    post_save.connect(_saved, sender=model, dispatch_uid=uid + ".save", weak=False)
    post_delete.connect(_deleted, sender=model, dispatch_uid=uid + ".delete", weak=False)


@contextmanager
def paused() -> Iterator[None]:
    """Write no CREATE/CHANGE/DELETE entries inside the block: the caller logs the changes.

    Only for code that writes a more telling entry for every row it changes,
    in the same transaction (retention writes ERASE and ANONYMISE entries,
    with the citizens named before the rows are gone).
    """
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def citizens_of(obj: models.Model) -> list[int]:
    resolve = TRACKED.get(type(obj))
    if resolve is None:
        return []
    return sorted({pk for pk in resolve(obj) if pk is not None})


def _saved(
    sender: type[models.Model],
    instance: models.Model,
    created: bool,
    raw: bool = False,
    update_fields: Iterable[str] | None = None,
    **kwargs: Any,
) -> None:
    if raw:  # loading a fixture is not a change anyone made
        return
    detail = {"fields": sorted(update_fields)} if update_fields else {}
    _write(codes.CREATE if created else codes.CHANGE, instance, detail)


def _deleted(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    _write(codes.DELETE, instance, {})


def _write(action: str, instance: models.Model, detail: dict[str, Any]) -> None:
    from helhed.audit.trail import Entry, log_many

    if _paused.get():
        return
    citizen_ids: list[int | None] = list(citizens_of(instance)) or [None]
    log_many(
        [
            Entry(action=action, obj=instance, citizen_id=citizen_id, detail=detail)
            for citizen_id in citizen_ids
        ]
    )
