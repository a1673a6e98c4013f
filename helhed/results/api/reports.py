"""Placeholder: filled in by the reports area."""

from __future__ import annotations

from ninja import Router

router = Router()
