"""Web pages for the shared plan: the list, starting a plan, the plan, its edits and versions.

Who sees a plan is decided by ``helhed.policy`` alone (``get_plan_for_staff``,
404 otherwise); who changes it by ``policy.can_edit_plan`` (403 otherwise).
Every change goes through ``helhed.plans.actions.plans`` against the version
the user saw; when someone else changed the plan in between, the page answers
409 with the user's input kept and nothing saved.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helhed import policy
from helhed.audit import codes, trail
from helhed.citizens.models import Citizen
from helhed.lib.htmx import wants_partial
from helhed.lib.validity import today
from helhed.organisation.models import Role, RoleAssignment, Staff, Unit
from helhed.plans import versions
from helhed.plans.actions.plans import (
    StalePlanError,
    do_add_effort,
    do_add_goal,
    do_add_member,
    do_add_participant,
    do_close_plan,
    do_create_plan,
    do_end_effort,
    do_remove_participant,
    do_set_occupation,
    do_update_effort,
    do_update_goal,
    do_update_plan,
    participation_unit,
)
from helhed.plans.forms.plans import (
    AddMemberForm,
    ClosePlanForm,
    EffortForm,
    EndEffortForm,
    GoalForm,
    OccupationForm,
    ParticipantForm,
    PlanCreateForm,
    PlanEditForm,
    VersionedForm,
)
from helhed.plans.models import (
    Effort,
    Goal,
    LegalBasis,
    Participant,
    Plan,
    PlanMember,
    PlanVersion,
)

PLANS_PER_PAGE = 25
VERSIONS_PER_PAGE = 50
GOAL_BADGES: dict[str, str] = {
    Goal.Status.PROGRESSING: "good",
    Goal.Status.ACHIEVED: "good",
    Goal.Status.STUCK: "bad",
}
CLOSED_GOAL_STATUSES: set[str] = {Goal.Status.ACHIEVED, Goal.Status.DROPPED}


# --------------------------------------------------------------------------- access helpers


def _plan_to_edit(request: HttpRequest, plan_id: int) -> tuple[Plan, Staff]:
    """The plan (404 if invisible) and the editing professional (403 if they may only read)."""
    plan = policy.get_plan_for_staff(request.user, plan_id)
    if not policy.can_edit_plan(request.user, plan):
        if not plan.is_active:
            raise PermissionDenied(_("The plan is closed and can no longer be changed."))
        raise PermissionDenied(_("Only the plan's coordinator and participants can change it."))
    return plan, policy.staff_or_404(request.user)


def _coordinators(municipality_id: int, current: Staff | None = None) -> QuerySet[Staff]:
    """Staff who can coordinate: front-line professionals of the municipality today."""
    frontline = RoleAssignment.objects.valid_on(today()).filter(
        role__kind=Role.Kind.FRONTLINE, unit__municipality_id=municipality_id
    )
    condition = Q(pk__in=frontline.values("staff_id"))
    if current is not None:
        condition |= Q(pk=current.pk)
    return Staff.objects.filter(condition, municipality_id=municipality_id).order_by(
        "first_name", "last_name", "pk"
    )


def _paying_units(plan: Plan, current: int | None = None) -> QuerySet[Unit]:
    """Budgets of the plan's municipality that may pay for an effort (administrations too)."""
    units = Unit.objects.filter(municipality_id=plan.municipality_id)
    return units.filter(Q(pk__in=units.valid_on(today())) | Q(pk=current)).order_by("name")


def _units(plan: Plan) -> QuerySet[Unit]:
    """Units of the plan's municipality that exist today and can carry an effort."""
    return (
        Unit.objects.valid_on(today())
        .filter(municipality_id=plan.municipality_id)
        .exclude(unit_type__code__in=["municipality", "administration"])
        .order_by("name")
    )


def _run(plan: Plan, form: VersionedForm, change: Callable[[], object]) -> int | None:
    """Run an action for ``form``; on refusal put the reason on the form and return the status.

    A stale edit answers 409 with what the user typed shown again, and the
    hidden version left as it was: the form holds the *whole* old state, so
    letting it be saved again would silently undo the other person's change.
    The user starts again from the current plan (a link on the page).
    """
    try:
        change()
    except StalePlanError as exc:
        form.add_error(None, exc)
        return 409
    except ValidationError as exc:
        form.add_action_errors(exc)
        return 400
    return None


def _form_page(
    request: HttpRequest,
    plan: Plan | None,
    form: Any,
    *,
    title: str,
    submit: str,
    status: int = 200,
    intro: str = "",
    citizen: Citizen | None = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    context: dict[str, Any] = {
        "plan": plan,
        "form": form,
        "title": title,
        "submit": submit,
        "intro": intro,
        "citizen": citizen,
        "stale": status == 409,
        **(extra or {}),
    }
    return render(request, "plans/plan_form.html", context, status=status)


# --------------------------------------------------------------------------- the list


@login_required
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    """The active plans this user may open: search by title or citizen, filter by their part."""
    staff = policy.staff_or_404(request.user)
    query = request.GET.get("q", "").strip()[:100]
    who = request.GET.get("who", "all")
    if who not in ("coordinate", "part", "all"):
        who = "all"
    plans = policy.visible_plans(request.user).filter(status=Plan.Status.ACTIVE)
    if who == "coordinate":
        plans = plans.filter(coordinator=staff)
    elif who == "part":
        plans = plans.filter(Q(coordinator=staff) | Q(participants__staff=staff))
    if query:
        condition = Q()
        for word in query.split():
            condition &= (
                Q(title__icontains=word)
                | Q(members__citizen__first_name__icontains=word)
                | Q(members__citizen__last_name__icontains=word)
            )
        plans = plans.filter(pk__in=Plan.objects.filter(condition).values("pk"))
    plans = (
        Plan.objects.filter(pk__in=plans.values("pk"))
        .select_related("coordinator")
        .prefetch_related("members__citizen")
        .order_by("title", "pk")
    )
    page = Paginator(plans, PLANS_PER_PAGE).get_page(request.GET.get("page"))
    taking_part = set(
        Participant.objects.filter(staff=staff, plan__in=list(page)).values_list(
            "plan_id", flat=True
        )
    )
    trail.log_list(
        request.user,
        [m.citizen_id for p in page for m in p.members.all()],
        what="plans:list",
        action=codes.SEARCH if query else codes.LIST,
    )
    context: dict[str, Any] = {
        "page": page,
        "query": query,
        "who": who,
        "staff": staff,
        "taking_part": taking_part,
        "filters": [
            ("all", _("All I can see")),
            ("coordinate", _("I coordinate")),
            ("part", _("I take part")),
        ],
    }
    template = "plans/plan_list_results.html" if wants_partial(request) else "plans/plan_list.html"
    return render(request, template, context)


# --------------------------------------------------------------------------- starting a plan


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    """Start the one shared plan for the citizen named in ``?citizen=<id>``."""
    staff = policy.staff_or_404(request.user)
    raw = request.GET.get("citizen", "")
    if not raw:
        messages.info(request, _("Start a plan from the page of the citizen it is about."))
        return redirect("citizens:list")
    if not raw.isdigit():
        raise Http404("No such citizen")
    citizen = policy.get_citizen_for_user(request.user, int(raw))
    if not policy.can_start_plan(request.user, citizen):
        raise PermissionDenied(_("Only front-line staff who work with the citizen start a plan."))
    adults = (
        policy.visible_citizens(request.user)
        .filter(pk__in=citizen.guardians().values("pk"))
        .order_by("first_name", "last_name")
    )
    # The guardians are offered by name as the family plan's adults.
    trail.log_list(request.user, adults.values_list("pk", flat=True), what="plans:create")
    coordinators = _coordinators(staff.municipality_id)
    existing = (
        policy.visible_plans(request.user)
        .filter(status=Plan.Status.ACTIVE, members__citizen=citizen)
        .first()
    )
    data = request.POST if request.method == "POST" else None
    form = PlanCreateForm(
        data,
        adults=adults,
        coordinators=coordinators,
        initial={
            "coordinator": staff.pk,
            "title": _("%(name)s's plan") % {"name": citizen.first_name},
        },
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            cleaned = form.cleaned_data
            coordinator: Staff = cleaned["coordinator"]
            unit = participation_unit(staff)
            participants = [(staff, unit)] if unit and coordinator.pk != staff.pk else []
            try:
                plan = do_create_plan(
                    actor=staff,
                    citizens=[citizen],
                    adults=list(cleaned["adults"]) if cleaned["kind"] == Plan.Kind.FAMILY else [],
                    kind=cleaned["kind"],
                    title=cleaned["title"],
                    what_matters=cleaned["what_matters"],
                    coordinator=coordinator,
                    participants=participants,
                )
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(
                    request, _("The plan “%(title)s” is started.") % {"title": plan.title}
                )
                return redirect("plans:detail", plan_id=plan.pk)
    return _form_page(
        request,
        None,
        form,
        title=_("Start a shared plan for %(name)s") % {"name": citizen.full_name},
        submit=_("Start the plan"),
        intro=_(
            "One plan per citizen, across sectors, with one coordinator. Write goals in the "
            "family's own words once the plan is started."
        ),
        citizen=citizen,
        status=status,
        extra={"existing": existing},
    )


# --------------------------------------------------------------------------- the plan


def _effort_groups(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Efforts grouped by sector, each group with its current monthly and yearly cost."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[row["sector"]].append(row)
    result = []
    for sector, items in groups.items():
        monthly = sum((r["monthly_cost"] for r in items if not r["ended"]), Decimal(0))
        result.append(
            {"sector": sector, "efforts": items, "monthly": monthly, "yearly": monthly * 12}
        )
    return result


def _participant_groups(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[row["sector"]].append(row)
    return [{"sector": sector, "participants": items} for sector, items in groups.items()]


def _totals(effort_groups: list[dict[str, Any]]) -> dict[str, Decimal]:
    monthly = sum((g["monthly"] for g in effort_groups), Decimal(0))
    return {"monthly": monthly, "yearly": monthly * 12}


def _present_plan(plan: Plan) -> dict[str, Any]:
    """The plan as rows for ``plan_body.html`` (the same shape as a snapshot's)."""
    on = today()
    members = [
        {
            "pk": m.pk,
            "citizen_id": m.citizen_id,
            "name": m.citizen.full_name,
            "role": m.get_role_display(),
            "occupation": m.get_occupation_display() if m.occupation else "",
        }
        for m in plan.members.select_related("citizen").order_by("pk")
    ]
    goals = [
        {
            "pk": g.pk,
            "text": g.text,
            "whose": g.citizen.full_name if g.citizen else "",
            "formulated_by": g.get_formulated_by_display(),
            "formulated_by_name": g.formulated_by_name,
            "target_date": g.target_date,
            "status": g.get_status_display(),
            "badge": GOAL_BADGES.get(g.status, ""),
            "overdue": g.target_date < on and g.status not in CLOSED_GOAL_STATUSES,
            "status_changed_on": g.status_changed_on,
        }
        for g in plan.goals.select_related("citizen").order_by("target_date", "pk")
    ]
    efforts = [
        {
            "pk": e.pk,
            "title": e.title,
            "description": e.description,
            "whose": e.citizen.full_name if e.citizen else "",
            "sector": e.sector.name,
            "unit": e.responsible_unit.name,
            "legal_basis": e.get_legal_basis_display(),
            "legal_reference": e.legal_reference,
            "starts_on": e.starts_on,
            "ends_on": e.ends_on,
            "monthly_cost": e.monthly_cost,
            "yearly_cost": e.yearly_cost,
            "ended": e.status_on(on) == Effort.Status.ENDED,
            "planned": e.status_on(on) == Effort.Status.PLANNED,
            "goals": [str(g) for g in e.goals.all()],
            "method": e.method.name if e.method else "",
            "method_id": e.method_id,
            "payer": e.paying_unit.name if e.paying_unit else e.paying_authority,
            "payer_agreed": e.payer_agreed_on is not None,
        }
        for e in plan.efforts.select_related(
            "sector", "responsible_unit", "citizen", "method", "paying_unit"
        )
        .prefetch_related("goals")
        .order_by("sector__sort_order", "starts_on", "pk")
    ]
    participants = [
        {
            "pk": p.pk,
            "name": p.staff.full_name,
            "unit": p.unit.name,
            "role": p.role,
            "sector": p.unit.sector.name if p.unit.sector else _("Other units"),
            "is_coordinator": p.staff_id == plan.coordinator_id,
        }
        for p in plan.participants.select_related("staff", "unit", "unit__sector").order_by(
            "unit__sector__sort_order", "pk"
        )
    ]
    groups = _effort_groups(efforts)
    return {
        "title": plan.title,
        "kind": plan.get_kind_display(),
        "what_matters": plan.what_matters,
        "status": plan.get_status_display(),
        "is_active": plan.is_active,
        "closed_on": plan.closed_on,
        "close_reason": plan.close_reason,
        "coordinator": plan.coordinator.full_name,
        "members": members,
        "goals": goals,
        "effort_groups": groups,
        "totals": _totals(groups),
        "participant_groups": _participant_groups(participants),
    }


def _date(value: Any) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _present_snapshot(snapshot: dict[str, Any], on: dt.date) -> dict[str, Any]:
    """An old version, from its JSON snapshot, in the shape of ``_present_plan``.

    Codes are shown with today's labels; ``on`` (the version's date) decides
    which efforts had ended and which goals were overdue then.
    """
    role_labels = dict(PlanMember.Role.choices)
    occupation_labels = dict(PlanMember.Occupation.choices)
    status_labels = dict(Goal.Status.choices)
    formulated_labels = dict(Goal.FormulatedBy.choices)
    legal_labels = dict(LegalBasis.choices)
    members = {m["citizen_id"]: m for m in snapshot.get("members", [])}
    goals = []
    for g in snapshot.get("goals", []):
        target = _date(g.get("target_date"))
        goals.append(
            {
                "pk": None,
                "text": g.get("text", ""),
                "whose": members.get(g.get("citizen_id"), {}).get("name", ""),
                "formulated_by": formulated_labels.get(g.get("formulated_by"), ""),
                "formulated_by_name": g.get("formulated_by_name", ""),
                "target_date": target,
                "status": status_labels.get(g.get("status"), g.get("status", "")),
                "badge": GOAL_BADGES.get(g.get("status"), ""),
                "overdue": target is not None
                and target < on
                and g.get("status") not in CLOSED_GOAL_STATUSES,
            }
        )
    goals.sort(key=lambda g: g["target_date"] or dt.date.max)
    efforts = []
    for e in snapshot.get("efforts", []):
        starts, ends = _date(e.get("starts_on")), _date(e.get("ends_on"))
        monthly = Decimal(str(e.get("monthly_cost") or 0))
        efforts.append(
            {
                "pk": None,
                "title": e.get("title", ""),
                "description": e.get("description", ""),
                "whose": members.get(e.get("citizen_id"), {}).get("name", ""),
                "sector": e.get("sector", ""),
                "unit": e.get("responsible_unit", ""),
                "legal_basis": legal_labels.get(e.get("legal_basis"), e.get("legal_basis", "")),
                "legal_reference": e.get("legal_reference", ""),
                "starts_on": starts,
                "ends_on": ends,
                "monthly_cost": monthly,
                "yearly_cost": monthly * 12,
                "ended": ends is not None and ends < on,
                "planned": starts is not None and starts > on,
                "goals": [],
            }
        )
    participants = [
        {
            "pk": None,
            "name": p.get("name", ""),
            "unit": p.get("unit", ""),
            "role": p.get("role", ""),
            "sector": _("Participants"),
            "is_coordinator": False,
        }
        for p in snapshot.get("participants", [])
    ]
    groups = _effort_groups(efforts)
    return {
        "title": snapshot.get("title", ""),
        "kind": dict(Plan.Kind.choices).get(snapshot.get("kind", ""), ""),
        "what_matters": snapshot.get("what_matters", ""),
        "status": dict(Plan.Status.choices).get(snapshot.get("status", ""), ""),
        "is_active": snapshot.get("status") == Plan.Status.ACTIVE,
        "closed_on": _date(snapshot.get("closed_on")),
        "close_reason": snapshot.get("close_reason", ""),
        "coordinator": snapshot.get("coordinator", {}).get("name", ""),
        "members": [
            {
                "pk": None,
                "citizen_id": m.get("citizen_id"),
                "name": m.get("name", ""),
                "role": role_labels.get(m.get("role"), ""),
                "occupation": occupation_labels.get(m.get("occupation"), "")
                if m.get("occupation")
                else "",
            }
            for m in snapshot.get("members", [])
        ],
        "goals": goals,
        "effort_groups": groups,
        "totals": _totals(groups),
        "participant_groups": _participant_groups(participants),
    }


@login_required
@require_GET
def detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The whole plan: family, goals, efforts by sector, people, and the other areas' sections."""
    plan = policy.get_plan_for_staff(request.user, plan_id)
    body = _present_plan(plan)
    # Members are linked only when the user may open the citizen's own page.
    linkable = set(
        policy.visible_citizens(request.user)
        .filter(pk__in=[m["citizen_id"] for m in body["members"]])
        .values_list("pk", flat=True)
    )
    for member in body["members"]:
        member["link"] = member["citizen_id"] in linkable
    context: dict[str, Any] = {
        "plan": plan,
        "body": body,
        "can_edit": policy.can_edit_plan(request.user, plan),
        "old_version": None,
    }
    return render(request, "plans/plan_detail.html", context)


# --------------------------------------------------------------------------- plan details


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, staff = _plan_to_edit(request, plan_id)
    coordinators = _coordinators(plan.municipality_id, current=plan.coordinator)
    status = 200
    if request.method == "POST":
        form = PlanEditForm(request.POST, coordinators=coordinators)
        status = 400
        if form.is_valid():
            cleaned = form.cleaned_data
            refused = _run(
                plan,
                form,
                lambda: do_update_plan(
                    actor=staff,
                    plan=plan,
                    expected_version=cleaned["expected_version"],
                    title=cleaned["title"],
                    what_matters=cleaned["what_matters"],
                    coordinator=cleaned["coordinator"],
                ),
            )
            if refused is None:
                messages.success(request, _("The plan is saved."))
                return redirect("plans:detail", plan_id=plan.pk)
            status = refused
    else:
        form = PlanEditForm(
            coordinators=coordinators,
            initial={
                "expected_version": plan.version,
                "title": plan.title,
                "what_matters": plan.what_matters,
                "coordinator": plan.coordinator_id,
            },
        )
    return _form_page(
        request,
        plan,
        form,
        title=_("Change the plan"),
        submit=_("Save"),
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, staff = _plan_to_edit(request, plan_id)
    status = 200
    if request.method == "POST":
        form = ClosePlanForm(request.POST)
        status = 400
        if form.is_valid():
            cleaned = form.cleaned_data
            refused = _run(
                plan,
                form,
                lambda: do_close_plan(
                    actor=staff,
                    plan=plan,
                    expected_version=cleaned["expected_version"],
                    reason=cleaned["reason"],
                ),
            )
            if refused is None:
                messages.success(request, _("The plan is closed."))
                return redirect("plans:detail", plan_id=plan.pk)
            status = refused
    else:
        form = ClosePlanForm(initial={"expected_version": plan.version})
    return _form_page(
        request,
        plan,
        form,
        title=_("Close the plan"),
        submit=_("Close the plan"),
        intro=_("A closed plan can be read but not changed. Its citizens can then get a new plan."),
        status=status,
    )


# --------------------------------------------------------------------------- goals


def _goal(plan: Plan, goal_id: int) -> Goal:
    goal = plan.goals.filter(pk=goal_id).first()
    if goal is None:
        raise Http404("No such goal")
    goal.plan = plan
    return goal


@login_required
@require_http_methods(["GET", "POST"])
def goal_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, staff = _plan_to_edit(request, plan_id)
    status = 200
    if request.method == "POST":
        form = GoalForm(request.POST, plan=plan, with_status=False)
        status = 400
        if form.is_valid():
            cleaned = form.cleaned_data
            refused = _run(
                plan,
                form,
                lambda: do_add_goal(
                    actor=staff,
                    plan=plan,
                    expected_version=cleaned["expected_version"],
                    text=cleaned["text"],
                    formulated_by=cleaned["formulated_by"],
                    formulated_by_name=cleaned["formulated_by_name"],
                    target_date=cleaned["target_date"],
                    citizen=cleaned["citizen"],
                ),
            )
            if refused is None:
                messages.success(request, _("The goal is added."))
                return redirect("plans:detail", plan_id=plan.pk)
            status = refused
    else:
        form = GoalForm(plan=plan, with_status=False, initial={"expected_version": plan.version})
    return _form_page(
        request,
        plan,
        form,
        title=_("Add a goal"),
        submit=_("Add the goal"),
        intro=_("Write the goal as the child, the young person or the family put it."),
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, plan_id: int, goal_id: int) -> HttpResponse:
    plan, staff = _plan_to_edit(request, plan_id)
    goal = _goal(plan, goal_id)
    status = 200
    if request.method == "POST":
        form = GoalForm(request.POST, plan=plan)
        status = 400
        if form.is_valid():
            cleaned = form.cleaned_data
            refused = _run(
                plan,
                form,
                lambda: do_update_goal(
                    actor=staff,
                    goal=goal,
                    expected_version=cleaned["expected_version"],
                    text=cleaned["text"],
                    formulated_by=cleaned["formulated_by"],
                    formulated_by_name=cleaned["formulated_by_name"],
                    target_date=cleaned["target_date"],
                    status=cleaned["status"],
                    citizen=cleaned["citizen"],
                ),
            )
            if refused is None:
                messages.success(request, _("The goal is saved."))
                return redirect("plans:detail", plan_id=plan.pk)
            status = refused
    else:
        form = GoalForm(
            plan=plan,
            initial={
                "expected_version": plan.version,
                "text": goal.text,
                "citizen": goal.citizen_id,
                "formulated_by": goal.formulated_by,
                "formulated_by_name": goal.formulated_by_name,
                "target_date": goal.target_date,
                "status": goal.status,
            },
        )
    return _form_page(
        request, plan, form, title=_("Change the goal"), submit=_("Save"), status=status
    )


# --------------------------------------------------------------------------- efforts


def _effort(plan: Plan, effort_id: int) -> Effort:
    effort = plan.efforts.filter(pk=effort_id).first()
    if effort is None:
        raise Http404("No such effort")
    effort.plan = plan
    return effort


def _effort_arguments(cleaned: dict[str, Any]) -> dict[str, Any]:
    return {
        "expected_version": cleaned["expected_version"],
        "title": cleaned["title"],
        "description": cleaned["description"],
        "citizen": cleaned["citizen"],
        "responsible_unit": cleaned["responsible_unit"],
        "sector": cleaned["sector"],
        "legal_basis": cleaned["legal_basis"],
        "legal_reference": cleaned["legal_reference"],
        "starts_on": cleaned["starts_on"],
        "ends_on": cleaned["ends_on"],
        "monthly_cost": cleaned["monthly_cost"],
        "goals": list(cleaned["goals"]),
        "method": cleaned.get("method"),
        "paying_unit": cleaned.get("paying_unit"),
        "paying_authority": cleaned.get("paying_authority") or "",
    }


@login_required
@require_http_methods(["GET", "POST"])
def effort_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, staff = _plan_to_edit(request, plan_id)
    units = _units(plan)
    paying = _paying_units(plan)
    status = 200
    if request.method == "POST":
        form = EffortForm(request.POST, plan=plan, units=units, paying_units=paying)
        status = 400
        if form.is_valid():
            arguments = _effort_arguments(form.cleaned_data)
            refused = _run(plan, form, lambda: do_add_effort(actor=staff, plan=plan, **arguments))
            if refused is None:
                messages.success(request, _("The effort is added."))
                return redirect("plans:detail", plan_id=plan.pk)
            status = refused
    else:
        form = EffortForm(
            plan=plan,
            units=units,
            paying_units=paying,
            initial={"expected_version": plan.version, "starts_on": today(), "monthly_cost": 0},
        )
    return _form_page(
        request, plan, form, title=_("Add an effort"), submit=_("Add the effort"), status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def effort_edit(request: HttpRequest, plan_id: int, effort_id: int) -> HttpResponse:
    plan, staff = _plan_to_edit(request, plan_id)
    effort = _effort(plan, effort_id)
    units = _units(plan) | Unit.objects.filter(pk=effort.responsible_unit_id)
    paying = _paying_units(plan, effort.paying_unit_id)
    status = 200
    if request.method == "POST":
        form = EffortForm(request.POST, plan=plan, units=units, paying_units=paying)
        status = 400
        if form.is_valid():
            arguments = _effort_arguments(form.cleaned_data)
            refused = _run(
                plan, form, lambda: do_update_effort(actor=staff, effort=effort, **arguments)
            )
            if refused is None:
                messages.success(request, _("The effort is saved."))
                return redirect("plans:detail", plan_id=plan.pk)
            status = refused
    else:
        form = EffortForm(
            plan=plan, units=units, paying_units=paying, initial=EffortForm.initial_from(effort)
        )
    return _form_page(
        request,
        plan,
        form,
        title=_("Change the effort"),
        submit=_("Save"),
        status=status,
        extra={"end_url_effort": effort},
    )


@login_required
@require_http_methods(["GET", "POST"])
def effort_end(request: HttpRequest, plan_id: int, effort_id: int) -> HttpResponse:
    plan, staff = _plan_to_edit(request, plan_id)
    effort = _effort(plan, effort_id)
    status = 200
    if request.method == "POST":
        form = EndEffortForm(request.POST)
        status = 400
        if form.is_valid():
            cleaned = form.cleaned_data
            refused = _run(
                plan,
                form,
                lambda: do_end_effort(
                    actor=staff,
                    effort=effort,
                    expected_version=cleaned["expected_version"],
                    ends_on=cleaned["ends_on"],
                ),
            )
            if refused is None:
                messages.success(request, _("The effort is ended."))
                return redirect("plans:detail", plan_id=plan.pk)
            status = refused
    else:
        form = EndEffortForm(initial={"expected_version": plan.version, "ends_on": today()})
    return _form_page(
        request,
        plan,
        form,
        title=_("End the effort “%(title)s”") % {"title": effort.title},
        submit=_("End the effort"),
        intro=_("The effort stays in the plan as ended, with its history."),
        status=status,
    )


# --------------------------------------------------------------------------- participants


def _assignments(plan: Plan) -> QuerySet[RoleAssignment]:
    """Today's front-line roles in the plan's municipality: a professional and their unit."""
    return (
        RoleAssignment.objects.valid_on(today())
        .filter(role__kind=Role.Kind.FRONTLINE, unit__municipality_id=plan.municipality_id)
        .exclude(staff_id=plan.coordinator_id)
        .exclude(staff__plan_participations__plan=plan)
        .select_related("staff", "unit", "role")
        .order_by("staff__first_name", "staff__last_name", "unit__name", "pk")
    )


def _participants_page(
    request: HttpRequest,
    plan: Plan,
    *,
    form: ParticipantForm | None = None,
    remove_form: VersionedForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "plan": plan,
        "participants": plan.participants.select_related("staff", "unit", "unit__sector"),
        "form": form
        or ParticipantForm(
            assignments=_assignments(plan), initial={"expected_version": plan.version}
        ),
        "remove_form": remove_form,
        "stale": status == 409,
    }
    return render(request, "plans/plan_participants.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def participants(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The professionals in the plan; add one (GET shows the list and the form)."""
    plan, staff = _plan_to_edit(request, plan_id)
    if request.method == "GET":
        return _participants_page(request, plan)
    form = ParticipantForm(request.POST, assignments=_assignments(plan))
    status = 400
    if form.is_valid():
        cleaned = form.cleaned_data
        assignment: RoleAssignment = cleaned["assignment"]
        refused = _run(
            plan,
            form,
            lambda: do_add_participant(
                actor=staff,
                plan=plan,
                expected_version=cleaned["expected_version"],
                staff=assignment.staff,
                unit=assignment.unit,
                role=cleaned["role"],
            ),
        )
        if refused is None:
            messages.success(
                request,
                _("%(name)s takes part in the plan.") % {"name": assignment.staff.full_name},
            )
            return redirect("plans:participants", plan_id=plan.pk)
        status = refused
    return _participants_page(request, plan, form=form, status=status)


@login_required
@require_POST
def participant_remove(request: HttpRequest, plan_id: int, participant_id: int) -> HttpResponse:
    plan, staff = _plan_to_edit(request, plan_id)
    participant = plan.participants.select_related("staff").filter(pk=participant_id).first()
    if participant is None:
        raise Http404("No such participant")
    participant.plan = plan
    form = VersionedForm(request.POST)
    status = 400
    if form.is_valid():
        refused = _run(
            plan,
            form,
            lambda: do_remove_participant(
                actor=staff,
                participant=participant,
                expected_version=form.cleaned_data["expected_version"],
            ),
        )
        if refused is None:
            messages.success(
                request,
                _("%(name)s no longer takes part in the plan.")
                % {"name": participant.staff.full_name},
            )
            return redirect("plans:participants", plan_id=plan.pk)
        status = refused
    return _participants_page(request, plan, remove_form=form, status=status)


# --------------------------------------------------------------------------- members


def _member_candidates(request: HttpRequest, plan: Plan) -> QuerySet[Citizen]:
    """Relatives of the plan's members whom the user may see, not yet in the plan."""
    in_plan = plan.members.values("citizen_id")
    relatives: set[int] = set()
    for citizen in plan.citizens():
        for related in (citizen.guardians(), citizen.siblings(), citizen.children_in_care()):
            relatives.update(related.values_list("pk", flat=True))
    return (
        policy.visible_citizens(request.user)
        .filter(pk__in=relatives)
        .exclude(pk__in=in_plan)
        .order_by("first_name", "last_name")
    )


def _members_page(
    request: HttpRequest,
    plan: Plan,
    *,
    add_form: AddMemberForm | None = None,
    bound: OccupationForm | None = None,
    bound_member: int | None = None,
    status: int = 200,
) -> HttpResponse:
    candidates = _member_candidates(request, plan) if plan.kind == Plan.Kind.FAMILY else None
    if candidates is not None:
        # Relatives are offered by name as members to add.
        trail.log_list(request.user, candidates.values_list("pk", flat=True), what="plans:members")
    rows = []
    for member in plan.members.select_related("citizen").order_by("pk"):
        if bound is not None and member.pk == bound_member:
            form = bound
        else:
            form = OccupationForm(
                prefix=f"m{member.pk}",
                initial={"expected_version": plan.version, "occupation": member.occupation},
            )
        rows.append((member, form))
    context: dict[str, Any] = {
        "plan": plan,
        "rows": rows,
        "add_form": add_form
        or (
            AddMemberForm(candidates=candidates, initial={"expected_version": plan.version})
            if candidates is not None
            else None
        ),
        "stale": status == 409,
    }
    return render(request, "plans/plan_members.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The citizens the plan is about; add a family member to a family plan."""
    plan, staff = _plan_to_edit(request, plan_id)
    if request.method == "GET":
        return _members_page(request, plan)
    form = AddMemberForm(request.POST, candidates=_member_candidates(request, plan))
    status = 400
    if form.is_valid():
        cleaned = form.cleaned_data
        refused = _run(
            plan,
            form,
            lambda: do_add_member(
                actor=staff,
                plan=plan,
                expected_version=cleaned["expected_version"],
                citizen=cleaned["citizen"],
                role=cleaned["role"],
                occupation=cleaned["occupation"],
            ),
        )
        if refused is None:
            messages.success(
                request, _("%(name)s is added to the plan.") % {"name": cleaned["citizen"]}
            )
            return redirect("plans:members", plan_id=plan.pk)
        status = refused
    return _members_page(request, plan, add_form=form, status=status)


@login_required
@require_POST
def member_occupation(request: HttpRequest, plan_id: int, member_id: int) -> HttpResponse:
    plan, staff = _plan_to_edit(request, plan_id)
    member = plan.members.select_related("citizen").filter(pk=member_id).first()
    if member is None:
        raise Http404("No such member")
    member.plan = plan
    form = OccupationForm(request.POST, prefix=f"m{member.pk}")
    status = 400
    if form.is_valid():
        cleaned = form.cleaned_data
        refused = _run(
            plan,
            form,
            lambda: do_set_occupation(
                actor=staff,
                member=member,
                expected_version=cleaned["expected_version"],
                occupation=cleaned["occupation"],
            ),
        )
        if refused is None:
            messages.success(
                request,
                _("The job or education status of %(name)s is saved.")
                % {"name": member.citizen.full_name},
            )
            return redirect("plans:members", plan_id=plan.pk)
        status = refused
    return _members_page(request, plan, bound=form, bound_member=member.pk, status=status)


# --------------------------------------------------------------------------- versions


@login_required
@require_GET
def history(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Every version of the plan: who changed what, when, newest first."""
    plan = policy.get_plan_for_staff(request.user, plan_id)
    page = Paginator(
        plan.versions.select_related("changed_by").order_by("-number"), VERSIONS_PER_PAGE
    ).get_page(request.GET.get("page"))
    shown: list[PlanVersion] = list(page)
    previous = {
        v.number: v.snapshot
        for v in plan.versions.filter(number__in=[v.number - 1 for v in shown]).only(
            "number", "snapshot"
        )
    }
    entries = [(v, versions.changes(previous.get(v.number - 1), v.snapshot)) for v in shown]
    context: dict[str, Any] = {"plan": plan, "page": page, "entries": entries}
    return render(request, "plans/plan_history.html", context)


@login_required
@require_GET
def version(request: HttpRequest, plan_id: int, number: int) -> HttpResponse:
    """The plan exactly as it was in one earlier version, from its snapshot."""
    plan = policy.get_plan_for_staff(request.user, plan_id)
    old = plan.versions.select_related("changed_by").filter(number=number).first()
    if old is None:
        raise Http404("No such version")
    on = timezone.localdate(old.changed_at)
    context: dict[str, Any] = {
        "plan": plan,
        "body": _present_snapshot(old.snapshot, on),
        "can_edit": False,
        "old_version": old,
    }
    return render(request, "plans/plan_version.html", context)


urlpatterns: list[URLPattern] = [
    path("plans/", plan_list, name="list"),
    path("plans/new/", create, name="create"),
    path("plans/<int:plan_id>/", detail, name="detail"),
    path("plans/<int:plan_id>/edit/", edit, name="edit"),
    path("plans/<int:plan_id>/close/", close, name="close"),
    path("plans/<int:plan_id>/goals/new/", goal_add, name="goal_add"),
    path("plans/<int:plan_id>/goals/<int:goal_id>/", goal_edit, name="goal_edit"),
    path("plans/<int:plan_id>/efforts/new/", effort_add, name="effort_add"),
    path("plans/<int:plan_id>/efforts/<int:effort_id>/", effort_edit, name="effort_edit"),
    path("plans/<int:plan_id>/efforts/<int:effort_id>/end/", effort_end, name="effort_end"),
    path("plans/<int:plan_id>/participants/", participants, name="participants"),
    path(
        "plans/<int:plan_id>/participants/<int:participant_id>/remove/",
        participant_remove,
        name="participant_remove",
    ),
    path("plans/<int:plan_id>/members/", members, name="members"),
    path(
        "plans/<int:plan_id>/members/<int:member_id>/occupation/",
        member_occupation,
        name="member_occupation",
    ),
    path("plans/<int:plan_id>/versions/", history, name="history"),
    path("plans/<int:plan_id>/versions/<int:number>/", version, name="version"),
]
