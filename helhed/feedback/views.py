"""Views for rating scales and ratings (filled in by the feedback work)."""

from __future__ import annotations

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
