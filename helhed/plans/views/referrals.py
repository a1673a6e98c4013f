"""Views for referrals (being built: replace the placeholder below)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path


def _placeholder(request: HttpRequest) -> HttpResponse:
    raise Http404


urlpatterns: list[URLPattern] = [
    path("referrals/", _placeholder, name="referrals"),
    path("referrals/new/", _placeholder, name="referral_create"),
]
