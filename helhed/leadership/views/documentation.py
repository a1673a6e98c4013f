"""Pages of the documentation register: requirements, who uses their data, and dropping them.

Every staff member of the municipality reads the register and may record a
use of data (``policy.can_record_data_use``); leaders and analysts register
requirements; a leader of the owning unit or above drops one
(``policy.can_drop_requirement``, 403 for others, 404 outside the
municipality). The indicators of the results catalogue are listed with their
uses in the same way: one nobody uses is "nice to know".
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helhed import policy
from helhed.leadership.actions.documentation import (
    by_cost,
    do_drop_requirement,
    do_end_data_use,
    do_record_data_use,
    do_register_requirement,
    documentation_totals,
    indicators_with_use_flags,
    is_nice_to_know,
    with_flags,
)
from helhed.leadership.forms.documentation import (
    DataUseForm,
    DropForm,
    EndUseForm,
    IndicatorUseFilterForm,
    RequirementFilterForm,
    RequirementForm,
)
from helhed.leadership.models import DataUse, DocumentationRequirement
from helhed.lib.validity import today
from helhed.lib.views import query_without_page
from helhed.results.models import Indicator

PER_PAGE = 25
INVALID = 422


def _filtered(
    requirements: QuerySet[DocumentationRequirement], form: RequirementFilterForm
) -> QuerySet[DocumentationRequirement]:
    requirements = with_flags(requirements)
    if not form.is_valid():
        return requirements.order_by("title", "pk")
    data = form.cleaned_data
    for word in data["q"].split():
        requirements = requirements.filter(
            Q(title__icontains=word)
            | Q(purpose__icontains=word)
            | Q(system__icontains=word)
            | Q(legal_basis__icontains=word)
            | Q(owning_unit__name__icontains=word)
        )
    if data["status"]:
        requirements = requirements.filter(status=data["status"])
    if data["kind"]:
        requirements = requirements.filter(kind=data["kind"])
    if data["nice"]:
        requirements = requirements.filter(nice_to_know=True)
    if data["order"] == "hours":
        return by_cost(requirements)
    return requirements.order_by("title", "pk")


@login_required
@require_GET
def requirement_list(request: HttpRequest) -> HttpResponse:
    """The register, with what it costs a year and what is "nice to know" at the top."""
    staff = policy.staff_with_role_or_404(request.user)
    form = RequirementFilterForm(request.GET)
    requirements = _filtered(policy.visible_requirements(request.user), form).select_related(
        "owning_unit", "owner"
    )
    page = Paginator(requirements, PER_PAGE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "page": page,
        "form": form,
        "query": query_without_page(request),
        "totals": documentation_totals(staff.municipality),
        "can_register": policy.can_register_requirement(request.user),
        "filtered": form.is_valid() and any(form.cleaned_data.values()),
    }
    return render(request, "leadership/documentation_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def requirement_create(request: HttpRequest) -> HttpResponse:
    """Register a requirement (leaders and analysts)."""
    staff = policy.staff_with_role_or_404(request.user)
    if not policy.can_register_requirement(request.user):
        raise PermissionDenied(_("Only leaders and analysts register documentation requirements."))
    form = RequirementForm(
        request.POST if request.method == "POST" else None,
        staff=policy.visible_staff(request.user).order_by("first_name", "last_name", "pk"),
        units=policy.visible_units(request.user).valid_on(today()).order_by("path"),
        initial={"owner": staff.pk},
    )
    status = 200
    if request.method == "POST":
        status = INVALID
        if form.is_valid():
            try:
                requirement = do_register_requirement(actor=staff, **form.cleaned_data)
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The requirement is registered."))
                return redirect("leadership:requirement", requirement_id=requirement.pk)
    return render(request, "leadership/documentation_create.html", {"form": form}, status=status)


def _detail_context(
    request: HttpRequest,
    requirement: DocumentationRequirement,
    *,
    use_form: DataUseForm | None = None,
    drop_form: DropForm | None = None,
) -> dict[str, Any]:
    uses = list(requirement.uses.select_related("recorded_by").order_by("ended_on", "-recorded_on"))
    can_drop = policy.can_drop_requirement(request.user, requirement)
    can_use = (
        policy.can_record_data_use(request.user)
        and requirement.status == DocumentationRequirement.Status.ACTIVE
    )
    return {
        "requirement": requirement,
        "units": requirement.units.order_by("path"),
        "uses": [(use, use.in_force(), policy.can_end_data_use(request.user, use)) for use in uses],
        "nice_to_know": is_nice_to_know(requirement),
        "can_drop": can_drop,
        "drop_form": drop_form or (DropForm() if can_drop else None),
        "use_form": use_form or (DataUseForm() if can_use else None),
    }


@login_required
@require_GET
def requirement_detail(request: HttpRequest, requirement_id: int) -> HttpResponse:
    """One requirement: its purpose, cost, who uses the data, and the drop form for its leaders."""
    requirement = policy.get_requirement_for_user(request.user, requirement_id)
    return render(
        request, "leadership/documentation_detail.html", _detail_context(request, requirement)
    )


@login_required
@require_POST
def requirement_drop(request: HttpRequest, requirement_id: int) -> HttpResponse:
    """Drop a requirement with a reason; its hours count as saved from today."""
    requirement = policy.get_requirement_for_user(request.user, requirement_id)
    if not policy.can_drop_requirement(request.user, requirement):
        raise PermissionDenied(
            _("Only a leader of the owning unit, or above it, drops a requirement in force.")
        )
    form = DropForm(request.POST)
    if form.is_valid():
        try:
            do_drop_requirement(
                actor=policy.staff_with_role_or_404(request.user),
                requirement=requirement,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("The requirement is dropped; its hours count as saved."))
            return redirect("leadership:requirement", requirement_id=requirement.pk)
    context = _detail_context(request, requirement, drop_form=form)
    return render(request, "leadership/documentation_detail.html", context, status=INVALID)


def _record_use(
    request: HttpRequest,
    *,
    requirement: DocumentationRequirement | None = None,
    indicator: Indicator | None = None,
) -> HttpResponse:
    """The record-use form for a requirement or an indicator, shared by both pages."""
    staff = policy.staff_with_role_or_404(request.user)
    if not policy.can_record_data_use(request.user):
        raise PermissionDenied(_("Only staff of the municipality record uses of data."))
    form = DataUseForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = INVALID
        if form.is_valid():
            try:
                do_record_data_use(
                    actor=staff, requirement=requirement, indicator=indicator, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The use is recorded."))
                if requirement is not None:
                    return redirect("leadership:requirement", requirement_id=requirement.pk)
                return redirect(reverse("leadership:documentation_indicators") + _back(indicator))
    context = {"form": form, "requirement": requirement, "indicator": indicator}
    return render(request, "leadership/documentation_use_form.html", context, status=status)


def _back(indicator: Indicator | None) -> str:
    return f"#indicator-{indicator.pk}" if indicator is not None else ""


@login_required
@require_http_methods(["GET", "POST"])
def requirement_use(request: HttpRequest, requirement_id: int) -> HttpResponse:
    """Record who uses the requirement's data, and for what."""
    requirement = policy.get_requirement_for_user(request.user, requirement_id)
    return _record_use(request, requirement=requirement)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_use(request: HttpRequest, indicator_id: int) -> HttpResponse:
    """Record who uses an indicator of the results catalogue, and for what."""
    indicator = policy.get_documentation_indicator_for_user(request.user, indicator_id)
    return _record_use(request, indicator=indicator)


@login_required
@require_http_methods(["GET", "POST"])
def use_end(request: HttpRequest, use_id: int) -> HttpResponse:
    """Record the day a use ends ("no longer used from"); the use stays on record."""
    staff = policy.staff_with_role_or_404(request.user)
    use = policy.get_data_use_for_user(request.user, use_id)
    if not policy.can_end_data_use(request.user, use):
        raise PermissionDenied(
            _("Only whoever recorded the use, an analyst or a leader above can end it.")
        )
    form = EndUseForm(
        request.POST if request.method == "POST" else None, initial={"ended_on": today()}
    )
    status = 200
    if request.method == "POST":
        status = INVALID
        if form.is_valid():
            try:
                do_end_data_use(actor=staff, use=use, ended_on=form.cleaned_data["ended_on"])
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The use is ended."))
                if use.requirement_id is not None:
                    return redirect("leadership:requirement", requirement_id=use.requirement_id)
                return redirect(
                    reverse("leadership:documentation_indicators") + _back(use.indicator)
                )
    context = {"form": form, "use": use}
    return render(request, "leadership/documentation_use_end.html", context, status=status)


@login_required
@require_GET
def indicator_list(request: HttpRequest) -> HttpResponse:
    """The results catalogue's indicators with their uses; unused ones are "nice to know"."""
    policy.staff_with_role_or_404(request.user)
    form = IndicatorUseFilterForm(request.GET)
    indicators = indicators_with_use_flags(policy.documentation_indicators(request.user))
    if form.is_valid():
        for word in form.cleaned_data["q"].split():
            indicators = indicators.filter(Q(name__icontains=word) | Q(code__icontains=word))
        if form.cleaned_data["nice"]:
            indicators = indicators.filter(nice_to_know=True)
    indicators = indicators.prefetch_related(
        Prefetch(
            "uses",
            queryset=DataUse.objects.select_related("recorded_by").order_by(
                "ended_on", "-recorded_on"
            ),
        )
    ).order_by("-is_active", "name", "pk")
    page = Paginator(indicators, PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        (
            indicator,
            [
                (use, use.in_force(), policy.can_end_data_use(request.user, use))
                for use in indicator.uses.all()
            ],
        )
        for indicator in page
    ]
    context: dict[str, Any] = {
        "page": page,
        "rows": rows,
        "form": form,
        "query": query_without_page(request),
        "can_record": policy.can_record_data_use(request.user),
        "filtered": form.is_valid() and any(form.cleaned_data.values()),
    }
    return render(request, "leadership/documentation_indicators.html", context)


urlpatterns: list[URLPattern] = [
    path("documentation/", requirement_list, name="documentation"),
    path("documentation/new/", requirement_create, name="requirement_create"),
    path("documentation/<int:requirement_id>/", requirement_detail, name="requirement"),
    path("documentation/<int:requirement_id>/drop/", requirement_drop, name="requirement_drop"),
    path("documentation/<int:requirement_id>/uses/new/", requirement_use, name="requirement_use"),
    path("documentation/uses/<int:use_id>/end/", use_end, name="use_end"),
    path("documentation/indicators/", indicator_list, name="documentation_indicators"),
    path(
        "documentation/indicators/<int:indicator_id>/uses/new/",
        indicator_use,
        name="indicator_use",
    ),
]
