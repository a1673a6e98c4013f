"""Session limits and the second factor, enforced for every request.

Both look only at the session for a signed-in user (``SESSION_KEY`` present),
so anonymous requests and API calls with a bearer token pass untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from helhed.accounts import sessions


def _is_htmx(request: HttpRequest) -> bool:
    # HtmxMiddleware runs later, so read the header itself.
    return request.headers.get("HX-Request") == "true"


class IdleSessionMiddleware:
    """Sign out after HELHED_SESSION_IDLE_SECONDS without a request, or a day's session.

    The user then meets the login page (through ``login_required``) with a
    message saying why; an HTMX request sends the whole page there.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if SESSION_KEY in request.session:
            reason = sessions.ended(request)
            if reason is not None:
                logout(request)
                messages.info(request, reason)
                if _is_htmx(request):
                    return HttpResponseClientRedirect(reverse(settings.LOGIN_URL))
            else:
                sessions.touch(request)
        return self.get_response(request)


class TwoFactorMiddleware:
    """Hold a signed-in user at the code step, or at the set-up page, until done.

    A user with a confirmed device who has not given a code this session is
    sent to ``accounts:verify``; when two-factor login is required for staff,
    a staff member without a device is sent to ``accounts:two_factor``. Only
    the step itself, logging out, the language switch and static files stay
    reachable meanwhile.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if SESSION_KEY in request.session and not self._always_open(request):
            step = self._step(request)
            if step is not None and request.path_info not in self._step_paths(step):
                return self._send_to(request, step)
        return self.get_response(request)

    @staticmethod
    def _step(request: HttpRequest) -> str | None:
        if sessions.has_device(request):
            return None if request.user.is_verified() else "accounts:verify"  # type: ignore[union-attr]
        if sessions.must_set_up(request, request.user):
            return "accounts:two_factor"
        return None

    @staticmethod
    def _always_open(request: HttpRequest) -> bool:
        path = request.path_info
        static = "/" + settings.STATIC_URL.lstrip("/")
        return path.startswith(static) or path in (reverse("logout"), reverse("set_language"))

    @staticmethod
    def _step_paths(step: str) -> set[str]:
        if step == "accounts:verify":
            return {reverse("accounts:verify")}
        return {
            reverse("accounts:two_factor"),
            reverse("accounts:two_factor_start"),
            reverse("accounts:two_factor_confirm"),
        }

    @staticmethod
    def _send_to(request: HttpRequest, step: str) -> HttpResponse:
        url = reverse(step)
        if _is_htmx(request):
            return HttpResponseClientRedirect(url)
        if request.method == "GET" and request.path_info != reverse("home"):
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        return HttpResponseRedirect(url)
