"""The leadership app's JSON API: one router per area, joined here."""

from __future__ import annotations

from ninja import Router

from helhed.leadership.api import documentation, principles, proposals, reforms, rules, span, teams

router = Router(tags=["leadership"])
router.add_router("/rules", rules.router)
router.add_router("/documentation", documentation.router)
router.add_router("/proposals", proposals.router)
router.add_router("/spans", span.router)
router.add_router("/", principles.router)
router.add_router("/reforms", reforms.router)
router.add_router("/teams", teams.router)
