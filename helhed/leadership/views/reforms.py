"""Pages for the reforms by welfare area and the local decisions they leave.

The catalogue is national and read by every staff member
(``policy.visible_reforms``); the local decisions are the municipality's own
(``visible_local_decisions``: 404 outside it). A leader names who owns a
decision (``can_assign_local_decision``, 403 for others); its owner or a
leader of the owning unit or above moves it on (``can_update_local_decision``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from helhed import policy
from helhed.leadership.actions import reforms as actions
from helhed.leadership.forms.reforms import (
    LocalDecisionFilterForm,
    LocalDecisionForm,
    LocalDecisionUpdateForm,
    ReformFilterForm,
)
from helhed.leadership.models import LocalDecision, Reform
from helhed.lib.validity import today

PER_PAGE = 25


@login_required
@require_GET
def reform_list(request: HttpRequest) -> HttpResponse:
    """The reforms by welfare area, with the municipality's local decisions counted by status."""
    staff = policy.staff_with_role_or_404(request.user)
    filters = ReformFilterForm(request.GET)
    query, area = "", ""
    if filters.is_valid():
        query = filters.cleaned_data["q"].strip()
        area = filters.cleaned_data["area"]
    reforms = policy.visible_reforms(request.user)
    for word in query.split():
        reforms = reforms.filter(
            Q(name__icontains=word)
            | Q(summary__icontains=word)
            | Q(elements__title__icontains=word)
        )
    if area:
        reforms = reforms.filter(area=area)
    reforms = Reform.objects.filter(pk__in=reforms.values("pk")).order_by(
        "area", "in_force_from", "name"
    )
    page = Paginator(reforms, PER_PAGE).get_page(request.GET.get("page"))
    counts = actions.decision_counts(staff.municipality_id)
    rows = [
        {
            "reform": reform,
            "counts": [
                (label, counts[reform.pk][value] if reform.pk in counts else 0)
                for value, label in LocalDecision.Status.choices
            ],
        }
        for reform in page
    ]
    context: dict[str, Any] = {
        "page": page,
        "rows": rows,
        "filters": filters,
        "query": query,
        "area": area,
        "statuses": LocalDecision.Status.choices,
    }
    return render(request, "leadership/reform_list.html", context)


@login_required
@require_GET
def reform_detail(request: HttpRequest, reform_id: int) -> HttpResponse:
    """A reform's elements and, under each, the municipality's local decisions."""
    policy.staff_with_role_or_404(request.user)
    reform = policy.get_reform_for_user(request.user, reform_id)
    decisions = (
        policy.visible_local_decisions(request.user)
        .filter(element__reform=reform)
        .select_related("owner", "owning_unit")
        .order_by("due_on", "pk")
    )
    by_element: dict[int, list[LocalDecision]] = defaultdict(list)
    for decision in decisions:
        by_element[decision.element_id].append(decision)
    elements = [
        {"element": element, "decisions": by_element.get(element.pk, [])}
        for element in reform.elements.order_by("sort_order", "pk")
    ]
    context = {
        "reform": reform,
        "elements": elements,
        "today": today(),
        "can_assign": policy.can_assign_local_decision(request.user),
    }
    return render(request, "leadership/reform_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def local_decision_create(request: HttpRequest, element_id: int) -> HttpResponse:
    """Name who owns a decision the element leaves to the municipality."""
    staff = policy.staff_with_role_or_404(request.user)
    element = policy.get_reform_element_for_user(request.user, element_id)
    if not policy.can_assign_local_decision(request.user):
        raise PermissionDenied(_("Only leaders assign the decisions a reform leaves."))
    form = LocalDecisionForm(
        request.POST if request.method == "POST" else None,
        owners=policy.visible_staff(request.user).order_by("first_name", "last_name", "pk"),
        units=policy.visible_units(request.user).valid_on(today()).order_by("path"),
        initial={"owner": staff.pk, "title": element.title},
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                actions.do_create_local_decision(actor=staff, element=element, **form.cleaned_data)
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The local decision has an owner."))
                return redirect("leadership:reform", reform_id=element.reform_id)
    context = {"form": form, "element": element, "reform": element.reform}
    return render(request, "leadership/reform_decision_form.html", context, status=status)


@login_required
@require_GET
def local_decision_list(request: HttpRequest) -> HttpResponse:
    """The municipality's local decisions; overdue ones flagged; "mine" for the owner's own."""
    staff = policy.staff_with_role_or_404(request.user)
    filters = LocalDecisionFilterForm(request.GET)
    query, status, mine, overdue = "", "", False, False
    if filters.is_valid():
        query = filters.cleaned_data["q"].strip()
        status = filters.cleaned_data["status"]
        mine = filters.cleaned_data["mine"]
        overdue = filters.cleaned_data["overdue"]
    decisions = policy.visible_local_decisions(request.user)
    for word in query.split():
        decisions = decisions.filter(
            Q(title__icontains=word)
            | Q(element__title__icontains=word)
            | Q(element__reform__name__icontains=word)
        )
    if status:
        decisions = decisions.filter(status=status)
    if mine:
        decisions = decisions.filter(owner=staff)
    if overdue:
        decisions = decisions.filter(
            status__in=[LocalDecision.Status.OPEN, LocalDecision.Status.PREPARING],
            due_on__lt=today(),
        )
    decisions = decisions.select_related("element__reform", "owner", "owning_unit").order_by(
        "due_on", "pk"
    )
    page = Paginator(decisions, PER_PAGE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "page": page,
        "filters": filters,
        "query": query,
        "status": status,
        "mine": mine,
        "overdue": overdue,
        "today": today(),
    }
    return render(request, "leadership/reform_decision_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def local_decision_update(request: HttpRequest, decision_id: int) -> HttpResponse:
    """A local decision; its owner or a leader above moves it on (status, text, dates)."""
    staff = policy.staff_with_role_or_404(request.user)
    decision = policy.get_local_decision_for_user(request.user, decision_id)
    can_update = policy.can_update_local_decision(request.user, decision)
    if request.method == "POST" and not can_update:
        raise PermissionDenied(
            _("Only the decision's owner or a leader of its unit or above can change it.")
        )
    form = LocalDecisionUpdateForm(
        request.POST if request.method == "POST" else None,
        initial={
            "status": decision.status,
            "decision_text": decision.decision,
            "decided_on": decision.decided_on,
            "due_on": decision.due_on,
        },
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                actions.do_update_local_decision(
                    actor=staff, decision=decision, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The local decision is updated."))
                return redirect("leadership:reform", reform_id=decision.element.reform_id)
    context = {"form": form, "decision": decision, "can_update": can_update}
    return render(request, "leadership/reform_decision_update.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("reforms/", reform_list, name="reforms"),
    path("reforms/<int:reform_id>/", reform_detail, name="reform"),
    path(
        "reforms/elements/<int:element_id>/decide/",
        local_decision_create,
        name="local_decision_create",
    ),
    path("decisions/", local_decision_list, name="local_decisions"),
    path("decisions/<int:decision_id>/", local_decision_update, name="local_decision"),
]
