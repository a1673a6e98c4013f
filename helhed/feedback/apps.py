from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "helhed.feedback"
    verbose_name = _("Feedback (FIT)")

    def ready(self) -> None:
        # Every change of personal data is audited (the audit app imports no domain app).
        # Ratings go with their plan; ``retention`` names them in the retention rules.
        from helhed.feedback import (
            audited,  # noqa: F401
            retention,  # noqa: F401
        )
