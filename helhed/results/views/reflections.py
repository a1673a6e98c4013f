"""Reflection meetings: the list, recording one for a unit, one meeting with the unit's data.

A meeting is read by its leader team (``policy.visible_reflections``: those who
took part, who led it, who follows up, and the unit's leaders; 404 for
others). Recording one is for the unit's leaders (``can_record_reflection``,
403 for those who may see the unit but not lead it). The data beside a
meeting are the unit's own statuses: never anything per employee.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helhed import policy
from helhed.lib.validity import today
from helhed.organisation.models import Staff
from helhed.results.actions.reflections import (
    do_mark_followed_up,
    do_record_reflection,
    participant_candidates,
    reflection_statuses,
)
from helhed.results.forms.reflections import ReflectionForm
from helhed.results.models import Indicator, Reflection
from helhed.results.scope import indicators_for

REFLECTIONS_PER_PAGE = 25


@login_required
@require_GET
def reflection_list(request: HttpRequest) -> HttpResponse:
    """The reflection meetings the user's leader teams have held, the latest first."""
    staff = policy.staff_or_404(request.user)
    query = request.GET.get("q", "").strip()[:100]
    reflections = policy.visible_reflections(request.user)
    for word in query.split():
        reflections = reflections.filter(
            Q(unit__name__icontains=word) | Q(what_we_see__icontains=word)
        )
    reflections = (
        Reflection.objects.filter(pk__in=reflections.values("pk"))
        .select_related("unit", "led_by", "follow_up_owner")
        .order_by("-held_on", "-pk")
    )
    page = Paginator(reflections, REFLECTIONS_PER_PAGE).get_page(request.GET.get("page"))
    led = policy.led_units(request.user).valid_on(today()).order_by("path")[:50]
    context: dict[str, Any] = {
        "page": page,
        "query": query,
        "staff": staff,
        "led_units": led,
        "today": today(),
    }
    return render(request, "results/reflection_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def reflection_create(request: HttpRequest) -> HttpResponse:
    """Record a reflection meeting of ``?unit=<id>``'s leader team."""
    staff = policy.staff_or_404(request.user)
    raw = request.GET.get("unit", "")
    if not raw:
        messages.info(request, _("Choose the unit whose leader team met."))
        return redirect("results:reflections")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise Http404("No such unit")
    unit = policy.get_unit_for_results(request.user, int(raw))
    if not policy.can_record_reflection(request.user, unit):
        raise PermissionDenied(_("Only the unit's leaders record its reflection meetings."))
    candidates = participant_candidates(unit)
    owners = Staff.objects.filter(Q(pk__in=candidates.values("pk")) | Q(pk=staff.pk)).order_by(
        "first_name", "last_name", "pk"
    )
    own_indicators = [i.pk for i in indicators_for(unit)]
    form = ReflectionForm(
        request.POST if request.method == "POST" else None,
        candidates=candidates,
        owners=owners,
        indicators=Indicator.objects.filter(pk__in=own_indicators).order_by("name"),
        initial={"held_on": today(), "participants": [staff.pk]},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                reflection = do_record_reflection(actor=staff, unit=unit, **form.cleaned_data)
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The reflection meeting is recorded."))
                return redirect("results:reflection", reflection_id=reflection.pk)
    context = {"unit": unit, "form": form}
    return render(request, "results/reflection_create.html", context, status=status)


@login_required
@require_GET
def reflection_detail(request: HttpRequest, reflection_id: int) -> HttpResponse:
    """One meeting: the record, and beside it the unit's own numbers."""
    reflection = policy.get_reflection_for_user(request.user, reflection_id)
    context = {
        "reflection": reflection,
        "participants": reflection.participants.order_by("first_name", "last_name"),
        "statuses": reflection_statuses(reflection),
        "can_edit": policy.can_edit_reflection(request.user, reflection),
    }
    return render(request, "results/reflection_detail.html", context)


@login_required
@require_POST
def reflection_followed_up(request: HttpRequest, reflection_id: int) -> HttpResponse:
    """Record that the follow-up is done."""
    reflection = policy.get_reflection_for_user(request.user, reflection_id)
    if not policy.can_edit_reflection(request.user, reflection):
        raise PermissionDenied(
            _("Only the meeting's leader, the follow-up owner and the unit's leaders can do this.")
        )
    try:
        do_mark_followed_up(actor=policy.staff_or_404(request.user), reflection=reflection)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The follow-up is recorded."))
    return redirect("results:reflection", reflection_id=reflection.pk)


urlpatterns: list[URLPattern] = [
    path("reflections/", reflection_list, name="reflections"),
    path("reflections/new/", reflection_create, name="reflection_create"),
    path("reflections/<int:reflection_id>/", reflection_detail, name="reflection"),
    path(
        "reflections/<int:reflection_id>/followed-up/",
        reflection_followed_up,
        name="reflection_followed_up",
    ),
]
