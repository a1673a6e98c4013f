"""API for plans (filled in by the plans work).

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

from ninja import Router

router = Router(tags=["plans"])
