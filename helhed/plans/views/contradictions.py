"""Pages: contradicting efforts in a plan, flagged and resolved in a network meeting.

A contradiction is part of its plan: whoever may open the plan on the
professionals' pages reads it (404 for everyone else, the read audited as
the plan's); the plan's coordinator and participants flag and resolve it
(403 for the other readers, and once the plan is closed).
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
from helhed.lib.views import query_without_page
from helhed.plans.actions import contradictions as actions
from helhed.plans.forms.contradictions import (
    ContradictionFilterForm,
    ContradictionForm,
    ResolveContradictionForm,
)
from helhed.plans.models import Contradiction, Plan

PER_PAGE = 25


def _may_change(request: HttpRequest, plan: Plan) -> None:
    if not policy.can_edit_plan(request.user, plan):
        if not plan.is_active:
            raise PermissionDenied(_("The plan is closed and can no longer be changed."))
        raise PermissionDenied(_("Only the plan's coordinator and participants can change it."))


@login_required
@require_GET
def contradiction_list(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan's contradictions, open first, searchable."""
    plan = policy.get_plan_for_staff(request.user, plan_id)
    filters = ContradictionFilterForm(request.GET)
    items = actions.search_contradictions(
        plan.contradictions.select_related("effort", "other_effort", "goal", "meeting"),
        filters.value("q"),
    )
    if filters.value("status"):
        items = items.filter(status=filters.value("status"))
    items = items.order_by("status", "-raised_on", "-pk")  # open before resolved
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "plan": plan,
        "page": page,
        "filters": filters,
        "querystring": query_without_page(request),
        "searched": bool(filters.value("q") or filters.value("status")),
        "can_flag": policy.can_flag_contradiction(request.user, plan),
        "next_meeting": actions.next_meeting(plan),
    }
    return render(request, "plans/contradiction_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contradiction_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Flag two efforts, or an effort and a goal, of the plan that work against each other."""
    plan = policy.get_plan_for_staff(request.user, plan_id)
    _may_change(request, plan)
    staff = policy.staff_or_404(request.user)
    form = ContradictionForm(request.POST if request.method == "POST" else None, plan=plan)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                found = actions.do_flag_contradiction(actor=staff, plan=plan, **form.cleaned_data)
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(
                    request, _("The contradiction is flagged for the next network meeting.")
                )
                return redirect("plans:contradiction_detail", contradiction_id=found.pk)
    context = {"plan": plan, "form": form}
    return render(request, "plans/contradiction_create.html", context, status=status)


def _detail(
    request: HttpRequest,
    contradiction: Contradiction,
    form: ResolveContradictionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    plan = contradiction.plan
    can_resolve = (
        contradiction.status == Contradiction.Status.OPEN
        and policy.can_resolve_contradiction(request.user, contradiction)
    )
    if can_resolve and form is None:
        upcoming = actions.next_meeting(plan)
        form = ResolveContradictionForm(
            meetings=actions.resolution_meetings(plan),
            initial={"meeting": upcoming.pk if upcoming else None},
        )
    context = {
        "plan": plan,
        "contradiction": contradiction,
        "can_resolve": can_resolve,
        "form": form,
        "next_meeting": actions.next_meeting(plan),
    }
    return render(request, "plans/contradiction_detail.html", context, status=status)


@login_required
@require_GET
def contradiction_detail(request: HttpRequest, contradiction_id: int) -> HttpResponse:
    policy.staff_or_404(request.user)
    return _detail(request, policy.get_contradiction_for_user(request.user, contradiction_id))


@login_required
@require_POST
def contradiction_resolve(request: HttpRequest, contradiction_id: int) -> HttpResponse:
    """Record how the contradiction was resolved, in a network meeting of the plan."""
    staff = policy.staff_or_404(request.user)
    contradiction = policy.get_contradiction_for_user(request.user, contradiction_id)
    if not policy.can_resolve_contradiction(request.user, contradiction):
        _may_change(request, contradiction.plan)
    form = ResolveContradictionForm(
        request.POST, meetings=actions.resolution_meetings(contradiction.plan)
    )
    if form.is_valid():
        try:
            actions.do_resolve_contradiction(
                actor=staff, contradiction=contradiction, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("The contradiction is resolved."))
            return redirect("plans:contradiction_detail", contradiction_id=contradiction.pk)
    return _detail(request, contradiction, form, status=422)


urlpatterns: list[URLPattern] = [
    path("plans/<int:plan_id>/contradictions/", contradiction_list, name="contradiction_list"),
    path(
        "plans/<int:plan_id>/contradictions/new/",
        contradiction_create,
        name="contradiction_create",
    ),
    path(
        "contradictions/<int:contradiction_id>/",
        contradiction_detail,
        name="contradiction_detail",
    ),
    path(
        "contradictions/<int:contradiction_id>/resolve/",
        contradiction_resolve,
        name="contradiction_resolve",
    ),
]
