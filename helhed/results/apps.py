from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "helhed.results"
    verbose_name = _("Results")

    def ready(self) -> None:
        # Registers the computed sources (``sources.register``) of Helhed's own
        # data, so forms, the API and ``compute_indicators`` find them however
        # the process started (web, command, tests). Imported here, not at the
        # top, because it reads models of other apps, which must be loaded first.
        from helhed.results import computations  # noqa: F401
