"""Placeholder: filled in by the catalogue area."""

from __future__ import annotations

from ninja import Router

router = Router()
