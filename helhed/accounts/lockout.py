"""The lockout (django-axes) as the code step uses it: a wrong code counts like a wrong password."""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_credentials
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest


def _credentials(username: str) -> dict[str, Any]:
    return get_credentials(username)


def is_locked(request: HttpRequest, username: str) -> bool:
    return not AxesProxyHandler.is_allowed(request, _credentials(username))


def record_failure(request: HttpRequest, username: str) -> None:
    """Count a failed attempt; at the limit axes marks the request locked out."""
    user_login_failed.send(sender=__name__, credentials=_credentials(username), request=request)


def clear(request: HttpRequest, username: str) -> None:
    """Forget this username's failures from this address: the user is fully signed in."""
    AxesProxyHandler.update_request(request)
    AxesProxyHandler.reset_attempts(
        ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
        username=username,
    )
