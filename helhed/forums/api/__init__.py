"""The forums app's JSON API: one router per area, joined here."""

from __future__ import annotations

from ninja import Router

from helhed.forums.api import assessments, board, forums

router = Router(tags=["forums"])
router.add_router("/forums", forums.router)
router.add_router("/forums/board", board.router)
router.add_router("/forums/self-assessments", assessments.router)
