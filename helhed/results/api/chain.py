"""Placeholder: filled in by the chain area."""

from __future__ import annotations

from ninja import Router

router = Router()
