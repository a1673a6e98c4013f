from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "helhed.accounts"
    verbose_name = _("Sign-in and security")

    def ready(self) -> None:
        # Every sign-in (the login form, force_login in tests, the admin) stamps
        # the session with when it began and whether a second factor is due;
        # the middleware reads those stamps instead of the database.
        from django.contrib.auth.signals import user_logged_in

        from helhed.accounts import sessions

        user_logged_in.connect(sessions.on_login, dispatch_uid="helhed.accounts.on_login")
