"""Web pages for citizens: the list a professional works with, one citizen, registering one.

Who sees which citizen is decided by ``helhed.policy`` alone: the list starts
from ``visible_citizens`` and the detail page from ``get_citizen_for_user``.
The full CPR number appears only on the detail page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from helhed import policy
from helhed.citizens.actions import do_register_citizen
from helhed.citizens.forms import RegisterCitizenForm
from helhed.lib.htmx import wants_partial
from helhed.lib.validity import today
from helhed.plans.models import Plan

CITIZENS_PER_PAGE = 25


@login_required
@require_GET
def citizen_list(request: HttpRequest) -> HttpResponse:
    """The citizens this user works with, searchable by name or full CPR number."""
    query = request.GET.get("q", "").strip()[:100]
    visible = policy.visible_citizens(request.user)
    found = (
        visible.search(query)
        .select_related("current_unit")
        .order_by("last_name", "first_name", "pk")
    )
    page = Paginator(found, CITIZENS_PER_PAGE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "page": page,
        "query": query,
        # Without a search, an empty page means the user works with no one.
        "sees_anyone": page.paginator.count > 0 or (bool(query) and visible.exists()),
        "can_register": policy.can_register_citizen(request.user),
    }
    template = "citizens/list_results.html" if wants_partial(request) else "citizens/list.html"
    return render(request, template, context)


@never_cache  # the page shows a full CPR number: no browser or proxy may keep it
@login_required
@require_GET
def detail(request: HttpRequest, citizen_id: int) -> HttpResponse:
    """One citizen: CPR number, family, current unit, engagements and consents."""
    citizen = policy.get_citizen_for_user(request.user, citizen_id)
    guardians = list(citizen.guardians().order_by("last_name", "first_name"))
    siblings = list(citizen.siblings().order_by("birth_date"))
    children = list(citizen.children_in_care().order_by("birth_date"))
    relatives = [c.pk for c in (*guardians, *siblings, *children)]
    # Relatives are named, but linked only when the user may open their page.
    linkable = set(
        policy.visible_citizens(request.user).filter(pk__in=relatives).values_list("pk", flat=True)
    )
    on = today()
    engagements = [
        (e, e.is_valid_on(on))
        for e in citizen.engagements.select_related("staff", "unit").order_by("-valid_from")
    ]
    consents = [
        (c, c.is_active(on))
        for c in citizen.consents.select_related("given_by").prefetch_related("sectors")
    ]
    active_plan = (
        policy.visible_plans(request.user)
        .filter(members__citizen=citizen, status=Plan.Status.ACTIVE)
        .select_related("coordinator")
        .first()
    )
    context: dict[str, Any] = {
        "citizen": citizen,
        "active_plan": active_plan,
        "can_log_concern": policy.can_log_concern(request.user, citizen),
        "guardians": guardians,
        "siblings": siblings,
        "children": children,
        "linkable": linkable,
        "engagements": engagements,
        "consents": consents,
        "on": on,
    }
    return render(request, "citizens/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Register a citizen; the registering professional gets an engagement with them."""
    staff = policy.staff_for(request.user)
    if staff is None or not policy.can_register_citizen(request.user):
        raise PermissionDenied(_("Only front-line staff can register citizens."))
    units = (
        policy.visible_units(request.user).valid_on(today()).filter(unit_type__code="institution")
    )
    data = request.POST if request.method == "POST" else None
    form = RegisterCitizenForm(data, units=units)
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            citizen = do_register_citizen(
                cpr=cleaned["cpr"],
                first_name=cleaned["first_name"],
                last_name=cleaned["last_name"],
                municipality=staff.municipality,
                current_unit=cleaned["current_unit"],
                registered_by=staff,
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(
                request,
                _("%(name)s is registered, and you are engaged with them.")
                % {"name": citizen.full_name},
            )
            return redirect("citizens:detail", citizen_id=citizen.pk)
    return render(request, "citizens/register.html", {"form": form})
