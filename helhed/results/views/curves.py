"""Turning the curve: the plans a user may see, starting one, its six steps, actions; freshness.

Who sees a plan is ``policy.visible_curves`` (the units whose results the user
sees; 404 otherwise); who changes it ``policy.can_edit_curve`` (its owner and
the unit's leaders; 403 otherwise); an action is also marked done or
cancelled by its owner. Every change goes through
``helhed.results.actions.curves``. The freshness page is here too: it scores
how far leaders have come with exactly this work (data, narratives, forecasts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helhed import policy
from helhed.lib.validity import today
from helhed.organisation.models import Staff
from helhed.results.actions.curves import (
    STEP_FIELDS,
    DuplicateCurveError,
    action_owner_candidates,
    active_curve,
    do_add_curve_action,
    do_close_curve,
    do_set_forecast,
    do_start_curve,
    do_update_curve_action,
    do_update_curve_steps,
    is_overdue,
    latest_value_period,
    stored_forecast,
)
from helhed.results.charts import trend_svg
from helhed.results.forecast import linear_forecast
from helhed.results.forms.curves import (
    STEPS,
    CurveActionForm,
    CurveFilterForm,
    CurveStepForm,
    ForecastForm,
    StartCurveForm,
)
from helhed.results.freshness import Freshness, leader_freshness
from helhed.results.models import CurveAction, CurvePlan, Indicator, Marker
from helhed.results.periods import Frequency, Period
from helhed.results.status import IndicatorStatus, format_value, status_for

CURVES_PER_PAGE = 25
ACTIONS_PER_PAGE = 50
FORECAST_STEPS = 4
# Enough rows for the forecast the action accepts (12) and a few typed past it, so the
# action, not the form, says "at most 12".
MAX_FORECAST_ROWS = 20
# ASCII digits only: "²" passes str.isdigit() but not int().
_ID = re.compile(r"[0-9]{1,18}")
_ROW_KEY = re.compile(r"(?:period|value)_([0-9]{1,4})")


# --------------------------------------------------------------------------- helpers


def _curve_to_edit(request: HttpRequest, curve_id: int) -> tuple[CurvePlan, Staff]:
    """The plan (404 if invisible) and the editor (403 if they may only read it)."""
    curve = policy.get_curve_for_user(request.user, curve_id)
    if not curve.is_active:
        raise PermissionDenied(_("The plan is closed and can no longer be changed."))
    if not policy.can_edit_curve(request.user, curve):
        raise PermissionDenied(_("Only the plan's owner and the unit's leaders can change it."))
    return curve, policy.staff_or_404(request.user)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    # Only a path on this site: redirect() would take anything else for a view name (a 500).
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def baseline_status(curve: CurvePlan) -> IndicatorStatus:
    """The unit's status at the indicator's last complete period: step 2's baseline."""
    period = Period.last_complete(today(), curve.indicator.frequency)
    return status_for(curve.indicator, curve.unit, period)


def _forecast_proposal(
    curve: CurvePlan, status: IndicatorStatus
) -> list[tuple[Period, Decimal | None]]:
    """What the forecast form starts from: the stored forecast, else the straight line.

    With too few values for a line, the next periods after the latest value
    are offered with empty values, for the leader to fill in.
    """
    stored = stored_forecast(curve)
    if stored:
        return list(stored)
    line = linear_forecast(status.series, FORECAST_STEPS)
    if line:
        return list(line)
    after = latest_value_period(curve) or Period.last_complete(today(), curve.indicator.frequency)
    return [(after.shift(step), None) for step in range(1, FORECAST_STEPS + 1)]


@dataclass
class ActionRow:
    action: CurveAction
    overdue: bool
    can_update: bool


def _action_rows(request: HttpRequest, actions: list[CurveAction]) -> list[ActionRow]:
    on = today()
    return [
        ActionRow(a, is_overdue(a, on), policy.can_update_curve_action(request.user, a))
        for a in actions
    ]


def _forecast_row_count(data: Any) -> int:
    indexes = [int(match[1]) for key in data if (match := _ROW_KEY.fullmatch(key)) is not None]
    return min(max(indexes, default=-1) + 1, MAX_FORECAST_ROWS)


def _detail(
    request: HttpRequest,
    curve: CurvePlan,
    *,
    step_forms: dict[str, CurveStepForm] | None = None,
    forecast_form: ForecastForm | None = None,
    action_form: CurveActionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The plan page: the six steps, each with its form for those who may edit."""
    can_edit = curve.is_active and policy.can_edit_curve(request.user, curve)
    indicator = curve.indicator
    baseline = baseline_status(curve)
    stored = stored_forecast(curve)
    proposal = _forecast_proposal(curve, baseline)
    plotted = stored or [(p, v) for p, v in proposal if v is not None]
    step_forms = step_forms or {}
    steps = []
    for name in STEP_FIELDS:
        number, label, _hint = STEPS[name]
        form = step_forms.get(name)
        if form is None and can_edit:
            form = CurveStepForm(step=name, initial={name: getattr(curve, name)})
        steps.append(
            {
                "name": name,
                "number": number,
                "label": label,
                "text": getattr(curve, name),
                "form": form,
            }
        )
    if forecast_form is None and can_edit:
        forecast_form = ForecastForm(
            rows=min(len(proposal) + 2, MAX_FORECAST_ROWS),
            initial=ForecastForm.initial_for(proposal),
        )
    if action_form is None and can_edit:
        action_form = CurveActionForm(owners=action_owner_candidates(curve.unit.municipality_id))
    table = [
        {
            "period": point.period,
            "value": _("hidden (fewer than 5)")
            if point.suppressed
            else format_value(indicator, point.value),
            "target": format_value(indicator, point.target),
            "forecast": "",
        }
        for point in baseline.series
    ]
    table += [
        {"period": p, "value": "", "target": "", "forecast": format_value(indicator, v)}
        for p, v in plotted
    ]
    actions = list(
        curve.actions.select_related("owner").order_by(
            Case(When(status=CurveAction.Status.OPEN, then=Value(0)), default=Value(1)),
            "due_on",
            "pk",
        )
    )
    context: dict[str, Any] = {
        "curve": curve,
        "indicator": indicator,
        "can_edit": can_edit,
        "status": baseline,
        "chart": trend_svg(baseline, forecast=plotted),
        "table": table,
        "forecast_is_set": bool(stored),
        "forecast_proposed": bool(plotted) and not stored,
        "steps_before": steps[:1],
        "steps_after": steps[1:],
        "forecast_form": forecast_form,
        "action_form": action_form,
        "actions": _action_rows(request, actions),
    }
    return render(request, "results/curve_detail.html", context, status=status)


# --------------------------------------------------------------------------- the list


@login_required
@require_GET
def curve_list(request: HttpRequest) -> HttpResponse:
    """The plans the user may see, their own first; active by default, searchable."""
    staff = policy.staff_or_404(request.user)
    form = CurveFilterForm(request.GET or None)
    query, state = "", "active"
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        state = form.cleaned_data["state"] or "active"
    curves = policy.visible_curves(request.user)
    if state == "active":
        curves = curves.filter(is_active=True)
    elif state == "closed":
        curves = curves.filter(is_active=False)
    for word in query.split():
        curves = curves.filter(Q(indicator__name__icontains=word) | Q(unit__name__icontains=word))
    curves = (
        curves.select_related("indicator", "unit", "owner")
        .annotate(
            mine=Case(
                When(owner=staff, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
            open_actions=Count("actions", filter=Q(actions__status=CurveAction.Status.OPEN)),
        )
        .order_by("mine", "-updated_at", "pk")
    )
    page = Paginator(curves, CURVES_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "form": form, "query": query, "state": state, "staff": staff}
    return render(request, "results/curve_list.html", context)


# --------------------------------------------------------------------------- starting


@login_required
@require_http_methods(["GET", "POST"])
def curve_start(request: HttpRequest) -> HttpResponse:
    """Start turning the curve for ``?indicator=<id>&unit=<id>``; one active plan per pair."""
    staff = policy.staff_or_404(request.user)
    unit_raw, indicator_raw = request.GET.get("unit", ""), request.GET.get("indicator", "")
    if not _ID.fullmatch(unit_raw) or not _ID.fullmatch(indicator_raw):
        raise Http404("Name the indicator and the unit")
    unit = policy.get_unit_for_results(request.user, int(unit_raw))
    if not policy.can_start_curve(request.user, unit):
        raise PermissionDenied(_("Only the unit's leaders can start turning a curve for it."))
    indicator = Indicator.objects.filter(
        pk=int(indicator_raw), municipality_id=unit.municipality_id, is_active=True
    ).first()
    if indicator is None:
        raise Http404("No such indicator")
    existing = active_curve(indicator, unit)
    if existing is not None:
        messages.info(request, _("There is already an active plan for this curve: here it is."))
        return redirect("results:curve", curve_id=existing.pk)
    form = StartCurveForm(request.POST if request.method == "POST" else None)
    status_code = 200
    if request.method == "POST":
        status_code = 400
        if form.is_valid():
            try:
                curve = do_start_curve(
                    actor=staff, indicator=indicator, unit=unit, **form.cleaned_data
                )
            except DuplicateCurveError as exc:
                messages.info(request, exc.messages[0])
                return redirect("results:curve", curve_id=exc.curve.pk)
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The plan to turn the curve is started."))
                return redirect("results:curve", curve_id=curve.pk)
    period = Period.last_complete(today(), indicator.frequency)
    status = status_for(indicator, unit, period)
    context = {"indicator": indicator, "unit": unit, "form": form, "status": status}
    return render(request, "results/curve_start.html", context, status=status_code)


# --------------------------------------------------------------------------- the plan


@login_required
@require_GET
def curve_detail(request: HttpRequest, curve_id: int) -> HttpResponse:
    """The six steps of turning the curve for one indicator and unit."""
    curve = policy.get_curve_for_user(request.user, curve_id)
    return _detail(request, curve)


@login_required
@require_POST
def curve_step(request: HttpRequest, curve_id: int, step: str) -> HttpResponse:
    """Save one of the text steps (1, 3, 4, 5)."""
    curve, staff = _curve_to_edit(request, curve_id)
    if step not in STEP_FIELDS:
        raise Http404("No such step")
    form = CurveStepForm(request.POST, step=step)
    if form.is_valid():
        try:
            do_update_curve_steps(actor=staff, curve=curve, changes={step: form.cleaned_data[step]})
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("Step %(number)s is saved.") % {"number": STEPS[step][0]})
            return redirect(reverse("results:curve", args=[curve.pk]) + f"#step-{step}")
    return _detail(request, curve, step_forms={step: form}, status=400)


@login_required
@require_POST
def curve_forecast(request: HttpRequest, curve_id: int) -> HttpResponse:
    """Set the forecast if nothing changes (step 2)."""
    curve, staff = _curve_to_edit(request, curve_id)
    form = ForecastForm(request.POST, rows=_forecast_row_count(request.POST))
    if form.is_valid():
        try:
            do_set_forecast(actor=staff, curve=curve, rows=form.rows())
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("The forecast is set."))
            return redirect(reverse("results:curve", args=[curve.pk]) + "#step-baseline")
    return _detail(request, curve, forecast_form=form, status=400)


@login_required
@require_POST
def curve_action_add(request: HttpRequest, curve_id: int) -> HttpResponse:
    """Add an action with an owner and a due date (step 6)."""
    curve, staff = _curve_to_edit(request, curve_id)
    form = CurveActionForm(request.POST, owners=action_owner_candidates(curve.unit.municipality_id))
    if form.is_valid():
        try:
            do_add_curve_action(actor=staff, curve=curve, **form.cleaned_data)
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("The action is added."))
            return redirect(reverse("results:curve", args=[curve.pk]) + "#step-actions")
    return _detail(request, curve, action_form=form, status=400)


@login_required
@require_POST
def curve_action_update(request: HttpRequest, action_id: int) -> HttpResponse:
    """Mark an action done or cancelled: its owner, or those who edit the plan."""
    action = policy.get_curve_action_for_user(request.user, action_id)
    staff = policy.staff_or_404(request.user)
    if not policy.can_update_curve_action(request.user, action):
        raise PermissionDenied(_("Only the action's owner and the plan's editors can change it."))
    fallback = reverse("results:curve", args=[action.curve_id]) + "#step-actions"
    if not policy.visible_curves(request.user).filter(pk=action.curve_id).exists():
        fallback = reverse("results:curve_actions")
    try:
        do_update_curve_action(actor=staff, action=action, status=request.POST.get("status", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_safe_next(request, fallback))
    if action.status == CurveAction.Status.DONE:
        messages.success(request, _("The action is marked done."))
    else:
        messages.success(request, _("The action is cancelled."))
    return redirect(_safe_next(request, fallback))


@login_required
@require_http_methods(["GET", "POST"])
def curve_close(request: HttpRequest, curve_id: int) -> HttpResponse:
    """Close the plan after a confirmation; it stays readable."""
    curve, staff = _curve_to_edit(request, curve_id)
    if request.method == "POST":
        do_close_curve(actor=staff, curve=curve)
        messages.success(request, _("The plan is closed."))
        return redirect("results:curve", curve_id=curve.pk)
    return render(request, "results/curve_close.html", {"curve": curve})


@login_required
@require_GET
def my_curve_actions(request: HttpRequest) -> HttpResponse:
    """The curve actions the user owns: open ones first, overdue ones flagged."""
    staff = policy.staff_or_404(request.user)
    actions = (
        CurveAction.objects.filter(owner=staff)
        .select_related("curve", "curve__indicator", "curve__unit", "owner")
        .order_by(
            Case(When(status=CurveAction.Status.OPEN, then=Value(0)), default=Value(1)),
            "due_on",
            "pk",
        )
    )
    page = Paginator(actions, ACTIONS_PER_PAGE).get_page(request.GET.get("page"))
    rows = _action_rows(request, list(page))
    visible = set(
        policy.visible_curves(request.user)
        .filter(pk__in={row.action.curve_id for row in rows})
        .values_list("pk", flat=True)
    )
    context = {"page": page, "rows": rows, "visible": visible}
    return render(request, "results/curve_actions.html", context)


# --------------------------------------------------------------------------- freshness


@dataclass
class OwnerRow:
    owner: Staff
    markers: int
    freshness: Freshness


def _sort_key(row: OwnerRow, descending: bool) -> tuple[int, float, str]:
    score = row.freshness.score
    # Owners without a score go last in either direction.
    if score is None:
        return (1, 0.0, row.owner.full_name)
    return (0, -score if descending else score, row.owner.full_name)


@login_required
@require_GET
def freshness(request: HttpRequest) -> HttpResponse:
    """The user's own freshness score; for results managers, every marker owner's."""
    if not policy.can_view_freshness(request.user):
        raise PermissionDenied(_("Freshness scores are for leaders and analysts."))
    staff = policy.staff_or_404(request.user)
    code = request.GET.get("period", "").strip()[:20]
    period = Period.last_complete(today(), Frequency.QUARTERLY)
    error = ""
    if code:
        try:
            period = Period.parse(code)
        except ValidationError as exc:
            error = exc.messages[0]
    sort = request.GET.get("sort", "")
    if sort not in ("score", "-score"):
        sort = "name"
    owners: list[OwnerRow] = []
    manages = policy.can_manage_results(request.user)
    if manages and not error:
        counts = dict(
            Marker.objects.filter(
                ambition__municipality_id=staff.municipality_id,
                ambition__is_active=True,
                ambition__first_year__lte=period.year,
                ambition__last_year__gte=period.year,
            )
            .values_list("owner_id")
            .annotate(n=Count("pk"))
            .values_list("owner_id", "n")
        )
        for owner in Staff.objects.filter(pk__in=counts).order_by("first_name", "last_name"):
            owners.append(OwnerRow(owner, counts[owner.pk], leader_freshness(owner, period)))
        if sort != "name":
            owners.sort(key=lambda row: _sort_key(row, descending=sort == "-score"))
    context = {
        "period": period,
        "period_code": code or period.code,
        "error": error,
        "mine": None if error else leader_freshness(staff, period),
        "manages": manages,
        "owners": owners,
        "sort": sort,
    }
    return render(request, "results/freshness_page.html", context, status=400 if error else 200)


urlpatterns: list[URLPattern] = [
    path("curves/", curve_list, name="curves"),
    path("curves/new/", curve_start, name="curve_start"),
    path("curves/actions/", my_curve_actions, name="curve_actions"),
    path("curves/actions/<int:action_id>/", curve_action_update, name="curve_action_update"),
    path("curves/<int:curve_id>/", curve_detail, name="curve"),
    path("curves/<int:curve_id>/steps/<slug:step>/", curve_step, name="curve_step"),
    path("curves/<int:curve_id>/forecast/", curve_forecast, name="curve_forecast"),
    path("curves/<int:curve_id>/actions/", curve_action_add, name="curve_action_add"),
    path("curves/<int:curve_id>/close/", curve_close, name="curve_close"),
    path("freshness/", freshness, name="freshness"),
]
