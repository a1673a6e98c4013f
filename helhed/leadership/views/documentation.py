"""Pages of the leadership app: documentation."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
