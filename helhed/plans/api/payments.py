"""API: who pays. Same rules as the web pages (helhed.policy).

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

from ninja import Router

router = Router(tags=["plans: payments"])
