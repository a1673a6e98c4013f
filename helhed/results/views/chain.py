"""The results home page, committees, ambitions and quality markers.

Every staff member of the municipality reads the committees, ambitions and
markers (``policy.visible_ambitions``); results managers create and change
committees and ambitions, an ambition's owner its text and years, and a
marker's responsible leader the marker (``policy.can_manage_results``,
``can_edit_ambition``, ``can_edit_marker``). Family logins have no place
here (403). Numbers are on the unit pages (``views/units.py``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helhed import policy
from helhed.lib.validity import today
from helhed.organisation.models import Role, RoleAssignment, Staff, Unit
from helhed.results.actions.chain import (
    ambition_unit_choices,
    do_create_ambition,
    do_create_committee,
    do_create_marker,
    do_move_marker,
    do_set_ambition_active,
    do_update_ambition,
    do_update_committee,
    do_update_marker,
    is_cross_cutting,
    leader_staff,
    marker_unit_choices,
)
from helhed.results.forms.chain import (
    AmbitionFilterForm,
    AmbitionForm,
    CommitteeForm,
    MarkerForm,
)
from helhed.results.levels import default_period
from helhed.results.models import Ambition, Indicator, Marker
from helhed.results.status import Rag, statuses

PER_PAGE = 25


def staff_or_403(request: HttpRequest) -> Staff:
    """The signed-in staff member; results are not for family logins or technical admins."""
    staff = policy.staff_for(request.user)
    if staff is None:
        raise PermissionDenied(_("The results pages are for the municipality's staff."))
    return staff


def optional_url(name: str) -> str | None:
    """The URL of another area's page, or None while that area is not built yet."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def own_units(staff: Staff) -> list[Unit]:
    """The units of the staff member's roles today; for a leader only the topmost led units."""
    assignments = (
        RoleAssignment.objects.valid_on(today())
        .filter(staff=staff, unit__municipality_id=staff.municipality_id)
        .select_related("unit", "role")
        .order_by("unit__path")
    )
    units: dict[int, Unit] = {}
    led_paths: list[str] = []
    for assignment in assignments:
        unit = assignment.unit
        if assignment.role.kind == Role.Kind.LEADER:
            if any(unit.path.startswith(p) for p in led_paths):
                continue
            led_paths.append(unit.path)
        units.setdefault(unit.pk, unit)
    return list(units.values())


def _marker_rag_counts(markers: list[Marker]) -> dict[int, Counter[str]]:
    """Red/amber/green counts of each marker's indicators over its units (one statuses call)."""
    period = default_period(today())
    scope = {marker.pk: marker.scope_units() for marker in markers}
    indicators = {i.pk: i for m in markers for i in m.indicators.all()}
    units = {u.pk: u for found in scope.values() for u in found}
    found = statuses(list(indicators.values()), list(units.values()), period)
    counts: dict[int, Counter[str]] = {}
    for marker in markers:
        counter: Counter[str] = Counter()
        for ind in marker.indicators.all():
            for unit in scope[marker.pk]:
                counter[found[(ind.pk, unit.pk)].rag] += 1
        counts[marker.pk] = counter
    return counts


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Where a leader starts: their units' pages, the committees' ambitions, their markers."""
    staff = staff_or_403(request)
    units = own_units(staff)
    context: dict[str, Any] = {
        "units": units,
        "period": default_period(today()),
        "catalogue_url": optional_url("results:indicators"),
        "reports_url": optional_url("results:reports"),
        "can_manage": policy.can_manage_results(request.user, staff.municipality),
    }
    if units:
        active = Ambition.objects.filter(is_active=True).order_by("title")
        context["committees"] = (
            policy.visible_committees(request.user)
            .filter(is_active=True)
            .prefetch_related(Prefetch("ambitions", queryset=active))
        )
        markers = list(
            Marker.objects.filter(owner=staff, ambition__is_active=True)
            .filter(ambition__in=policy.visible_ambitions(request.user))
            .select_related("ambition", "ambition__committee")
            .prefetch_related(
                Prefetch("indicators", queryset=Indicator.objects.filter(is_active=True)),
                "units",
                "ambition__units",
            )
            .order_by("ambition__title", "sort_order", "pk")
        )
        counts = _marker_rag_counts(markers)
        context["my_markers"] = [
            {
                "marker": marker,
                "counts": [(rag, counts[marker.pk][rag]) for rag in Rag if counts[marker.pk][rag]],
            }
            for marker in markers
        ]
    return render(request, "results/home.html", context)


# --------------------------------------------------------------------------- committees


@login_required
@require_GET
def committee_list(request: HttpRequest) -> HttpResponse:
    """The municipality's committees with their active ambitions, searchable."""
    staff = staff_or_403(request)
    query = request.GET.get("q", "").strip()[:100]
    committees = policy.visible_committees(request.user).annotate(
        ambition_count=Count("ambitions", filter=Q(ambitions__is_active=True))
    )
    if query:
        committees = committees.filter(Q(name__icontains=query) | Q(description__icontains=query))
    page = Paginator(committees.order_by("name", "pk"), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": query,
        "can_manage": policy.can_manage_results(request.user, staff.municipality),
    }
    return render(request, "results/committee_list.html", context)


def _manager_or_403(request: HttpRequest) -> Staff:
    staff = staff_or_403(request)
    if not policy.can_manage_results(request.user, staff.municipality):
        raise PermissionDenied(_("Only analysts and the municipal director can do this."))
    return staff


@login_required
@require_http_methods(["GET", "POST"])
def committee_create(request: HttpRequest) -> HttpResponse:
    """A results manager adds a committee."""
    staff = _manager_or_403(request)
    form = CommitteeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("is_active")
            try:
                do_create_committee(actor=staff, **data)
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The committee is created."))
                return redirect("results:committees")
        return render(request, "results/committee_form.html", {"form": form}, status=400)
    return render(request, "results/committee_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def committee_edit(request: HttpRequest, committee_id: int) -> HttpResponse:
    """A results manager changes a committee's name, description and cadence."""
    committee = policy.get_committee_for_user(request.user, committee_id)
    staff = _manager_or_403(request)
    initial = {
        "name": committee.name,
        "description": committee.description,
        "cadence": committee.cadence,
        "report_due_days": committee.report_due_days,
        "is_active": committee.is_active,
    }
    form = CommitteeForm(request.POST if request.method == "POST" else None, initial=initial)
    context = {"form": form, "committee": committee}
    if request.method == "POST":
        if form.is_valid():
            try:
                do_update_committee(actor=staff, committee=committee, **form.cleaned_data)
            except ValidationError as exc:
                committee.refresh_from_db()
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The committee is saved."))
                return redirect("results:committees")
        return render(request, "results/committee_form.html", context, status=400)
    return render(request, "results/committee_form.html", context)


# --------------------------------------------------------------------------- ambitions


@login_required
@require_GET
def ambition_list(request: HttpRequest) -> HttpResponse:
    """The ambitions grouped by committee, filtered by committee, year and text."""
    staff = staff_or_403(request)
    form = AmbitionFilterForm(request.GET or None, municipality=staff.municipality)
    ambitions = (
        policy.visible_ambitions(request.user)
        .select_related("committee", "owner")
        .prefetch_related("units")
        .annotate(marker_count=Count("markers"))
    )
    status = 200
    filtered = False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filtered = bool(data["committee"] or data["year"] or data["q"])
        if data["committee"]:
            ambitions = ambitions.filter(committee=data["committee"])
        if data["year"]:
            ambitions = ambitions.filter(first_year__lte=data["year"], last_year__gte=data["year"])
        if data["q"]:
            ambitions = ambitions.filter(
                Q(title__icontains=data["q"]) | Q(description__icontains=data["q"])
            )
        if not data["inactive"]:
            ambitions = ambitions.filter(is_active=True)
    else:
        status = 400 if form.is_bound else 200
        ambitions = ambitions.filter(is_active=True)
    ambitions = ambitions.order_by("committee__name", "committee_id", "title", "pk")
    page = Paginator(ambitions, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "filtered": filtered,
        "query": query.urlencode(),
        "can_manage": policy.can_manage_results(request.user, staff.municipality),
    }
    return render(request, "results/ambition_list.html", context, status=status)


@login_required
@require_GET
def ambition_detail(request: HttpRequest, ambition_id: int) -> HttpResponse:
    """One ambition: its committee, years, owner, units and markers with their indicators."""
    ambition = policy.get_ambition_for_user(request.user, ambition_id)
    units = list(ambition.units.order_by("path"))
    markers = list(
        ambition.markers.select_related("owner")
        .prefetch_related(
            Prefetch("indicators", queryset=Indicator.objects.order_by("name")),
            Prefetch("units", queryset=Unit.objects.order_by("path")),
        )
        .order_by("sort_order", "pk")
    )
    context = {
        "ambition": ambition,
        "units": units,
        "cross_cutting": is_cross_cutting(units),
        "markers": [
            {"marker": m, "can_edit": policy.can_edit_marker(request.user, m)} for m in markers
        ],
        "can_edit": policy.can_edit_ambition(request.user, ambition),
        "can_manage": policy.can_manage_results(request.user, ambition.municipality),
    }
    return render(request, "results/ambition_detail.html", context)


def _ambition_form(
    request: HttpRequest, staff: Staff, *, full: bool, initial: dict[str, Any] | None = None
) -> AmbitionForm:
    return AmbitionForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        municipality=staff.municipality,
        owners=leader_staff(staff.municipality) if full else [],
        unit_choices=ambition_unit_choices(staff.municipality) if full else [],
        full=full,
    )


@login_required
@require_http_methods(["GET", "POST"])
def ambition_create(request: HttpRequest) -> HttpResponse:
    """A results manager writes a committee's ambition."""
    staff = _manager_or_403(request)
    initial: dict[str, Any] = {"first_year": today().year, "last_year": today().year + 3}
    committee_id = request.GET.get("committee", "")
    if committee_id.isascii() and committee_id.isdigit() and len(committee_id) <= 18:
        initial["committee"] = (
            policy.visible_committees(request.user).filter(pk=committee_id).first()
        )
    form = _ambition_form(request, staff, full=True, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["units"] = list(data["units"])
            try:
                ambition = do_create_ambition(actor=staff, **data)
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The ambition is created. Add its quality markers."))
                return redirect("results:ambition", ambition_id=ambition.pk)
        return render(request, "results/ambition_form.html", {"form": form}, status=400)
    return render(request, "results/ambition_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def ambition_edit(request: HttpRequest, ambition_id: int) -> HttpResponse:
    """Change an ambition: managers all of it, its owner the text and years."""
    ambition = policy.get_ambition_for_user(request.user, ambition_id)
    staff = staff_or_403(request)
    if not policy.can_edit_ambition(request.user, ambition):
        raise PermissionDenied(_("Only the ambition's owner and the results managers can do this."))
    full = policy.can_manage_results(request.user, ambition.municipality)
    initial = {
        "committee": ambition.committee,
        "title": ambition.title,
        "description": ambition.description,
        "first_year": ambition.first_year,
        "last_year": ambition.last_year,
        "owner": ambition.owner,
        "units": list(ambition.units.all()),
    }
    form = _ambition_form(request, staff, full=full, initial=initial)
    context = {"form": form, "ambition": ambition}
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            if "units" in data:
                data["units"] = list(data["units"])
            try:
                do_update_ambition(actor=staff, ambition=ambition, **data)
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The ambition is saved."))
                return redirect("results:ambition", ambition_id=ambition.pk)
        ambition.refresh_from_db()
        return render(request, "results/ambition_form.html", context, status=400)
    return render(request, "results/ambition_form.html", context)


@login_required
@require_POST
def ambition_set_active(request: HttpRequest, ambition_id: int) -> HttpResponse:
    """Deactivate an ambition (it stays readable) or reopen it; for results managers."""
    ambition = policy.get_ambition_for_user(request.user, ambition_id)
    staff = _manager_or_403(request)
    active = request.POST.get("active") == "1"
    do_set_ambition_active(actor=staff, ambition=ambition, active=active)
    if active:
        messages.success(request, _("The ambition is active again."))
    else:
        messages.success(
            request,
            _("The ambition is deactivated. It stays readable but leaves the unit pages."),
        )
    return redirect("results:ambition", ambition_id=ambition.pk)


# --------------------------------------------------------------------------- markers


def _marker_form(
    request: HttpRequest, ambition: Ambition, initial: dict[str, Any] | None = None
) -> MarkerForm:
    return MarkerForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        municipality=ambition.municipality,
        owners=leader_staff(ambition.municipality),
        unit_choices=marker_unit_choices(ambition),
        current_indicators=(initial or {}).get("indicators", []),
    )


@login_required
@require_http_methods(["GET", "POST"])
def marker_create(request: HttpRequest, ambition_id: int) -> HttpResponse:
    """Add a quality marker to an ambition (its owner and the results managers)."""
    ambition = policy.get_ambition_for_user(request.user, ambition_id)
    staff = staff_or_403(request)
    if not policy.can_edit_ambition(request.user, ambition):
        raise PermissionDenied(_("Only the ambition's owner and the results managers can do this."))
    form = _marker_form(request, ambition, initial={"owner": ambition.owner})
    context = {"form": form, "ambition": ambition}
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["indicators"] = list(data["indicators"])
            data["units"] = list(data["units"])
            try:
                do_create_marker(actor=staff, ambition=ambition, **data)
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The quality marker is added."))
                return redirect("results:ambition", ambition_id=ambition.pk)
        return render(request, "results/marker_form.html", context, status=400)
    return render(request, "results/marker_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def marker_edit(request: HttpRequest, marker_id: int) -> HttpResponse:
    """Change a quality marker (its responsible leader, the ambition's owner, managers)."""
    marker = policy.get_marker_for_user(request.user, marker_id)
    staff = staff_or_403(request)
    if not policy.can_edit_marker(request.user, marker):
        raise PermissionDenied(_("Only the marker's responsible leader can do this."))
    ambition = marker.ambition
    initial = {
        "title": marker.title,
        "description": marker.description,
        "owner": marker.owner,
        "indicators": list(marker.indicators.all()),
        "units": list(marker.units.all()),
    }
    form = _marker_form(request, ambition, initial=initial)
    context = {"form": form, "ambition": ambition, "marker": marker}
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["indicators"] = list(data["indicators"])
            data["units"] = list(data["units"])
            try:
                do_update_marker(actor=staff, marker=marker, **data)
            except ValidationError as exc:
                marker.refresh_from_db()
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The quality marker is saved."))
                return redirect("results:ambition", ambition_id=ambition.pk)
        return render(request, "results/marker_form.html", context, status=400)
    return render(request, "results/marker_form.html", context)


@login_required
@require_POST
def marker_move(request: HttpRequest, marker_id: int) -> HttpResponse:
    """Move a marker up or down in its ambition's order."""
    marker = policy.get_marker_for_user(request.user, marker_id)
    staff = staff_or_403(request)
    if not policy.can_edit_ambition(request.user, marker.ambition):
        raise PermissionDenied(_("Only the ambition's owner and the results managers can do this."))
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        messages.error(request, _("Choose to move the marker up or down."))
        return redirect("results:ambition", ambition_id=marker.ambition_id)
    do_move_marker(actor=staff, marker=marker, up=direction == "up")
    return redirect("results:ambition", ambition_id=marker.ambition_id)


urlpatterns: list[URLPattern] = [
    path("", home, name="home"),
    path("committees/", committee_list, name="committees"),
    path("committees/new/", committee_create, name="committee_create"),
    path("committees/<int:committee_id>/edit/", committee_edit, name="committee_edit"),
    path("ambitions/", ambition_list, name="ambitions"),
    path("ambitions/new/", ambition_create, name="ambition_create"),
    path("ambitions/<int:ambition_id>/", ambition_detail, name="ambition"),
    path("ambitions/<int:ambition_id>/edit/", ambition_edit, name="ambition_edit"),
    path("ambitions/<int:ambition_id>/active/", ambition_set_active, name="ambition_set_active"),
    path("ambitions/<int:ambition_id>/markers/new/", marker_create, name="marker_create"),
    path("markers/<int:marker_id>/edit/", marker_edit, name="marker_edit"),
    path("markers/<int:marker_id>/move/", marker_move, name="marker_move"),
]
