"""The analytics pages: dashboards, benchmarking and what works (see the modules)."""

from __future__ import annotations

from django.urls import URLPattern

from helhed.analytics.views import benchmark, dashboard, exports, whatworks

urlpatterns: list[URLPattern] = [
    *dashboard.urlpatterns,
    *exports.urlpatterns,
]

urlpatterns += benchmark.urlpatterns
urlpatterns += whatworks.urlpatterns
