"""Web pages for citizens (placeholder, being built)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def citizen_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("citizens")


@login_required
def register(request: HttpRequest) -> HttpResponse:
    return HttpResponse("register")


@login_required
def detail(request: HttpRequest, citizen_id: int) -> HttpResponse:
    return HttpResponse("citizen")
