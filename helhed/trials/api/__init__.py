"""The trials app's JSON API."""

from __future__ import annotations

from ninja import Router

from helhed.trials.api import trials

router = Router(tags=["trials"])
router.add_router("/trials", trials.router)
