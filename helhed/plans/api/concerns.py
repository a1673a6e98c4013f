"""API for concerns (filled in by the concerns work).

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

from ninja import Router

router = Router(tags=["concerns"])
