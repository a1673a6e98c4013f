"""The client's address, read once for the lockout and the audit log alike.

Behind a proxy (HELHED_BEHIND_PROXY=1) every request comes from the proxy,
which would turn "this user from this address" into "this user anywhere" for
the lockout, and make every audit entry say the proxy looked the citizen up.
The proxy appends the address it saw to X-Forwarded-For, so the last entry is
the one to trust; earlier entries are whatever the client claimed.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The address the request came from, or None when there is none to trust."""
    if settings.HELHED_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = _address(forwarded.split(",")[-1])
        if last:
            return last
    return _address(request.META.get("REMOTE_ADDR") or "")


def _address(text: str) -> str | None:
    """An IP address as text, or None for anything else (a header can hold any bytes)."""
    text = text.strip()
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None
