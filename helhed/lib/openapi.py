"""OpenAPI helpers for the API schemas (django-ninja).

No ``from __future__ import annotations``: the API modules use these at runtime.
"""

from django.db import models
from pydantic import WithJsonSchema


def inline_choices(choices: type[models.TextChoices]) -> WithJsonSchema:
    """The OpenAPI schema of ``choices`` written in place, not as a shared component.

    Pydantic names an enum's schema after its class, and django-ninja keeps one
    component per name: ``Forum.Kind`` and ``Handover.Kind`` would both be "Kind",
    and the document would describe one with the other's values (clients were
    told a forum's kind is "interim" or "final"). Use it as
    ``Annotated[Forum.Kind, inline_choices(Forum.Kind)]``; validation is the
    enum's as before.
    """
    return WithJsonSchema({"type": "string", "enum": [str(v) for v in choices.values]})
