"""Handover pages: my units' handovers, starting one, one handover with its checklist and answer.

Who sees a handover is decided by ``helhed.policy``: the lists start from
``visible_handovers`` and every page for one handover from
``get_handover_for_user`` (404 otherwise, the read logged). Only staff of the
receiving unit accept or return it (403 for the rest); staff of either unit
tick its checklist while it is pending. The leaders' list of overdue
handovers (``led_overdue_handovers``) shows rows without the citizen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helhed import policy
from helhed.audit import codes, trail
from helhed.citizens.models import Citizen
from helhed.lib.validity import today
from helhed.lib.views import parse_id, query_without_page
from helhed.organisation.models import Staff
from helhed.plans.actions import handovers as actions
from helhed.plans.forms.handovers import (
    AddItemForm,
    HandoverFilterForm,
    HandoverForm,
    ReturnHandoverForm,
)
from helhed.plans.models import Handover, HandoverItem, Plan

HANDOVERS_PER_PAGE = 25
BOXES = ("all", "sent", "incoming", "overdue")


def _staff(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None:
        raise PermissionDenied(_("Only staff work with handovers."))
    return staff


def _mine(request: HttpRequest, staff: Staff) -> dict[str, QuerySet[Handover]]:
    """The user's handovers by box: sent from my units or by me, incoming to my units."""
    units = policy.staff_units(request.user)
    visible = policy.visible_handovers(request.user)
    sent = visible.filter(Q(created_by=staff) | Q(from_unit__in=units))
    incoming = visible.filter(to_unit__in=units)
    both = visible.filter(Q(pk__in=sent.values("pk")) | Q(pk__in=incoming.values("pk")))
    overdue = both.filter(status=Handover.Status.PENDING, deadline__lt=today())
    return {"all": both, "sent": sent, "incoming": incoming, "overdue": overdue}


@login_required
@require_GET
def handover_list(request: HttpRequest) -> HttpResponse:
    """Handovers from and to the user's units: search, kind and status, pending first."""
    staff = _staff(request)
    boxes = _mine(request, staff)
    box = request.GET.get("box", "")
    box = box if box in BOXES else "all"
    filters = HandoverFilterForm(request.GET)
    rows = actions.search_handovers(boxes[box], filters.value("q"))
    for name in ("kind", "status"):
        if filters.value(name):
            rows = rows.filter(**{name: filters.value(name)})
    rows = (
        rows.annotate(
            pending_rank=Case(
                When(status=Handover.Status.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .select_related("citizen", "from_unit", "to_unit")
        .order_by("pending_rank", "deadline", "-pk")
    )
    page = Paginator(rows, HANDOVERS_PER_PAGE).get_page(request.GET.get("page"))
    searched = bool(filters.value("q"))
    trail.log_list(
        request.user,
        [h.citizen_id for h in page],
        what="plans:handovers",
        action=codes.SEARCH if searched else codes.LIST,
    )
    on = today()
    context: dict[str, Any] = {
        "page": page,
        "rows": [(h, actions.days_overdue(h, on)) for h in page],
        "box": box,
        "filters": filters,
        "querystring": query_without_page(request),
        "searched": searched or bool(filters.value("kind") or filters.value("status")),
        "counts": {
            "incoming": boxes["incoming"].filter(status=Handover.Status.PENDING).count(),
            "overdue": boxes["overdue"].count(),
        },
        "leads": policy.is_leader(request.user),
    }
    return render(request, "plans/handover_list.html", context)


@login_required
@require_GET
def handover_overdue(request: HttpRequest) -> HttpResponse:
    """The leader's list: overdue handovers their units are responsible for, without names."""
    _staff(request)
    if not policy.is_leader(request.user):
        raise PermissionDenied(_("The list of overdue handovers is for leaders."))
    on = today()
    visible = policy.visible_handovers(request.user).filter(pk=OuterRef("pk"))
    rows = (
        policy.led_overdue_handovers(request.user, on)
        .annotate(openable=Exists(visible))
        .select_related("from_unit", "to_unit")
        .order_by("deadline", "pk")
    )
    page = Paginator(rows, HANDOVERS_PER_PAGE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "page": page,
        "rows": [(h, actions.days_overdue(h, on)) for h in page],
        "querystring": "",
    }
    return render(request, "plans/handover_overdue.html", context)


def _create_scope(request: HttpRequest) -> tuple[QuerySet[Citizen], Plan | None]:
    """The citizens a new handover may be about, from ``?citizen=`` or ``?plan=`` (404 else)."""
    citizen_id = parse_id(request.GET.get("citizen", ""))
    plan_id = parse_id(request.GET.get("plan", ""))
    if citizen_id is not None:
        citizen = policy.get_citizen_for_user(request.user, citizen_id)
        plan = (
            policy.visible_plans(request.user)
            .filter(members__citizen=citizen, status=Plan.Status.ACTIVE)
            .first()
        )
        return Citizen.objects.filter(pk=citizen.pk), plan
    if plan_id is not None:
        found = policy.get_plan_for_staff(request.user, plan_id)
        citizens = policy.visible_citizens(request.user).filter(plan_memberships__plan=found)
        return citizens.order_by("first_name", "last_name"), found
    raise Http404("No such citizen")


@login_required
@require_http_methods(["GET", "POST"])
def handover_create(request: HttpRequest) -> HttpResponse:
    """Start a handover of a citizen the user works with, from one of the user's units."""
    citizens, plan = _create_scope(request)
    staff = _staff(request)
    if not citizens.exists():
        raise PermissionDenied(_("You can hand over only citizens you work with."))
    on = today()
    from_units = policy.handover_units(request.user)
    if not from_units.exists():
        raise PermissionDenied(_("You hold no role in a unit that could hand over."))
    to_units = (
        policy.visible_units(request.user)
        .valid_on(on)
        .filter(municipality_id=staff.municipality_id, unit_type__level__gte=3)
    )
    first = citizens.first()
    data = request.POST if request.method == "POST" else None
    form = HandoverForm(
        data,
        citizens=citizens,
        from_units=from_units,
        to_units=to_units,
        initial={"citizen": first.pk if first else None},
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            cleaned = form.cleaned_data
            try:
                handover = actions.do_start_handover(
                    actor=staff,
                    citizen=cleaned["citizen"],
                    kind=cleaned["kind"],
                    from_unit=cleaned["from_unit"],
                    to_unit=cleaned["to_unit"],
                    deadline=cleaned["deadline"],
                    note=cleaned["note"],
                    items=form.points(),
                    plan=plan,
                )
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(
                    request,
                    _(
                        "The handover to %(unit)s is sent; your unit is responsible until it is "
                        "accepted."
                    )
                    % {"unit": handover.to_unit.name},
                )
                return redirect("plans:handover_detail", handover_id=handover.pk)
    context: dict[str, Any] = {
        "form": form,
        "citizen": first if citizens.count() == 1 else None,
        "plan": plan,
        "checklists": [
            (label, actions.DEFAULT_CHECKLISTS.get(value, []))
            for value, label in Handover.Kind.choices
        ],
    }
    return render(request, "plans/handover_create.html", context, status=status)


def _render_detail(
    request: HttpRequest,
    handover: Handover,
    *,
    status: int = 200,
    return_form: ReturnHandoverForm | None = None,
    item_form: AddItemForm | None = None,
    error: ValidationError | None = None,
) -> HttpResponse:
    items = list(handover.items.select_related("done_by"))
    context: dict[str, Any] = {
        "handover": handover,
        "items": items,
        "done_count": sum(1 for i in items if i.done_on is not None),
        "overdue": handover.is_overdue(),
        "days_overdue": actions.days_overdue(handover),
        "citizen_page": policy.can_view_citizen(request.user, handover.citizen),
        "plan_link": handover.plan is not None
        and policy.can_view_plan(request.user, handover.plan),
        "can_decide": policy.can_decide_handover(request.user, handover),
        "can_work": policy.can_work_on_handover(request.user, handover),
        "return_form": return_form or ReturnHandoverForm(),
        "item_form": item_form or AddItemForm(),
        "errors": error.messages if error is not None else [],
    }
    return render(request, "plans/handover_detail.html", context, status=status)


@login_required
@require_GET
def handover_detail(request: HttpRequest, handover_id: int) -> HttpResponse:
    """One handover: who, from where to where, the deadline, the checklist and the answer."""
    return _render_detail(request, policy.get_handover_for_user(request.user, handover_id))


def _change(
    request: HttpRequest,
    handover_id: int,
    change: Callable[[Staff, Handover], object],
    done: str,
) -> HttpResponse:
    """Run one change of a handover the user can see; a rule broken re-shows the page (422)."""
    handover = policy.get_handover_for_user(request.user, handover_id)
    staff = _staff(request)
    try:
        change(staff, handover)
    except ValidationError as exc:
        handover.refresh_from_db()
        return _render_detail(request, handover, status=422, error=exc)
    messages.success(request, done)
    return redirect("plans:handover_detail", handover_id=handover.pk)


@login_required
@require_POST
def handover_accept(request: HttpRequest, handover_id: int) -> HttpResponse:
    return _change(
        request,
        handover_id,
        lambda staff, h: actions.do_accept_handover(actor=staff, handover=h),
        _("The handover is accepted: your unit now holds the responsibility."),
    )


@login_required
@require_POST
def handover_return(request: HttpRequest, handover_id: int) -> HttpResponse:
    handover = policy.get_handover_for_user(request.user, handover_id)
    staff = _staff(request)
    if not policy.decides_handover_at(request.user, handover):
        raise PermissionDenied(_("Only staff of the receiving unit accept or return a handover."))
    form = ReturnHandoverForm(request.POST)
    if form.is_valid():
        try:
            actions.do_return_handover(
                actor=staff, handover=handover, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            handover.refresh_from_db()
            if hasattr(exc, "error_dict"):
                form.add_action_errors(exc)
                return _render_detail(request, handover, status=422, return_form=form)
            return _render_detail(request, handover, status=422, return_form=form, error=exc)
        messages.success(
            request, _("The handover is returned; the sender keeps the responsibility.")
        )
        return redirect("plans:handover_detail", handover_id=handover.pk)
    return _render_detail(request, handover, status=422, return_form=form)


@login_required
@require_POST
def handover_add_item(request: HttpRequest, handover_id: int) -> HttpResponse:
    handover = policy.get_handover_for_user(request.user, handover_id)
    staff = _staff(request)
    if not policy.can_work_on_handover(request.user, handover) and (
        handover.status == Handover.Status.PENDING
    ):
        raise PermissionDenied(_("Only staff of the two units change the checklist."))
    form = AddItemForm(request.POST)
    if form.is_valid():
        try:
            actions.do_add_handover_item(
                actor=staff, handover=handover, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            handover.refresh_from_db()
            if hasattr(exc, "error_dict"):
                form.add_action_errors(exc)
                return _render_detail(request, handover, status=422, item_form=form)
            return _render_detail(request, handover, status=422, item_form=form, error=exc)
        messages.success(request, _("The point is added to the checklist."))
        return redirect("plans:handover_detail", handover_id=handover.pk)
    return _render_detail(request, handover, status=422, item_form=form)


@login_required
@require_POST
def handover_tick(request: HttpRequest, handover_id: int, item_id: int) -> HttpResponse:
    """Tick a checklist point (``done=0`` in the form takes the tick back)."""
    handover = policy.get_handover_for_user(request.user, handover_id)
    item = get_object_or_404(HandoverItem, pk=item_id, handover=handover)
    done = request.POST.get("done", "1") != "0"
    return _change(
        request,
        handover.pk,
        lambda staff, h: actions.do_tick_handover_item(actor=staff, item=item, done=done),
        _("The checklist is updated."),
    )


urlpatterns: list[URLPattern] = [
    path("handovers/", handover_list, name="handovers"),
    path("handovers/overdue/", handover_overdue, name="handovers_overdue"),
    path("handovers/new/", handover_create, name="handover_create"),
    path("handovers/<int:handover_id>/", handover_detail, name="handover_detail"),
    path("handovers/<int:handover_id>/accept/", handover_accept, name="handover_accept"),
    path("handovers/<int:handover_id>/return/", handover_return, name="handover_return"),
    path("handovers/<int:handover_id>/items/", handover_add_item, name="handover_add_item"),
    path(
        "handovers/<int:handover_id>/items/<int:item_id>/tick/",
        handover_tick,
        name="handover_tick",
    ),
]
