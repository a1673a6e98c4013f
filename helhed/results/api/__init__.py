"""The results app's JSON API: one router per area, joined here."""

from __future__ import annotations

from ninja import Router

from helhed.results.api import catalogue, chain, curves, reflections, reports, units

router = Router(tags=["results"])
router.add_router("/", catalogue.router)
router.add_router("/", chain.router)
router.add_router("/", units.router)
router.add_router("/reports", reports.router)
router.add_router("/curves", curves.router)
router.add_router("/freshness", curves.freshness_router)
router.add_router("/reflections", reflections.router)
