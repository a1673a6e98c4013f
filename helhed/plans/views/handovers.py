"""Pages: handovers between units and contradictions in a plan."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
