from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "helhed.organisation"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        # Every grant, change and end of a role is audited (a role opens citizens' data).
        from helhed.organisation import audited  # noqa: F401
