"""Who is acting, from where and why: the part of an audit entry a call site does not know.

The middleware sets it for each web and API request; management commands and
the demo generator set it with ``acting_as``. Code deep in the policy module
or a signal handler then writes complete entries without a request object.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse

from helhed.lib.clients import client_address


@dataclass
class AuditContext:
    """What every entry written in this request or command shares."""

    user: Any = None
    source: str = ""
    purpose: str = ""
    # (action, object type, object id) already written in this context: one
    # look-up per page, however many times the page asks the policy.
    seen: set[tuple[str, str, str]] = field(default_factory=set)


_current: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar(
    "helhed_audit_context", default=None
)


def current() -> AuditContext:
    return _current.get() or AuditContext(source="system")


@contextmanager
def acting_as(
    user: Any = None, source: str = "system", purpose: str = ""
) -> Iterator[AuditContext]:
    """Attribute the entries written inside the block to ``user`` and ``source``."""
    context = AuditContext(user=user, source=source[:100], purpose=purpose[:300])
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


@contextmanager
def purpose(text: str) -> Iterator[None]:
    """State the purpose of the look-ups inside the block (for example a break-the-glass reason)."""
    context = current()
    previous = context.purpose
    context.purpose = text[:300]
    try:
        yield
    finally:
        context.purpose = previous


def request_source(request: HttpRequest) -> str:
    """Where a request came from: the channel and the client's address (the proxy's view of it)."""
    address = client_address(request) or "unknown"
    channel = "api" if request.path.startswith("/api/") else "web"
    return f"{channel} {address}"


class AuditContextMiddleware:
    """Give every request its audit context; the user is read lazily after authentication."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        context = AuditContext(user=_LazyRequestUser(request), source=request_source(request))
        token = _current.set(context)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)


class _LazyRequestUser:
    """The request's user, resolved when an entry is written (the API authenticates late)."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def resolve(self) -> Any:
        # The API's token authentication sets request.user when it runs.
        return getattr(self.request, "user", None)
