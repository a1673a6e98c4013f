"""Pages: trial actions and the portfolio."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from helhed import policy


@login_required
@require_GET
def trials_list(request: HttpRequest) -> HttpResponse:
    if not policy.has_staff_role(request.user):
        raise Http404("No staff role")
    return render(request, "trials/trials_list.html", {})


urlpatterns: list[URLPattern] = [path("", trials_list, name="list")]
