"""Placeholder: filled in by the chain area."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
