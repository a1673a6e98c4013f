"""Pages: contacts, the contact map and the coordinator's list."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
