"""API for stories (filled in by the stories work).

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

from ninja import Router

router = Router(tags=["stories"])
