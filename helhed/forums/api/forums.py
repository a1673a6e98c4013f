"""API: forums, meetings, decisions. Same rules as the web pages (helhed.policy).

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

from ninja import Router

router = Router(tags=["forums"])
