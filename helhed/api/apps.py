from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "helhed.api"
    verbose_name = _("API")

    def ready(self) -> None:
        # Retention rules for API tokens, sessions and login attempts.
        from helhed.api import retention  # noqa: F401
