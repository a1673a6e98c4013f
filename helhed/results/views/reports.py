"""Placeholder: filled in by the reports area."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
