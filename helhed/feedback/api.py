"""API for ratings (filled in by the feedback work).

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

from ninja import Router

router = Router(tags=["feedback"])
