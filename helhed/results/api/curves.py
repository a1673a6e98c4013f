"""Placeholder: filled in by the curves area."""

from __future__ import annotations

from ninja import Router

router = Router()
