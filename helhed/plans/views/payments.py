"""Pages: who pays: open settlements and the settlement ledger."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
