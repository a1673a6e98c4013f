"""Pages for shared principles across silos and the library of common methods.

Every staff member of the municipality reads both libraries
(``policy.visible_principles``, ``visible_methods``; 404 outside it). A leader
writes a principle, its owner edits it until a unit signs, and a unit signs
through its own leader (``can_sign_principle``: a leader above gets 403).
Leaders and analysts keep the method library (``can_manage_methods``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helhed import policy
from helhed.leadership.actions import principles as actions
from helhed.leadership.forms.principles import (
    MethodFilterForm,
    MethodForm,
    PrincipleFilterForm,
    PrincipleForm,
    SignForm,
)
from helhed.leadership.models import Principle
from helhed.lib.validity import today
from helhed.lib.views import parse_id
from helhed.organisation.models import Staff, Unit, UnitQuerySet

PER_PAGE = 25


def _owners(request: HttpRequest) -> QuerySet[Staff]:
    return policy.visible_staff(request.user).order_by("first_name", "last_name", "pk")


def _units(request: HttpRequest) -> UnitQuerySet:
    return policy.visible_units(request.user).valid_on(today()).order_by("path")


# --------------------------------------------------------------------------- principles


@login_required
@require_GET
def principle_list(request: HttpRequest) -> HttpResponse:
    """The library of principles; those past their review date are flagged."""
    policy.staff_with_role_or_404(request.user)
    filters = PrincipleFilterForm(request.GET)
    query, past_only = "", False
    if filters.is_valid():
        query = filters.cleaned_data["q"].strip()
        past_only = filters.cleaned_data["past_review"]
    principles = policy.visible_principles(request.user)
    for word in query.split():
        principles = principles.filter(
            Q(title__icontains=word)
            | Q(situation__icontains=word)
            | Q(who_does_what__icontains=word)
        )
    if past_only:
        principles = principles.filter(review_on__lt=today())
    principles = (
        principles.select_related("owner")
        .annotate(signed_by_units=Count("signatures"))
        .order_by("title", "pk")
    )
    page = Paginator(principles, PER_PAGE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "page": page,
        "filters": filters,
        "query": query,
        "past_only": past_only,
        "today": today(),
        "can_create": policy.can_create_principle(request.user),
    }
    return render(request, "leadership/principle_list.html", context)


def _principle_form_page(
    request: HttpRequest,
    form: PrincipleForm,
    *,
    principle: Principle | None,
    status: int,
    source: Principle | None = None,
) -> HttpResponse:
    context = {"form": form, "principle": principle, "source": source}
    return render(request, "leadership/principle_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def principle_create(request: HttpRequest) -> HttpResponse:
    """Write a principle; ``?from=<id>`` starts from an existing one (a new version)."""
    staff = policy.staff_with_role_or_404(request.user)
    if not policy.can_create_principle(request.user):
        raise PermissionDenied(_("Only leaders write shared principles."))
    source = None
    raw = request.GET.get("from", "")
    if raw:
        principle_id = parse_id(raw)
        if principle_id is None:
            raise Http404("No such principle")
        source = policy.get_principle_for_user(request.user, principle_id)
    initial: dict[str, Any] = {"owner": staff.pk}
    if source is not None:
        initial.update(
            title=source.title, situation=source.situation, who_does_what=source.who_does_what
        )
    form = PrincipleForm(
        request.POST if request.method == "POST" else None,
        owners=_owners(request),
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                principle = actions.do_create_principle(actor=staff, **form.cleaned_data)
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The principle is written. Ask the units to sign it."))
                return redirect("leadership:principle", principle_id=principle.pk)
    return _principle_form_page(request, form, principle=None, status=status, source=source)


def _detail_context(request: HttpRequest, principle: Principle) -> dict[str, Any]:
    signatures = list(principle.signatures.select_related("unit", "signed_by"))
    signed_ids = {s.unit_id for s in signatures}
    may_sign = [u for u in policy.signing_units(request.user) if u.pk not in signed_ids]
    return {
        "principle": principle,
        "signatures": signatures,
        "may_sign": may_sign,
        "past_review": principle.is_past_review(),
        "can_edit": policy.can_edit_principle(request.user, principle) and not signatures,
        "can_create": policy.can_create_principle(request.user),
    }


@login_required
@require_GET
def principle_detail(request: HttpRequest, principle_id: int) -> HttpResponse:
    """One principle: the text, the units that signed, and a button for the user's units."""
    principle = policy.get_principle_for_user(request.user, principle_id)
    return render(request, "leadership/principle_detail.html", _detail_context(request, principle))


@login_required
@require_POST
def principle_sign(request: HttpRequest, principle_id: int) -> HttpResponse:
    """Sign on behalf of a unit the user leads (``unit`` in the form)."""
    staff = policy.staff_with_role_or_404(request.user)
    principle = policy.get_principle_for_user(request.user, principle_id)
    form = SignForm(request.POST)
    error = ""
    if not form.is_valid():
        error = _("Choose the unit to sign for.")
    else:
        unit = policy.get_unit_for_user(request.user, form.cleaned_data["unit"])
        if not policy.can_sign_principle(request.user, unit):
            raise PermissionDenied(_("Only the unit's own leader signs on its behalf."))
        try:
            actions.do_sign_principle(actor=staff, principle=principle, unit=unit)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("%(unit)s has signed the principle.") % {"unit": unit.name})
            return redirect("leadership:principle", principle_id=principle.pk)
    context = _detail_context(request, principle)
    context["sign_error"] = error
    return render(request, "leadership/principle_detail.html", context, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def principle_edit(request: HttpRequest, principle_id: int) -> HttpResponse:
    """Change a principle's text, by its owner, until a unit has signed it."""
    staff = policy.staff_with_role_or_404(request.user)
    principle = policy.get_principle_for_user(request.user, principle_id)
    if not policy.can_edit_principle(request.user, principle):
        raise PermissionDenied(_("Only the principle's owner changes it."))
    if request.method == "GET" and principle.signatures.exists():
        messages.info(
            request,
            _("Units have signed this principle. Write a new version and ask them to sign that."),
        )
        return redirect("leadership:principle", principle_id=principle.pk)
    form = PrincipleForm(
        request.POST if request.method == "POST" else None,
        owners=_owners(request),
        initial={
            "title": principle.title,
            "situation": principle.situation,
            "who_does_what": principle.who_does_what,
            "owner": principle.owner_id,
            "review_on": principle.review_on,
        },
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                actions.do_edit_principle(actor=staff, principle=principle, **form.cleaned_data)
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The principle is saved."))
                return redirect("leadership:principle", principle_id=principle.pk)
    return _principle_form_page(request, form, principle=principle, status=status)


# --------------------------------------------------------------------------- methods


@login_required
@require_GET
def method_list(request: HttpRequest) -> HttpResponse:
    """The method library, with how many units use each method."""
    policy.staff_with_role_or_404(request.user)
    filters = MethodFilterForm(request.GET)
    query, evidence = "", ""
    if filters.is_valid():
        query = filters.cleaned_data["q"].strip()
        evidence = filters.cleaned_data["evidence"]
    methods = policy.visible_methods(request.user)
    for word in query.split():
        methods = methods.filter(
            Q(name__icontains=word)
            | Q(description__icontains=word)
            | Q(research_basis__icontains=word)
        )
    if evidence:
        methods = methods.filter(evidence=evidence)
    methods = methods.annotate(unit_count=Count("units", distinct=True)).order_by("name", "pk")
    page = Paginator(methods, PER_PAGE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "page": page,
        "filters": filters,
        "query": query,
        "evidence": evidence,
        "can_manage": policy.can_manage_methods(request.user),
    }
    return render(request, "leadership/method_list.html", context)


@login_required
@require_GET
def method_detail(request: HttpRequest, method_id: int) -> HttpResponse:
    """A method, its research basis and where it is used: units and counts of active efforts."""
    method = policy.get_method_for_user(request.user, method_id)
    context = {
        "method": method,
        "units": method.units.order_by("path"),
        "usage": actions.method_usage(method),
        "can_manage": policy.can_manage_methods(request.user),
    }
    return render(request, "leadership/method_detail.html", context)


def _method_arguments(cleaned: dict[str, Any]) -> dict[str, Any]:
    return {**cleaned, "units": list(cleaned["units"])}


@login_required
@require_http_methods(["GET", "POST"])
def method_create(request: HttpRequest) -> HttpResponse:
    """Register a method in the library."""
    staff = policy.staff_with_role_or_404(request.user)
    if not policy.can_manage_methods(request.user):
        raise PermissionDenied(_("Only leaders and analysts keep the method library."))
    form = MethodForm(request.POST if request.method == "POST" else None, units=_units(request))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                method = actions.do_register_method(
                    actor=staff, **_method_arguments(form.cleaned_data)
                )
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The method is in the library."))
                return redirect("leadership:method", method_id=method.pk)
    return render(
        request, "leadership/method_form.html", {"form": form, "method": None}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def method_edit(request: HttpRequest, method_id: int) -> HttpResponse:
    """Change a method's entry and the units that use it."""
    staff = policy.staff_with_role_or_404(request.user)
    method = policy.get_method_for_user(request.user, method_id)
    if not policy.can_manage_methods(request.user):
        raise PermissionDenied(_("Only leaders and analysts keep the method library."))
    units = _units(request) | Unit.objects.filter(pk__in=method.units.values("pk"))
    form = MethodForm(
        request.POST if request.method == "POST" else None,
        units=units.distinct().order_by("path"),
        initial={
            "name": method.name,
            "description": method.description,
            "research_basis": method.research_basis,
            "evidence": method.evidence,
            "link": method.link,
            "units": [u.pk for u in method.units.all()],
        },
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                actions.do_edit_method(
                    actor=staff, method=method, **_method_arguments(form.cleaned_data)
                )
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The method is saved."))
                return redirect("leadership:method", method_id=method.pk)
    return render(
        request, "leadership/method_form.html", {"form": form, "method": method}, status=status
    )


urlpatterns: list[URLPattern] = [
    path("principles/", principle_list, name="principles"),
    path("principles/new/", principle_create, name="principle_create"),
    path("principles/<int:principle_id>/", principle_detail, name="principle"),
    path("principles/<int:principle_id>/sign/", principle_sign, name="principle_sign"),
    path("principles/<int:principle_id>/edit/", principle_edit, name="principle_edit"),
    path("methods/", method_list, name="methods"),
    path("methods/new/", method_create, name="method_create"),
    path("methods/<int:method_id>/", method_detail, name="method"),
    path("methods/<int:method_id>/edit/", method_edit, name="method_edit"),
]
