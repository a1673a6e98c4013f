"""The analytics pages: dashboards, benchmarking and what works (see the modules)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
