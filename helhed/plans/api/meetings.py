"""API for meetings (filled in by the meetings work).

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

from ninja import Router

router = Router(tags=["meetings"])
