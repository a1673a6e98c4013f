"""What a session remembers about its sign-in: when, when last active, and the second factor.

The middleware asks these stamps on every request instead of the database,
so signing in costs a few queries once and a page costs none extra.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp import user_has_device

from helhed.accounts import lockout

SIGNED_IN_AT = "helhed_signed_in_at"
LAST_SEEN = "helhed_last_seen"
# Whether the user has a confirmed two-factor device; set at sign-in and when
# a device is set up or removed.
HAS_DEVICE = "helhed_has_device"
# The policy's answer to "must this user set up two-factor login?", asked once
# per session and only while HELHED_REQUIRE_2FA_FOR_STAFF is on.
MUST_SET_UP = "helhed_must_set_up_two_factor"

# The last-seen stamp is written at most this often, so an active user's
# session is saved about once a minute rather than on every request.
TOUCH_EVERY_SECONDS = 60


def now() -> int:
    return int(time.time())


def on_login(
    sender: Any, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: Any
) -> None:
    """Stamp a new sign-in (connected to ``user_logged_in``).

    Whoever signs in without a second factor is now fully signed in, on any
    login page (ours or the admin's): their failed attempts are forgotten. With
    a device that happens at the code step (``views.verify``).
    """
    if request is None or not hasattr(request, "session"):
        return
    stamp = now()
    request.session[SIGNED_IN_AT] = stamp
    request.session[LAST_SEEN] = stamp
    request.session[HAS_DEVICE] = device = user_has_device(user)
    request.session.pop(MUST_SET_UP, None)
    if not device:
        lockout.clear(request, user.get_username())


def has_device(request: HttpRequest) -> bool:
    """Whether the signed-in user has a confirmed device (from the session, else the database)."""
    known = request.session.get(HAS_DEVICE)
    if known is None:
        known = request.session[HAS_DEVICE] = user_has_device(request.user)
    return bool(known)


def set_has_device(request: HttpRequest, value: bool) -> None:
    request.session[HAS_DEVICE] = value
    request.session.pop(MUST_SET_UP, None)


def must_set_up(request: HttpRequest, user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether the policy requires this user to set up two-factor login (cached per session)."""
    if not settings.HELHED_REQUIRE_2FA_FOR_STAFF:
        return False
    known = request.session.get(MUST_SET_UP)
    if known is None:
        from helhed import policy  # the policy imports every domain app; load it late

        known = request.session[MUST_SET_UP] = policy.two_factor_required(user)  # type: ignore[arg-type]
    return bool(known)


def ended(request: HttpRequest) -> str | None:
    """Why this signed-in session is over, as a message for the login page, or None."""
    session = request.session
    current = now()
    last_seen = session.get(LAST_SEEN)
    signed_in_at = session.get(SIGNED_IN_AT)
    idle = settings.HELHED_SESSION_IDLE_SECONDS
    if isinstance(last_seen, int) and current - last_seen > idle:
        return _("You were signed out after %(duration)s without activity.") % {
            "duration": duration(idle)
        }
    if isinstance(signed_in_at, int) and current - signed_in_at > settings.SESSION_COOKIE_AGE:
        return _("You were signed out because a session lasts at most %(duration)s.") % {
            "duration": duration(settings.SESSION_COOKIE_AGE)
        }
    return None


def touch(request: HttpRequest) -> None:
    """Note activity, writing the session only when the stamp is a minute old."""
    session = request.session
    current = now()
    last_seen = session.get(LAST_SEEN)
    if not isinstance(last_seen, int) or current - last_seen >= TOUCH_EVERY_SECONDS:
        session[LAST_SEEN] = current
    if not isinstance(session.get(SIGNED_IN_AT), int):
        # A session from before these stamps existed: its day starts now.
        session[SIGNED_IN_AT] = current


def duration(seconds: int) -> str:
    """A length of time in whole hours when it is one, else in minutes."""
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    minutes = max(1, seconds // 60)
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
