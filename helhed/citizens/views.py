"""Web pages for citizens: the list a professional works with, one citizen, registering one.

Who sees which citizen is decided by ``helhed.policy`` alone: the list starts
from ``visible_citizens`` and the detail page from ``get_citizen_for_user``.
The full CPR number appears only on the detail page. Every citizen named on a
page is in the audit log: the detail page through the policy getter, the
citizens of a list page (and the relatives named on a detail page) here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helhed import policy
from helhed.audit import codes, trail
from helhed.citizens.actions import (
    do_break_glass,
    do_record_consent,
    do_register_citizen,
    do_withdraw_consent,
)
from helhed.citizens.forms import (
    BreakGlassForm,
    RecordConsentForm,
    RegisterCitizenForm,
    WithdrawConsentForm,
)
from helhed.citizens.models import Citizen, Consent
from helhed.lib.htmx import wants_partial
from helhed.lib.validity import today
from helhed.organisation.models import Staff
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
    trail.log_list(
        request.user,
        [c.pk for c in page],
        what="citizens:list",
        action=codes.SEARCH if query else codes.LIST,
    )
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
    # The family is named on the page whether or not the user may open them.
    trail.log_list(request.user, relatives, what="citizens:detail")
    # Relatives are named, but linked only when the user may open their page.
    linkable = set(
        policy.visible_citizens(request.user).filter(pk__in=relatives).values_list("pk", flat=True)
    )
    on = today()
    engagements = [
        (e, e.is_valid_on(on))
        for e in citizen.engagements.select_related("staff", "unit").order_by("-valid_from")
    ]
    consents = [(c, c.is_active(on)) for c in _consents_of(citizen)]
    can_manage_consents = policy.can_manage_consents(request.user, citizen)
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
        "can_manage_consents": can_manage_consents,
        "consent_form": RecordConsentForm(citizen=citizen) if can_manage_consents else None,
        "emergency_only": policy.rests_on_emergency_access(request.user, citizen),
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


# --------------------------------------------------------------------------- consents


def _consents_of(citizen: Citizen) -> list[Consent]:
    """The citizen's consents, newest first, with how many engagements rest on each."""
    return list(
        citizen.consents.select_related("given_by")
        .prefetch_related("sectors")
        .annotate(engagement_count=Count("engagements"))
        .order_by("-given_on", "-pk")
    )


def _consent_staff_or_403(request: HttpRequest, citizen: Citizen) -> Staff:
    """The staff member who may record and withdraw the citizen's consents, else 403."""
    staff = policy.staff_for(request.user)
    if staff is None or not policy.can_manage_consents(request.user, citizen):
        raise PermissionDenied(
            _("Only front-line staff who work with the citizen can record or withdraw consents.")
        )
    return staff


def _after_withdrawal(request: HttpRequest, citizen: Citizen) -> HttpResponse:
    """Back to the citizen, unless the withdrawal closed the user's own access to them."""
    if policy.can_view_citizen(request.user, citizen):
        return redirect(reverse("citizens:detail", args=[citizen.pk]) + "#consents")
    messages.info(
        request, _("Your access to the citizen rested on this consent, so it is now closed.")
    )
    return redirect("citizens:list")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def consent_record(request: HttpRequest, citizen_id: int) -> HttpResponse:
    """Record a consent the citizen or a guardian gave (the form is also on the citizen page)."""
    citizen = policy.get_citizen_for_user(request.user, citizen_id)
    staff = _consent_staff_or_403(request, citizen)
    posted = request.method == "POST"
    form = RecordConsentForm(request.POST if posted else None, citizen=citizen)
    status = 400 if posted else 200
    if posted and form.is_valid():
        cleaned = form.cleaned_data
        try:
            do_record_consent(
                actor=staff,
                citizen=citizen,
                sectors=cleaned["sectors"],
                purpose=cleaned["purpose"],
                given_by=cleaned["given_by"],
                given_on=cleaned["given_on"],
                expires_on=cleaned["expires_on"],
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
            status = 422
        else:
            messages.success(request, _("The consent is recorded."))
            return redirect(reverse("citizens:detail", args=[citizen.pk]) + "#consents")
    # The form names the guardians who may give the consent, as the detail page names them.
    guardians = citizen.guardians().values_list("pk", flat=True)
    trail.log_list(request.user, guardians, what="citizens:consent_record")
    context = {"citizen": citizen, "form": form}
    return render(request, "citizens/consent_record.html", context, status=status)


@never_cache
@login_required
@require_POST
def consent_withdraw(request: HttpRequest, citizen_id: int, consent_id: int) -> HttpResponse:
    """Withdraw a consent on the family's word; the access resting on it closes at once."""
    citizen = policy.get_citizen_for_user(request.user, citizen_id)
    _consent_staff_or_403(request, citizen)
    consent = policy.get_consent_for_user(request.user, consent_id)
    if consent.citizen_id != citizen.pk:
        raise Http404("No such consent")
    form = WithdrawConsentForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            do_withdraw_consent(consent=consent, withdrawn_on=form.cleaned_data["withdrawn_on"])
        except ValidationError as exc:
            form.add_action_errors(exc)
            status = 422
        else:
            messages.success(
                request, _("The consent is withdrawn; access resting on it is closed.")
            )
            return _after_withdrawal(request, citizen)
    context = {"citizen": citizen, "consent": consent, "form": form, "on": today()}
    return render(request, "citizens/consent_withdraw.html", context, status=status)


def _family_citizen_or_404(request: HttpRequest) -> Citizen:
    """The family login's own citizen; 404 for staff and everyone else (as the family view)."""
    citizen = policy.family_citizen(request.user)
    if citizen is None:
        raise Http404("The family view is for families")
    return citizen


def _render_family_consents(
    request: HttpRequest, *, status: int = 200, error: ValidationError | None = None
) -> HttpResponse:
    citizen = _family_citizen_or_404(request)
    on = today()
    consents = list(
        policy.visible_consents(request.user)
        .select_related("citizen", "given_by")
        .prefetch_related("sectors")
        .order_by("citizen__birth_date", "-given_on", "-pk")
    )
    # Each consent names the citizen it is about and who gave it (a guardian, perhaps).
    named = [c.citizen_id for c in consents] + [c.given_by_id for c in consents]
    trail.log_list(request.user, named, what="citizens:family_consents")
    context: dict[str, Any] = {
        "citizen": citizen,
        "consents": [(c, c.is_active(on)) for c in consents],
        "errors": error.messages if error is not None else [],
        "on": on,
    }
    return render(request, "citizens/family_consents.html", context, status=status)


@never_cache
@login_required
@require_GET
def family_consents(request: HttpRequest) -> HttpResponse:
    """Your consents: those about you and the children in your care, with a way to withdraw."""
    return _render_family_consents(request)


@login_required
@require_POST
def family_consent_withdraw(request: HttpRequest, consent_id: int) -> HttpResponse:
    """A family withdraws a consent it gave or one about a child in its care, as of today."""
    _family_citizen_or_404(request)
    consent = policy.get_consent_for_user(request.user, consent_id)
    if not policy.may_withdraw_consent(request.user, consent):
        raise Http404("No such consent")
    try:
        do_withdraw_consent(consent=consent)
    except ValidationError as exc:
        return _render_family_consents(request, status=422, error=exc)
    messages.success(
        request,
        _("The consent is withdrawn. From today nobody can share data on the basis of it."),
    )
    return redirect("citizens:family_consents")


# --------------------------------------------------------------------------- break the glass


@never_cache  # the form is about a CPR number: no browser or proxy may keep it
@login_required
@require_http_methods(["GET", "POST"])
def emergency(request: HttpRequest) -> HttpResponse:
    """Break the glass: open a citizen of the municipality for the rest of today, on a reason.

    The CPR number is taken by POST only and never written back into the
    page, so it appears in no URL, log line or error page.
    """
    if policy.family_citizen(request.user) is not None:
        raise Http404("Emergency access is for staff")
    staff = policy.staff_for(request.user)
    if staff is None or not policy.can_break_glass(request.user):
        raise PermissionDenied(_("Only staff on call may open a citizen in an emergency."))
    posted = request.method == "POST"
    form = BreakGlassForm(request.POST if posted else None)
    if posted and form.is_valid():
        citizen = policy.find_citizen_for_break_glass(request.user, form.cleaned_data["cpr"])
        if citizen is None:
            form.add_error(
                "cpr", _("No citizen with this CPR number is registered in your municipality.")
            )
        else:
            try:
                do_break_glass(actor=staff, citizen=citizen, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.warning(
                    request,
                    _(
                        "You have emergency access to %(name)s for the rest of today. "
                        "Your leader reviews it."
                    )
                    % {"name": citizen.full_name},
                )
                return redirect("citizens:detail", citizen_id=citizen.pk)
    status = 400 if posted else 200
    return render(request, "citizens/emergency.html", {"form": form}, status=status)
