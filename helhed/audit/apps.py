from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "helhed.audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        # The action codes every app may log; apps add their own in their ready().
        from helhed.audit import codes  # noqa: F401
