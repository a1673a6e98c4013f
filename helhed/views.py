"""The home page: what this user can do, by their roles."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from helhed import policy
from helhed.lib.validity import today
from helhed.organisation.span import span_of


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    if policy.family_citizen(request.user) is not None:
        # A family login has one place to go: their plans, in plain language.
        return redirect("plans:family_home")
    staff = policy.staff_for(request.user)
    assignments = list(staff.assignments_on(today())) if staff else []
    led_units = [a.unit for a in assignments if a.role.is_leader]
    spans = [span for unit in led_units if (span := span_of(unit)) is not None]
    context = {
        "staff": staff,
        "assignments": assignments,
        "can": policy.capabilities(request.user),
        "my_spans": spans,
        "citizen_count": policy.visible_citizens(request.user).count(),
    }
    return render(request, "home.html", context)
