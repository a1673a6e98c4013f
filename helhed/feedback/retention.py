"""Ratings have no retention rule of their own: they are deleted with their plan.

``Rating.plan`` cascades, so the plans rule (``plans.plan``) removes a
closed plan's ratings with it and logs each one. Registering the part puts
it in the rules table (``helhed retention --rules``) and lets the retention
tests check that the cascade still reaches it.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from helhed.feedback.models import Rating
from helhed.lib.retention import register_part

register_part(Rating, of="plans.plan", note=_("FIT ratings given in the plan"))
