from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "helhed.plans"
    verbose_name = _("Shared plans")

    def ready(self) -> None:
        # Every change of personal data is audited (the audit app imports no domain app).
        # Retention rules for plans, concerns, notifications and referrals.
        from helhed.plans import (
            audited,  # noqa: F401
            retention,  # noqa: F401
        )
