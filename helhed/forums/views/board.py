"""Pages: the obstacle board: items raised, taken, escalated, resolved."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
