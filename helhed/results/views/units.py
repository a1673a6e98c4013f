"""Placeholder: filled in by the units area."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
