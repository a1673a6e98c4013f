"""The lockout backend (django-axes); the address it locks is `helhed.lib.clients`."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
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
