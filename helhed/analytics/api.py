"""The analytics API: published cells, benchmarks and what works, suppressed like the pages."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["analytics"])
