"""Pages of the leadership app: reforms."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
