from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumsConfig(AppConfig):
    name = "helhed.forums"
    verbose_name = _("Forums")
