"""The forums app's JSON API: one router per area, joined here."""

from __future__ import annotations

from ninja import Router

from helhed.forums.api import assessments, board, forums

router = Router(tags=["forums"])
router.add_router("/", forums.router)
router.add_router("/board", board.router)
router.add_router("/self-assessments", assessments.router)
