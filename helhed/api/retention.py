"""Retention rules for sign-in records: API tokens, sessions, login attempts.

The periods are defaults for the municipality's data protection officer to
set (``HELHED_RETENTION``). These records are about staff and family logins,
not about citizens' cases; sessions and login attempts are many and
technical, so each run logs one entry with the count for them
(``Delete(log_each=False)``), while each revoked token gets its own entry.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.sessions.models import Session
from django.utils.translation import gettext_lazy as _

from helhed.api.models import ApiToken
from helhed.lib.periods import days, years
from helhed.lib.retention import Delete, RetentionRule, register

register(
    RetentionRule(
        code="api.token",
        label=_("API tokens revoked"),
        model=ApiToken,
        counts_from="revoked_at",
        since=_("the day the token was revoked"),
        period=years(1),
        action=Delete(),
        records=lambda: ApiToken.objects.filter(revoked_at__isnull=False),
        legal_note=_(
            "Only a hash of the token is stored. A revoked token is kept a year so that its "
            "name and owner can explain API use seen in the log; then it goes."
        ),
        order=70,
    )
)

register(
    RetentionRule(
        code="auth.session",
        label=_("expired sessions"),
        model=Session,
        counts_from="expire_date",
        since=_("the moment the session expired"),
        period=days(0),
        action=Delete(log_each=False),
        legal_note=_(
            "An expired session is of no use to anyone; it goes at once, as Django's "
            "clearsessions would remove it."
        ),
        order=70,
    )
)

if apps.is_installed("axes"):
    for code, model_name, label in (
        ("auth.login_attempt", "AccessAttempt", _("failed login counters (django-axes)")),
        ("auth.login_failure", "AccessFailureLog", _("failed logins (django-axes)")),
        ("auth.login_log", "AccessLog", _("sign-ins and sign-outs (django-axes)")),
    ):
        register(
            RetentionRule(
                code=code,
                label=label,
                model=apps.get_model("axes", model_name),
                counts_from="attempt_time",
                since=_("the attempt"),
                period=years(1),
                action=Delete(log_each=False),
                legal_note=_(
                    "Records of sign-ins (user name, address, browser) serve the security "
                    "of the system: a year is long enough to investigate an incident."
                ),
                order=70,
            )
        )
