"""The plans app's JSON API: one router per area, joined here."""

from __future__ import annotations

from ninja import Router

from helhed.plans.api import (
    concerns,
    contacts,
    contradictions,
    handovers,
    journey,
    meetings,
    payments,
    plans,
    referrals,
    stories,
    worklist,
)

router = Router(tags=["plans"])
router.add_router("/plans", plans.router)
router.add_router("/concerns", concerns.router)
router.add_router("/referrals", referrals.router)
router.add_router("/", meetings.router)
router.add_router("/stories", stories.router)
router.add_router("/worklist", worklist.router)
router.add_router("/payments", payments.router)
router.add_router("/handovers", handovers.router)
router.add_router("/contacts", contacts.router)
router.add_router("/journeys", journey.router)
router.add_router("/contradictions", contradictions.router)
