"""API for referrals (filled in by the referrals work).

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

from ninja import Router

router = Router(tags=["referrals"])
