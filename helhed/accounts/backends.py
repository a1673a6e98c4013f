"""The lockout backend (django-axes) and the client address it locks."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):
    """Refuse a locked-out username and address before any password is checked.

    A call without a request does not come from the network (the test
    client's ``login()``, a shell): there is no address to lock, so it is let
    through to the next backend instead of failing as django-axes would.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def client_ip(request: HttpRequest) -> str | None:
    """The address a lockout is bound to.

    Behind a proxy (HELHED_BEHIND_PROXY=1) every request comes from the proxy,
    which would turn "this user from this address" into "this user anywhere".
    The proxy appends the address it saw to X-Forwarded-For, so the last entry
    is the one to trust; earlier entries are whatever the client claimed.
    """
    if settings.HELHED_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR") or None
