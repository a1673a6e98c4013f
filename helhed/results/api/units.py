"""Placeholder: filled in by the units area."""

from __future__ import annotations

from ninja import Router

router = Router()
