"""Network meetings and the actions that follow them.

Who may see and change what is asked of ``helhed.policy``: a meeting and its
minutes are open to staff who may see the plan, and changed by the plan's
coordinator and participants; an action also by its owner. Everyone else
gets 404 (cannot see) or 403 (may see, may not change).

The family (a guardian's login) sees a meeting through its printable summary
in plain language, ``meeting_summary``, and never the internal minutes:
``meeting_detail`` sends a family login on to the summary.

Leaders see the overdue actions of their units as numbers and dates (owner,
due date, days overdue, the plan's id), never the citizen's name or what the
action is about: aggregates, not persons.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from typing import Any, Self

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helhed import policy
from helhed.audit import trail
from helhed.lib.htmx import wants_partial
from helhed.lib.validity import today
from helhed.organisation.models import RoleAssignment, Staff
from helhed.plans.actions.meetings import (
    NewAction,
    do_add_action,
    do_cancel_action,
    do_cancel_meeting,
    do_complete_action,
    do_reassign_action,
    do_record_minutes,
    do_reopen_action,
    do_schedule_meeting,
    family_candidates,
)
from helhed.plans.forms.meetings import (
    AddActionForm,
    CancelActionForm,
    CancelMeetingForm,
    CompleteActionForm,
    DecisionFormSet,
    MinutesActionFormSet,
    MinutesForm,
    ReassignActionForm,
    ScheduleMeetingForm,
)
from helhed.plans.models import Action, Meeting, Plan, PlanMember


def _staff_or_403(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None:
        raise PermissionDenied(_("Only staff can do this."))
    return staff


def _editor_or_403(request: HttpRequest, plan: Plan) -> Staff:
    """The acting staff member, if they may change ``plan`` (the plan is visible already)."""
    staff = policy.staff_for(request.user)
    if staff is None or not policy.can_edit_plan(request.user, plan):
        raise PermissionDenied(_("Only the plan's coordinator and participants can do this."))
    return staff


def plan_staff(plan: Plan) -> QuerySet[Staff]:
    """The professionals of the plan: its coordinator and participants."""
    return Staff.objects.filter(
        Q(pk=plan.coordinator_id) | Q(plan_participations__plan=plan)
    ).distinct()


def possible_owners(plan: Plan) -> QuerySet[Staff]:
    """Who can own an action: the plan's staff, and staff of its municipality with a role today."""
    return (
        Staff.objects.filter(municipality_id=plan.municipality_id)
        .filter(
            Q(pk__in=plan_staff(plan).values("pk"))
            | Q(pk__in=RoleAssignment.objects.valid_on(today()).values("staff_id"))
        )
        .order_by("first_name", "last_name")
    )


# --------------------------------------------------------------------------- meetings


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Schedule a network meeting with the professionals and the family."""
    plan = policy.get_plan_for_user(request.user, plan_id)
    staff = _editor_or_403(request, plan)
    candidates = plan_staff(plan).order_by("first_name", "last_name")
    family = family_candidates(plan)
    # The guardians are offered by name, and they need not be the plan's members.
    trail.log_list(request.user, [c.pk for c in family], what="plans:meeting_create")
    data = request.POST if request.method == "POST" else None
    form = ScheduleMeetingForm(
        data,
        staff=candidates,
        family=family,
        initial={"staff": [staff.pk]},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                meeting = do_schedule_meeting(
                    actor=staff,
                    plan=plan,
                    starts_at=form.starts_at(),
                    place=form.cleaned_data["place"],
                    agenda=form.cleaned_data["agenda"],
                    staff_participants=form.staff_participants(),
                    family_participants=form.family_participants(),
                    without_citizen_reason=form.cleaned_data["without_citizen_reason"],
                )
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The meeting is scheduled."))
                return redirect("plans:meeting_detail", meeting_id=meeting.pk)
        status = 400
    return render(request, "plans/meeting_create.html", {"plan": plan, "form": form}, status=status)


@login_required
@require_GET
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The meeting for the professionals: participants, minutes, decisions and actions.

    A family login is sent on to the summary: the family reads what was agreed
    in plain language, not the professionals' internal minutes.
    """
    meeting = policy.get_meeting_for_user(request.user, meeting_id)
    if policy.staff_for(request.user) is None:
        return redirect("plans:meeting_summary", meeting_id=meeting.pk)
    can_edit = policy.can_edit_plan(request.user, meeting.plan)
    participants = list(meeting.participants.select_related("staff", "citizen"))
    # The family at the table (parents, say) need not be the plan's members.
    trail.log_list(request.user, [p.citizen_id for p in participants], what="plans:meeting_detail")
    context: dict[str, Any] = {
        "meeting": meeting,
        "plan": meeting.plan,
        "participants": participants,
        "decisions": meeting.decisions.prefetch_related("actions__owner"),
        "actions": meeting.actions.select_related("owner", "decision"),
        "can_edit": can_edit,
        "can_record": can_edit
        and meeting.status == Meeting.Status.PLANNED
        and meeting.starts_at <= timezone.now(),
        "can_cancel": can_edit and meeting.status == Meeting.Status.PLANNED,
    }
    return render(request, "plans/meeting_detail.html", context)


def _minutes_formsets(request: HttpRequest, meeting: Meeting) -> tuple[MinutesForm, Any, Any]:
    data = request.POST if request.method == "POST" else None
    form = MinutesForm(data, meeting=meeting)
    decisions = DecisionFormSet(data, prefix="decisions")
    # Actions may point at any decision row the form offers.
    rows = decisions.total_form_count()
    actions = MinutesActionFormSet(
        data,
        prefix="actions",
        form_kwargs={"owners": possible_owners(meeting.plan), "decisions": rows},
    )
    return form, decisions, actions


def _minutes_input(decisions: Any, filled: list[Any]) -> tuple[list[str], list[NewAction]]:
    """The decision texts, and the actions the filled action rows describe.

    An action names its decision by the row number shown in the form; the
    action module numbers only the decisions that were written, so empty
    rows are counted out here. Naming an empty row is an error on that row.
    """
    numbered = [d.cleaned_data.get("text", "").strip() for d in decisions.forms]
    texts = [t for t in numbered if t]
    position: dict[int, int] = {}
    for row, text in enumerate(numbered, 1):
        if text:
            position[row] = len(position) + 1
    new_actions = []
    for row, action_form in enumerate(filled, 1):
        chosen = action_form.cleaned_data["decision"]
        if chosen and chosen not in position:
            raise ValidationError(
                {
                    "actions": [
                        ValidationError(
                            _("Action %(row)s: %(message)s"),
                            params={
                                "row": row,
                                "field": "decision",
                                "message": _("That decision row is empty."),
                            },
                        )
                    ]
                }
            )
        new_actions.append(
            NewAction(
                description=action_form.cleaned_data["description"],
                owner=action_form.cleaned_data["owner"],
                due_on=action_form.cleaned_data["due_on"],
                decision=position[chosen] if chosen else None,
            )
        )
    return texts, new_actions


def _show_minutes_errors(error: ValidationError, form: MinutesForm, filled: list[Any]) -> None:
    """Errors about one action row go beside that row's field; the rest on the form."""
    if hasattr(error, "error_dict"):
        for row_error in error.error_dict.pop("actions", []):
            params = row_error.params or {}
            row, field = params.get("row"), params.get("field")
            if isinstance(row, int) and 1 <= row <= len(filled) and field in filled[row - 1].fields:
                filled[row - 1].add_error(field, str(params["message"]))
            else:
                form.add_error(None, row_error)
        if not error.error_dict:
            return
    form.add_action_errors(error)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_minutes(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Record minutes, the family's summary, attendance, decisions and actions at once."""
    meeting = policy.get_meeting_for_user(request.user, meeting_id)
    staff = _editor_or_403(request, meeting.plan)
    form, decisions, actions = _minutes_formsets(request, meeting)
    status = 200
    if request.method == "POST":
        if form.is_valid() & decisions.is_valid() & actions.is_valid():
            filled = [a for a in actions.forms if a.is_filled]
            try:
                texts, new_actions = _minutes_input(decisions, filled)
                do_record_minutes(
                    actor=staff,
                    meeting=meeting,
                    minutes=form.cleaned_data["minutes"],
                    family_summary=form.cleaned_data["family_summary"],
                    decisions=texts,
                    attendance=form.attendance(),
                    actions=new_actions,
                )
            except ValidationError as exc:
                _show_minutes_errors(exc, form, filled)
            else:
                messages.success(request, _("The minutes are recorded."))
                return redirect("plans:meeting_detail", meeting_id=meeting.pk)
        status = 400
    # The attendance names the family at the table, as the meeting page does.
    family = meeting.participants.values_list("citizen_id", flat=True)
    trail.log_list(request.user, family, what="plans:meeting_minutes")
    context = {
        "meeting": meeting,
        "plan": meeting.plan,
        "form": form,
        "decisions": decisions,
        "actions": actions,
        "started": meeting.starts_at <= timezone.now(),
    }
    return render(request, "plans/meeting_minutes.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Cancel a planned meeting, saying why."""
    meeting = policy.get_meeting_for_user(request.user, meeting_id)
    staff = _editor_or_403(request, meeting.plan)
    form = CancelMeetingForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                do_cancel_meeting(actor=staff, meeting=meeting, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The meeting is cancelled."))
                return redirect("plans:meeting_detail", meeting_id=meeting.pk)
        status = 400
    return render(
        request,
        "plans/meeting_cancel.html",
        {"meeting": meeting, "plan": meeting.plan, "form": form},
        status=status,
    )


@login_required
@require_GET
def meeting_summary(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The meeting in plain language for the family, to read on screen or print.

    When and where, who took part, what we agreed, who does what by when, and
    the summary written for the family. The internal minutes are not on it.
    """
    meeting = policy.get_meeting_for_user(request.user, meeting_id)
    participants = list(meeting.participants.all())
    trail.log_list(request.user, [p.citizen_id for p in participants], what="plans:meeting_summary")
    context: dict[str, Any] = {
        "meeting": meeting,
        "plan": meeting.plan,
        "participants": participants,
        "decisions": meeting.decisions.all(),
        "actions": meeting.actions.exclude(status=Action.Status.CANCELLED).select_related("owner"),
        "is_family": policy.staff_for(request.user) is None,
    }
    return render(request, "plans/meeting_summary.html", context)


# --------------------------------------------------------------------------- actions


@dataclass(frozen=True)
class ActionRow:
    """An action as a table row shows it: how late it is and what the viewer may do."""

    a: Action
    days_overdue: int = 0
    can_update: bool = False
    plan_visible: bool = False

    @classmethod
    def of(cls, action: Action, *, can_update: bool = False, plan_visible: bool = False) -> Self:
        on = today()
        late = (on - action.due_on).days if action.is_overdue(on) else 0
        return cls(action, late, can_update, plan_visible)


@login_required
@require_GET
def action_list(request: HttpRequest) -> HttpResponse:
    """My actions (open first, overdue marked), and a leader's overdue actions in their units."""
    staff = _staff_or_403(request)
    mine = Action.objects.filter(owner=staff).select_related("plan", "meeting", "owner")
    open_actions = list(mine.open().order_by("due_on", "pk"))
    closed_actions = list(mine.exclude(status=Action.Status.OPEN).order_by("-done_on", "-pk")[:50])
    plan_ids = {a.plan_id for a in (*open_actions, *closed_actions)}
    visible_plan_ids = set(
        policy.visible_plans(request.user).filter(pk__in=plan_ids).values_list("pk", flat=True)
    )
    # An action says what is to be done for the plan's family.
    trail.log_list(
        request.user,
        PlanMember.objects.filter(plan_id__in=plan_ids).values_list("citizen_id", flat=True),
        what="plans:actions",
    )

    def rows(actions: list[Action]) -> list[ActionRow]:
        # The owner changes their own actions while the plan is active.
        return [
            ActionRow.of(a, can_update=a.plan.is_active, plan_visible=a.plan_id in visible_plan_ids)
            for a in actions
        ]

    leads = policy.led_units(request.user).exists()
    context: dict[str, Any] = {
        "open_actions": rows(open_actions),
        "closed_actions": rows(closed_actions),
        "leads": leads,
        "row_view": "mine",
    }
    if leads:
        overdue = policy.led_overdue_actions(request.user).select_related("owner")
        context["led_overdue"] = [ActionRow.of(a) for a in overdue.order_by("due_on", "pk")]
        context["per_owner"] = (
            Action.objects.open()
            .filter(owner__in=policy.staff_in_led_units(request.user))
            .values("owner__first_name", "owner__last_name")
            .annotate(
                open_count=Count("pk"),
                overdue_count=Count("pk", filter=Q(due_on__lt=today())),
            )
            .order_by("-overdue_count", "owner__first_name", "owner__last_name")
        )
    return render(request, "plans/action_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Add an action to the plan outside a meeting: one owner, one due date."""
    plan = policy.get_plan_for_user(request.user, plan_id)
    staff = _editor_or_403(request, plan)
    form = AddActionForm(
        request.POST if request.method == "POST" else None,
        owners=possible_owners(plan),
        initial={"owner": staff.pk},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                do_add_action(actor=staff, plan=plan, **form.cleaned_data)
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The action is added."))
                return _back(request, plan)
        status = 400
    context = {"plan": plan, "form": form, "next": _next(request)}
    return render(request, "plans/action_create.html", context, status=status)


def _next(request: HttpRequest) -> str:
    return request.POST.get("next") or request.GET.get("next") or ""


def _back(request: HttpRequest, plan: Plan | None = None) -> HttpResponse:
    """Back to where the user came from (``next``), else to the plan or to their actions."""
    target = _next(request)
    # Only a path on this site: anything else is ignored (and never reversed as a view name).
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    if plan is not None:
        with suppress(NoReverseMatch):
            return redirect(reverse("plans:detail", args=[plan.pk]))
    return redirect(reverse("plans:actions"))


def _action_for_change(request: HttpRequest, action_id: int) -> tuple[Action, Staff]:
    action = policy.get_action_for_user(request.user, action_id)
    staff = policy.staff_for(request.user)
    if staff is None or not policy.can_update_action(request.user, action):
        raise PermissionDenied(_("Only the action's owner and the plan's editors can change it."))
    return action, staff


def _row(request: HttpRequest, action: Action, error: str = "", status: int = 200) -> HttpResponse:
    """The action's table row, for htmx to swap in place of the old one."""
    view = request.POST.get("view", "mine")
    row = ActionRow.of(
        action,
        can_update=policy.can_update_action(request.user, action),
        plan_visible=policy.can_view_plan(request.user, action.plan),
    )
    context = {
        "row": row,
        "row_view": "plan" if view == "plan" else "mine",
        "error": error,
        "next": _next(request),
    }
    return render(request, "plans/action_row.html", context, status=status)


def _change_page(
    request: HttpRequest, action: Action, form: Any, kind: str, status: int
) -> HttpResponse:
    if wants_partial(request) and form.errors:
        errors = [str(e) for errs in form.errors.values() for e in errs]
        return _row(request, action, error=" ".join(errors), status=status)
    return render(
        request,
        "plans/action_change.html",
        {"a": action, "form": form, "kind": kind, "next": _next(request)},
        status=status,
    )


def _done(request: HttpRequest, action: Action, message: str) -> HttpResponse:
    if wants_partial(request):
        return _row(request, action)
    messages.success(request, message)
    return _back(request)


@login_required
@require_POST
def action_complete(request: HttpRequest, action_id: int) -> HttpResponse:
    action, staff = _action_for_change(request, action_id)
    form = CompleteActionForm(request.POST)
    if form.is_valid():
        try:
            do_complete_action(actor=staff, action=action, note=form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            return _done(request, action, _("The action is done."))
    return _change_page(request, action, form, "complete", 400)


@login_required
@require_POST
def action_reopen(request: HttpRequest, action_id: int) -> HttpResponse:
    action, staff = _action_for_change(request, action_id)
    form = CompleteActionForm(request.POST)  # carries nothing but errors
    try:
        do_reopen_action(actor=staff, action=action)
    except ValidationError as exc:
        form.is_valid()
        form.add_action_errors(exc)
        return _change_page(request, action, form, "reopen", 400)
    return _done(request, action, _("The action is open again."))


@login_required
@require_http_methods(["GET", "POST"])
def action_cancel(request: HttpRequest, action_id: int) -> HttpResponse:
    action, staff = _action_for_change(request, action_id)
    form = CancelActionForm(request.POST if request.method == "POST" else None)
    if request.method == "GET":
        return _change_page(request, action, form, "cancel", 200)
    if form.is_valid():
        try:
            do_cancel_action(actor=staff, action=action, note=form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            return _done(request, action, _("The action is cancelled."))
    return _change_page(request, action, form, "cancel", 400)


@login_required
@require_http_methods(["GET", "POST"])
def action_reassign(request: HttpRequest, action_id: int) -> HttpResponse:
    action, staff = _action_for_change(request, action_id)
    form = ReassignActionForm(
        request.POST if request.method == "POST" else None,
        owners=possible_owners(action.plan),
        initial={"owner": action.owner_id, "due_on": action.due_on},
    )
    if request.method == "GET":
        return _change_page(request, action, form, "reassign", 200)
    if form.is_valid():
        try:
            with transaction.atomic():
                do_reassign_action(actor=staff, action=action, **form.cleaned_data)
        except ValidationError as exc:
            action.refresh_from_db()
            form.add_action_errors(exc)
        else:
            return _done(request, action, _("The action has a new owner or due date."))
    return _change_page(request, action, form, "reassign", 400)


urlpatterns: list[URLPattern] = [
    path("plans/<int:plan_id>/meetings/new/", meeting_create, name="meeting_create"),
    path("meetings/<int:meeting_id>/", meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_id>/minutes/", meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:meeting_id>/cancel/", meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:meeting_id>/summary/", meeting_summary, name="meeting_summary"),
    path("actions/", action_list, name="actions"),
    path("plans/<int:plan_id>/actions/new/", action_create, name="action_create"),
    path("actions/<int:action_id>/complete/", action_complete, name="action_complete"),
    path("actions/<int:action_id>/reopen/", action_reopen, name="action_reopen"),
    path("actions/<int:action_id>/cancel/", action_cancel, name="action_cancel"),
    path("actions/<int:action_id>/reassign/", action_reassign, name="action_reassign"),
]
