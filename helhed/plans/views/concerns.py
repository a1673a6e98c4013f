"""Web pages for early concerns: my lists, logging one, following it up and escalating it.

Who sees what is decided by ``helhed.policy``: a concern is opened only by
whoever raised it and its follow-up owner (404 for everyone else, so ids
reveal nothing); only they act on it while it is open (403 otherwise). A
leader sees the overdue concerns of their units as a list without the child's
name or the observation.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helhed import policy
from helhed.audit import trail
from helhed.citizens.models import Citizen
from helhed.lib.forms import ActionErrorsForm
from helhed.lib.validity import today
from helhed.organisation.models import Role, RoleAssignment, Staff
from helhed.plans.actions import concerns as actions
from helhed.plans.forms.concerns import (
    ConcernCloseForm,
    ConcernForm,
    ConcernNoteForm,
    ConcernNotificationForm,
    ConcernPlanForm,
)
from helhed.plans.models import Concern

CONCERNS_PER_PAGE = 20


def _staff_or_403(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None:
        raise PermissionDenied(_("Only staff members work with concerns."))
    return staff


def owner_choices(municipality_id: int, keep: Staff | None = None) -> QuerySet[Staff]:
    """Staff who can own a follow-up: front-line staff and leaders of the municipality today.

    Analysts and politicians work with aggregates, never with a named child.
    """
    with_role = (
        RoleAssignment.objects.valid_on(today())
        .filter(role__kind__in=[Role.Kind.FRONTLINE, Role.Kind.LEADER])
        .values("staff_id")
    )
    condition = Q(municipality_id=municipality_id, pk__in=with_role)
    if keep is not None:
        condition |= Q(pk=keep.pk)
    return Staff.objects.filter(condition)


def _page(request: HttpRequest, rows: QuerySet[Any], name: str) -> Page[Any]:
    return Paginator(rows, CONCERNS_PER_PAGE).get_page(request.GET.get(name))


@login_required
@require_GET
def concern_list(request: HttpRequest) -> HttpResponse:
    """The concerns I follow up and those I raised; for leaders, their units' overdue ones."""
    show_all = request.GET.get("show") == "all"
    on = today()
    staff = policy.staff_for(request.user)
    mine = policy.visible_concerns(request.user).select_related(
        "citizen", "unit", "raised_by", "follow_up_owner"
    )
    if not show_all:
        mine = mine.filter(status=Concern.Status.OPEN)
    owned = actions.overdue_first(mine.filter(follow_up_owner=staff))
    raised = actions.overdue_first(mine.filter(raised_by=staff))
    leads = policy.led_units(request.user).exists()
    led_page = None
    led_rows: list[dict[str, Any]] = []
    if leads:
        # Plain rows of the columns a leader acts on: the child's name and the
        # observation are never loaded, so no template can show them.
        led = (
            policy.led_overdue_concerns(request.user, on)
            .order_by("follow_up_on", "pk")
            .values(
                "unit__name",
                "category",
                "severity",
                "follow_up_owner__first_name",
                "follow_up_owner__last_name",
                "follow_up_on",
            )
        )
        led_page = _page(request, led, "led_page")
        categories = dict(Concern.Category.choices)
        severities = dict(Concern.Severity.choices)
        led_rows = [
            {
                "unit": row["unit__name"],
                "category": categories.get(row["category"], row["category"]),
                "severity": severities.get(row["severity"], row["severity"]),
                "owner": f"{row['follow_up_owner__first_name']} "
                f"{row['follow_up_owner__last_name']}".strip(),
                "follow_up_on": row["follow_up_on"],
                "days_overdue": (on - row["follow_up_on"]).days,
            }
            for row in led_page
        ]
    owned_page = _page(request, owned, "owned_page")
    raised_page = _page(request, raised, "raised_page")
    # The leader's rows name no child; the user's own two lists do.
    trail.log_list(
        request.user, [c.citizen_id for c in (*owned_page, *raised_page)], what="plans:concerns"
    )
    context: dict[str, Any] = {
        "show_all": show_all,
        "owned": owned_page,
        "raised": raised_page,
        "leads": leads,
        "led": led_page,
        "led_rows": led_rows,
        "on": on,
    }
    return render(request, "plans/concern_list.html", context)


def _citizen_from_query(request: HttpRequest) -> Citizen:
    try:
        citizen_id = int(request.GET.get("citizen", ""))
    except ValueError:
        raise Http404("No such citizen") from None
    return policy.get_citizen_for_user(request.user, citizen_id)


@login_required
@require_http_methods(["GET", "POST"])
def concern_create(request: HttpRequest) -> HttpResponse:
    """Log a concern about a child the user works with (``?citizen=<id>``)."""
    citizen = _citizen_from_query(request)
    if not policy.can_log_concern(request.user, citizen):
        raise PermissionDenied(_("You can log concerns only about children you work with."))
    staff = _staff_or_403(request)
    units = actions.concern_units(staff, citizen)
    if not units:
        raise PermissionDenied(_("You hold no role in a unit of the child's municipality today."))
    form = ConcernForm(
        request.POST if request.method == "POST" else None,
        units=units,
        owners=owner_choices(citizen.municipality_id),
        actor=staff,
        on=today(),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                concern = actions.do_log_concern(
                    actor=staff,
                    citizen=citizen,
                    unit=data["unit"],
                    observation=data["observation"],
                    category=data["category"],
                    severity=data["severity"],
                    parents_informed=data["parents_informed"],
                    parents_not_informed_reason=data["parents_not_informed_reason"],
                    follow_up_owner=data["follow_up_owner"],
                    follow_up_on=data["follow_up_on"],
                    observed_on=data["observed_on"],
                )
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(
                    request,
                    _("The concern is logged. %(owner)s follows up by %(date)s.")
                    % {
                        "owner": concern.follow_up_owner,
                        "date": f"{concern.follow_up_on:%d.%m.%Y}",
                    },
                )
                return redirect("plans:concern_detail", concern_id=concern.pk)
        status = 400
    return render(
        request, "plans/concern_create.html", {"citizen": citizen, "form": form}, status=status
    )


def _detail_forms(
    concern: Concern, staff: Staff, bound: ActionErrorsForm | None = None
) -> dict[str, ActionErrorsForm]:
    owners = owner_choices(concern.citizen.municipality_id, keep=concern.follow_up_owner)
    forms: dict[str, ActionErrorsForm] = {
        "note_form": ConcernNoteForm(concern=concern, owners=owners),
        "close_form": ConcernCloseForm(),
        "plan_form": ConcernPlanForm(owners=owners, actor=staff),
        "notify_form": ConcernNotificationForm(units=actions.notification_units(concern.citizen)),
    }
    if bound is not None:
        for name, form in forms.items():
            if type(form) is type(bound):
                forms[name] = bound
    return forms


def _render_detail(
    request: HttpRequest, concern: Concern, bound: ActionErrorsForm | None = None, status: int = 200
) -> HttpResponse:
    can_follow_up = policy.can_follow_up_concern(request.user, concern)
    context: dict[str, Any] = {
        "concern": concern,
        "events": concern.events.select_related("actor"),
        "notification": getattr(concern, "notification", None),
        "can_follow_up": can_follow_up,
        "is_overdue": concern.is_overdue(),
    }
    staff = policy.staff_for(request.user)
    if can_follow_up and staff is not None:
        context.update(_detail_forms(concern, staff, bound))
        context["existing_plan"] = actions.existing_plan_for(staff, concern.citizen)
    return render(request, "plans/concern_detail.html", context, status=status)


@login_required
@require_GET
def concern_detail(request: HttpRequest, concern_id: int) -> HttpResponse:
    """One concern, its history, and (for its owner and raiser) what can be done next."""
    concern = policy.get_concern_for_user(request.user, concern_id)
    return _render_detail(request, concern)


def _concern_to_change(request: HttpRequest, concern_id: int) -> tuple[Concern, Staff]:
    concern = policy.get_concern_for_user(request.user, concern_id)
    if not policy.can_follow_up_concern(request.user, concern):
        raise PermissionDenied(_("This concern can no longer be changed, or not by you."))
    return concern, _staff_or_403(request)


def _after_change(request: HttpRequest, concern: Concern, message: str) -> HttpResponse:
    messages.success(request, message)
    # A user who handed the concern on and did not raise it no longer sees it.
    if policy.visible_concerns(request.user).filter(pk=concern.pk).exists():
        return redirect("plans:concern_detail", concern_id=concern.pk)
    return redirect("plans:concerns")


@login_required
@require_POST
def concern_note(request: HttpRequest, concern_id: int) -> HttpResponse:
    concern, staff = _concern_to_change(request, concern_id)
    owners = owner_choices(concern.citizen.municipality_id, keep=concern.follow_up_owner)
    form = ConcernNoteForm(request.POST, concern=concern, owners=owners)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_add_concern_note(
                actor=staff,
                concern=concern,
                note=data["note"],
                follow_up_owner=data["follow_up_owner"],
                follow_up_on=data["follow_up_on"],
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            return _after_change(request, concern, _("The follow-up is recorded."))
    concern.refresh_from_db()
    return _render_detail(request, concern, form, status=400)


@login_required
@require_POST
def concern_close(request: HttpRequest, concern_id: int) -> HttpResponse:
    concern, staff = _concern_to_change(request, concern_id)
    form = ConcernCloseForm(request.POST)
    if form.is_valid():
        try:
            actions.do_close_concern(
                actor=staff, concern=concern, outcome=form.cleaned_data["outcome"]
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            return _after_change(request, concern, _("The concern is closed."))
    concern.refresh_from_db()
    return _render_detail(request, concern, form, status=400)


@login_required
@require_POST
def concern_escalate_plan(request: HttpRequest, concern_id: int) -> HttpResponse:
    concern, staff = _concern_to_change(request, concern_id)
    owners = owner_choices(concern.citizen.municipality_id, keep=concern.follow_up_owner)
    form = ConcernPlanForm(request.POST, owners=owners, actor=staff)
    if form.is_valid():
        data = form.cleaned_data
        try:
            plan = actions.do_escalate_concern_to_plan(
                actor=staff,
                concern=concern,
                title=data["title"],
                coordinator=data["coordinator"],
                note=data["note"],
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            return _after_change(
                request,
                concern,
                _("The concern is now part of the plan “%(title)s”.") % {"title": plan.title},
            )
    concern.refresh_from_db()
    return _render_detail(request, concern, form, status=400)


@login_required
@require_POST
def concern_escalate_notification(request: HttpRequest, concern_id: int) -> HttpResponse:
    concern, staff = _concern_to_change(request, concern_id)
    form = ConcernNotificationForm(request.POST, units=actions.notification_units(concern.citizen))
    if form.is_valid():
        data = form.cleaned_data
        try:
            notification = actions.do_escalate_concern_to_notification(
                actor=staff, concern=concern, to_unit=data["to_unit"], reason=data["reason"]
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            return _after_change(
                request,
                concern,
                _("The notification to %(unit)s is recorded.") % {"unit": notification.to_unit},
            )
    concern.refresh_from_db()
    return _render_detail(request, concern, form, status=400)


urlpatterns: list[URLPattern] = [
    path("concerns/", concern_list, name="concerns"),
    path("concerns/new/", concern_create, name="concern_create"),
    path("concerns/<int:concern_id>/", concern_detail, name="concern_detail"),
    path("concerns/<int:concern_id>/note/", concern_note, name="concern_note"),
    path("concerns/<int:concern_id>/close/", concern_close, name="concern_close"),
    path(
        "concerns/<int:concern_id>/escalate/plan/",
        concern_escalate_plan,
        name="concern_escalate_plan",
    ),
    path(
        "concerns/<int:concern_id>/escalate/notification/",
        concern_escalate_notification,
        name="concern_escalate_notification",
    ),
]
