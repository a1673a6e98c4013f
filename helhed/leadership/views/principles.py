"""Pages of the leadership app: principles."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
