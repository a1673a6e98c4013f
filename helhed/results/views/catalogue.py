"""Placeholder: filled in by the catalogue area."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
