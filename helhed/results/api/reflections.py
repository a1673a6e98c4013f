"""Placeholder: filled in by the reflections area."""

from __future__ import annotations

from ninja import Router

router = Router()
