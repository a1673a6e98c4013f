from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizensConfig(AppConfig):
    name = "helhed.citizens"
    verbose_name = _("Citizens")

    def ready(self) -> None:
        # Every change of personal data is audited (the audit app imports no domain app).
        # Open engagements follow a unit into its successor after a
        # reorganisation; organisation announces it and must not import us.
        # Retention rules for engagements, consents and citizens (helhed.lib.retention).
        from helhed.citizens import (
            audited,  # noqa: F401
            receivers,  # noqa: F401
            retention,  # noqa: F401
        )
