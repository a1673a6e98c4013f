"""The directory of contact points: who to call in a unit, and whether it has capacity now.

Every staff member of the municipality reads the directory (404 for anyone
else, and for another municipality's contact points); a leader of the unit or
above adds, changes and removes its contact points and sets its capacity
(``policy.can_edit_contact_points``; 403 for the rest of the staff).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helhed import policy
from helhed.lib.views import parse_id, query_without_page
from helhed.organisation import actions_directory as actions
from helhed.organisation.forms_directory import (
    CapacityForm,
    ContactPointChangeForm,
    ContactPointForm,
    DirectoryFilterForm,
)
from helhed.organisation.models import ContactPoint, Staff

POINTS_PER_PAGE = 25


def _editable_point(request: HttpRequest, point_id: int) -> tuple[Staff, ContactPoint]:
    staff = policy.staff_with_role_or_404(request.user)
    point = policy.get_contact_point_for_user(request.user, point_id)
    if not policy.can_edit_contact_points(request.user, point.unit):
        raise PermissionDenied(_("Only a leader of the unit or above keeps its contact points."))
    return staff, point


@login_required
@require_GET
def directory_list(request: HttpRequest) -> HttpResponse:
    """The municipality's contact points by unit, searchable, with capacity now."""
    policy.staff_with_role_or_404(request.user)
    filters = DirectoryFilterForm(request.GET)
    points = actions.search_directory(
        policy.visible_contact_points(request.user), filters.value("q")
    )
    if filters.value("has_capacity"):
        points = points.filter(has_capacity=True)
    points = points.select_related("unit", "unit__sector").order_by("unit__name", "name", "pk")
    page = Paginator(points, POINTS_PER_PAGE).get_page(request.GET.get("page"))
    editable = set(policy.contact_point_units(request.user).values_list("pk", flat=True))
    context: dict[str, Any] = {
        "page": page,
        "filters": filters,
        "querystring": query_without_page(request),
        "searched": bool(filters.value("q") or filters.value("has_capacity")),
        "editable": editable,
        "can_add": bool(editable),
    }
    return render(request, "organisation/directory_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def directory_create(request: HttpRequest) -> HttpResponse:
    """Add a contact point to a unit the user leads (or lies beneath one)."""
    staff = policy.staff_with_role_or_404(request.user)
    units = policy.contact_point_units(request.user)
    if not units.exists():
        raise PermissionDenied(_("Only a leader of the unit or above keeps its contact points."))
    unit_id = parse_id(request.GET.get("unit", ""))
    initial = {"unit": unit_id} if unit_id is not None else {}
    form = ContactPointForm(
        request.POST if request.method == "POST" else None, units=units, initial=initial
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                actions.do_add_contact_point(actor=staff, **form.cleaned_data)
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The contact point is added to the directory."))
                return redirect("organisation:directory")
    return render(
        request, "organisation/directory_form.html", {"form": form, "point": None}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def directory_edit(request: HttpRequest, point_id: int) -> HttpResponse:
    """Change a contact point's details and capacity."""
    staff, point = _editable_point(request, point_id)
    form = ContactPointChangeForm.for_point(
        point, request.POST if request.method == "POST" else None
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                actions.do_change_contact_point(actor=staff, point=point, **form.cleaned_data)
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The contact point is updated."))
                return redirect("organisation:directory")
    return render(
        request, "organisation/directory_form.html", {"form": form, "point": point}, status=status
    )


@login_required
@require_POST
def directory_capacity(request: HttpRequest, point_id: int) -> HttpResponse:
    """Say whether the contact point has capacity now."""
    staff, point = _editable_point(request, point_id)
    form = CapacityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The capacity note is too long."))
        return render(
            request,
            "organisation/directory_form.html",
            {"form": ContactPointChangeForm.for_point(point), "point": point, "capacity": form},
            status=422,
        )
    actions.do_set_capacity(
        actor=staff,
        point=point,
        has_capacity=form.cleaned_data["has_capacity"],
        note=form.cleaned_data["capacity_note"],
    )
    messages.success(request, _("The capacity is updated."))
    return redirect("organisation:directory")


@login_required
@require_POST
def directory_remove(request: HttpRequest, point_id: int) -> HttpResponse:
    staff, point = _editable_point(request, point_id)
    actions.do_remove_contact_point(actor=staff, point=point)
    messages.success(request, _("The contact point is removed from the directory."))
    return redirect("organisation:directory")


urlpatterns: list[URLPattern] = [
    path("directory/", directory_list, name="directory"),
    path("directory/new/", directory_create, name="directory_create"),
    path("directory/<int:point_id>/", directory_edit, name="directory_edit"),
    path("directory/<int:point_id>/capacity/", directory_capacity, name="directory_capacity"),
    path("directory/<int:point_id>/remove/", directory_remove, name="directory_remove"),
]
