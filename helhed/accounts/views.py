"""Signing in (a password, then a code for users with two-factor login); the second factor."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login

from helhed.accounts import actions, devices, lockout, sessions
from helhed.accounts.forms import CodeForm


class LoginView(auth_views.LoginView):
    """Django's login form; a user with two-factor login goes on to the code step."""

    # Django's form views treat PUT as POST; a login form has no use for it.
    http_method_names = ["get", "head", "post", "options"]

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        if sessions.has_device(self.request):
            # Signed in with the password only: TwoFactorMiddleware keeps them
            # at the code step until a code is given.
            return _redirect_with_next("accounts:verify", self.get_success_url())
        return response


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The page a locked-out sign-in gets (django-axes' AXES_LOCKOUT_CALLABLE)."""
    context = {
        "minutes": settings.HELHED_LOCKOUT_MINUTES,
        "failures": settings.HELHED_LOGIN_FAILURES,
    }
    return render(request, "accounts/locked_out.html", context, status=429)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app, or a backup code."""
    next_url = _next_url(request)
    if not sessions.has_device(request) or request.user.is_verified():  # type: ignore[union-attr]
        return HttpResponseRedirect(next_url)
    username = request.user.get_username()
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if lockout.is_locked(request, username):
            logout(request)
            return locked_out(request)
        if form.is_valid():
            try:
                device = actions.do_check_code(request.user, form.cleaned_data["code"])  # type: ignore[arg-type]
            except actions.CodeRefused as refused:
                form.add_error("code", refused)
                lockout.record_failure(request, username)
                if getattr(request, "axes_locked_out", False):
                    # AxesMiddleware answers with the lockout page; the
                    # half-finished sign-in ends here.
                    logout(request)
            else:
                otp_login(request, device)
                request.session.cycle_key()
                lockout.clear(request, username)
                return HttpResponseRedirect(next_url)
        status = 400
    else:
        status = 200
    return render(request, "accounts/verify.html", {"form": form, "next": next_url}, status=status)


@login_required
@require_GET
def two_factor(request: HttpRequest) -> HttpResponse:
    """Two-factor login for the signed-in user: set it up, or see it is on and remove it."""
    return _two_factor_page(request)


@login_required
@require_POST
def two_factor_start(request: HttpRequest) -> HttpResponse:
    if devices.confirmed_totp(request.user) is None:  # type: ignore[arg-type]
        actions.do_start_totp(request.user)  # type: ignore[arg-type]
    return redirect("accounts:two_factor")


@login_required
@require_POST
def two_factor_confirm(request: HttpRequest) -> HttpResponse:
    device = devices.pending_totp(request.user)  # type: ignore[arg-type]
    if device is None:
        raise Http404(_("There is no two-factor set-up to confirm."))
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            codes = actions.do_confirm_totp(request.user, device, form.cleaned_data["code"])  # type: ignore[arg-type]
        except actions.CodeRefused as refused:
            form.add_error("code", refused)
        else:
            # The code just given verifies this session too.
            otp_login(request, device)
            sessions.set_has_device(request, True)
            return render(request, "accounts/two_factor_done.html", {"codes": codes})
    return _two_factor_page(request, confirm_form=form, status=400)


@login_required
@require_POST
def two_factor_remove(request: HttpRequest) -> HttpResponse:
    user = request.user
    if devices.confirmed_totp(user) is None and devices.backup_device(user) is None:  # type: ignore[arg-type]
        raise Http404(_("Two-factor login is not on."))
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            actions.do_remove_two_factor(user, form.cleaned_data["code"])  # type: ignore[arg-type]
        except actions.CodeRefused as refused:
            form.add_error("code", refused)
        else:
            sessions.set_has_device(request, False)
            messages.success(request, _("Two-factor login is off."))
            return redirect("accounts:two_factor")
    return _two_factor_page(request, remove_form=form, status=400)


def _two_factor_page(
    request: HttpRequest,
    *,
    confirm_form: CodeForm | None = None,
    remove_form: CodeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    device = devices.confirmed_totp(user)  # type: ignore[arg-type]
    pending = None if device is not None else devices.pending_totp(user)  # type: ignore[arg-type]
    context = {
        "device": device,
        "pending": pending,
        "qr": devices.qr_svg(pending) if pending is not None else "",
        "secret": devices.secret(pending) if pending is not None else "",
        "codes_left": devices.backup_codes_left(user) if device is not None else 0,  # type: ignore[arg-type]
        "confirm_form": confirm_form or CodeForm(),
        "remove_form": remove_form or CodeForm(),
        "required": device is None and sessions.must_set_up(request, user),
    }
    return render(request, "accounts/two_factor.html", context, status=status)


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _redirect_with_next(step: str, next_url: str) -> HttpResponse:
    return HttpResponseRedirect(f"{resolve_url(step)}?{urlencode({'next': next_url})}")
