"""Pages: the trial portfolio, one trial, its money, evidence and stories, and grant decisions.

Every staff member of the municipality reads the trials and the portfolio
(404 for anyone else and another municipality's trials). A leader creates a
trial (``policy.can_create_trial``); its owner and participants change it,
record expenses, write evaluations and link shared stories
(``policy.can_edit_trial``); the owner applies for a grant; the forum's chair
or secretary decides the application; the owner or a leader of one of its
units or above decides the outcome. Others get 403.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helhed import policy
from helhed.lib.exports import spreadsheet_safe
from helhed.lib.validity import today
from helhed.lib.views import query_without_page
from helhed.results.charts import trend_svg
from helhed.results.status import format_value
from helhed.trials.actions import trials as actions
from helhed.trials.forms.trials import (
    ApplicationDecisionForm,
    ApplicationForm,
    EvaluationForm,
    ExpenseForm,
    OutcomeForm,
    StoryLinkForm,
    TrialFilterForm,
    TrialForm,
)
from helhed.trials.models import Application, Trial

TRIALS_PER_PAGE = 25
# Beyond this many units a plot per unit crowds the page; the tables remain.
MAX_PLOTTED_UNITS = 4


# --------------------------------------------------------------------------- the portfolio


def portfolio(request: HttpRequest) -> tuple[TrialFilterForm, QuerySet[Trial]]:
    """The visible trials filtered by the query string, with their money annotated."""
    visible = policy.visible_trials(request.user)
    filters = TrialFilterForm(
        request.GET,
        units=policy.visible_units(request.user)
        .filter(trials__in=visible)
        .distinct()
        .order_by("path"),
        forums=policy.visible_forums(request.user)
        .filter(applications__trial__in=visible)
        .distinct()
        .order_by("name"),
    )
    trials = actions.search_trials(visible, filters.value("q"))
    if filters.value("status"):
        trials = actions.filter_status(trials, filters.value("status"))
    if filters.value("unit"):
        trials = trials.filter(units=filters.value("unit"))
    if filters.value("forum"):
        trials = trials.filter(applications__forum=filters.value("forum"))
    trials = Trial.objects.filter(pk__in=trials.values("pk"))
    return filters, actions.with_money(trials).select_related("owner").order_by("-starts_on", "-pk")


@login_required
@require_GET
def trials_list(request: HttpRequest) -> HttpResponse:
    """The portfolio: every trial with money granted and spent and the evidence so far."""
    policy.staff_with_role_or_404(request.user)
    filters, trials = portfolio(request)
    totals = actions.total_money(trials)
    page = Paginator(trials, TRIALS_PER_PAGE).get_page(request.GET.get("page"))
    directions = actions.latest_directions([t.pk for t in page])
    rows = [
        {
            "trial": t,
            "status": actions.display_status(t),
            "left": t.granted - t.spent,  # type: ignore[attr-defined]
            "direction": directions[t.pk],
            "direction_label": actions.Direction.LABELS[directions[t.pk]],
        }
        for t in page
    ]
    context: dict[str, Any] = {
        "page": page,
        "rows": rows,
        "filters": filters,
        "querystring": query_without_page(request),
        "searched": any(filters.value(name) for name in filters.fields),
        "totals": {
            "count": page.paginator.count,
            "granted": totals.granted,
            "spent": totals.spent,
            "left": totals.left,
        },
        "can_create": policy.can_create_trial(request.user),
        "to_decide": policy.applications_to_decide(request.user)
        .select_related("trial", "forum", "applied_by")
        .order_by("applied_on", "pk"),
    }
    return render(request, "trials/trials_list.html", context)


@login_required
@require_GET
def trials_export(request: HttpRequest) -> HttpResponse:
    """The filtered portfolio as CSV, one row per trial."""
    policy.staff_with_role_or_404(request.user)
    _filters, trials = portfolio(request)
    trials = trials[:10_000]
    directions = actions.latest_directions([t.pk for t in trials])
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="trial-portfolio.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Trial"),
            _("Owner"),
            _("Status"),
            _("Starts on"),
            _("Ends on"),
            _("Budget (DKK)"),
            _("Granted (DKK)"),
            _("Spent (DKK)"),
            _("Left (DKK)"),
            _("Evaluations"),
            _("Latest effect"),
            _("Decision"),
        ]
    )
    for t in trials:
        granted, spent = t.granted, t.spent  # type: ignore[attr-defined]
        writer.writerow(
            [
                spreadsheet_safe(t.title),
                spreadsheet_safe(t.owner.full_name),
                actions.display_status(t),
                t.starts_on.isoformat(),
                t.ends_on.isoformat(),
                f"{t.budget:.2f}",
                f"{granted:.2f}",
                f"{spent:.2f}",
                f"{granted - spent:.2f}",
                t.evaluation_count,  # type: ignore[attr-defined]
                actions.Direction.LABELS[directions[t.pk]],
                t.get_outcome_display(),
            ]
        )
    return response


# --------------------------------------------------------------------------- creating and changing


def _trial_form(request: HttpRequest, **kwargs: Any) -> TrialForm:
    return TrialForm(
        request.POST if request.method == "POST" else None,
        staff=policy.trial_staff_candidates(request.user).order_by("first_name", "last_name"),
        units=policy.visible_units(request.user).valid_on(today()).order_by("path"),
        indicators=policy.visible_indicators(request.user).order_by("name"),
        **kwargs,
    )


@login_required
@require_http_methods(["GET", "POST"])
def trial_create(request: HttpRequest) -> HttpResponse:
    """Start a trial: hypothesis, owner, units across sectors, indicators, period, budget."""
    staff = policy.staff_with_role_or_404(request.user)
    if not policy.can_create_trial(request.user):
        raise PermissionDenied(_("Only leaders start trial actions."))
    form = _trial_form(
        request, initial={"owner": staff.pk, "starts_on": today(), "budget": actions.ZERO}
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                trial = actions.do_create_trial(actor=staff, **form.cleaned_data)
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The trial is created."))
                return redirect("trials:detail", trial_id=trial.pk)
    return render(request, "trials/trials_form.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def trial_edit(request: HttpRequest, trial_id: int) -> HttpResponse:
    """Change the trial's details (owner and participants, while it is undecided)."""
    trial = policy.get_trial_for_user(request.user, trial_id)
    if not policy.can_edit_trial(request.user, trial):
        raise PermissionDenied(
            _("Only the trial's owner and participants change an undecided trial.")
        )
    form = _trial_form(request, initial=TrialForm.initial_for(trial))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                actions.do_edit_trial(
                    actor=policy.staff_with_role_or_404(request.user),
                    trial=trial,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The trial is changed."))
                return redirect("trials:detail", trial_id=trial.pk)
    return render(request, "trials/trials_form.html", {"form": form, "trial": trial}, status=status)


# --------------------------------------------------------------------------- one trial


def indicator_rows(trial: Trial) -> list[dict[str, Any]]:
    """Per watched indicator, its latest value for each unit taking part, with its series.

    Hidden values (fewer than five persons) stay hidden in the table and the plot.
    """
    found = actions.latest_statuses(trial)
    plot = len({status.unit.pk for status in found}) <= MAX_PLOTTED_UNITS
    rows: list[dict[str, Any]] = []
    for status in found:
        if not rows or rows[-1]["indicator"].pk != status.indicator.pk:
            rows.append({"indicator": status.indicator, "cells": []})
        rows[-1]["cells"].append(
            {
                "status": status,
                "svg": trend_svg(status) if plot else "",
                "series": [
                    {
                        "label": point.period.label,
                        "value": format_value(status.indicator, point.value),
                        "suppressed": point.suppressed,
                    }
                    for point in reversed(status.series)
                    if point.value is not None or point.suppressed
                ],
            }
        )
    return rows


def _detail(
    request: HttpRequest, trial: Trial, forms: dict[str, Form] | None = None, status: int = 200
) -> HttpResponse:
    forms = forms or {}
    can_edit = policy.can_edit_trial(request.user, trial)
    can_outcome = policy.can_decide_trial_outcome(request.user, trial)
    evaluations = actions.evaluations(trial)
    linked = policy.trial_stories(request.user, trial).only("pk", "anonymised_text", "written_on")
    context: dict[str, Any] = {
        "trial": trial,
        "status": actions.display_status(trial),
        "units": trial.units.select_related("sector").order_by("path"),
        "participants": trial.participants.order_by("first_name", "last_name"),
        "money": actions.money(trial),
        "indicator_rows": indicator_rows(trial),
        "evaluations": [
            {
                "evaluation": evaluation,
                "effects": effects,
                "direction": actions.Direction.LABELS[actions.overall_direction(effects)],
                "baseline_only": not any(e.against_comparison for e in effects),
            }
            for evaluation, effects in evaluations
        ],
        "has_final": any(e.kind == "final" for e, _x in evaluations),
        "stories": linked.order_by("-written_on", "-pk"),
        "applications": trial.applications.select_related("forum", "decision", "applied_by"),
        "expenses": trial.expenses.select_related("recorded_by"),
        "can_edit": can_edit,
        "can_apply": policy.can_apply_for_grant(request.user, trial),
        "can_outcome": can_outcome,
        "expense_form": forms.get("expense")
        or (ExpenseForm(initial={"spent_on": today()}) if can_edit else None),
        "story_form": forms.get("story")
        or (StoryLinkForm(stories=_linkable_stories(request, trial)) if can_edit else None),
        "outcome_form": forms.get("outcome") or (OutcomeForm() if can_outcome else None),
    }
    return render(request, "trials/trials_detail.html", context, status=status)


def _linkable_stories(request: HttpRequest, trial: Trial) -> Any:
    return (
        policy.shared_stories(request.user)
        .exclude(pk__in=trial.stories.values("story_id"))
        .only("pk", "anonymised_text", "written_on")
        .order_by("-written_on", "-pk")
    )


@login_required
@require_GET
def trial_detail(request: HttpRequest, trial_id: int) -> HttpResponse:
    """The trial: hypothesis, who, period, money, indicators, evaluations, stories, decision."""
    return _detail(request, policy.get_trial_for_user(request.user, trial_id))


def _editable(request: HttpRequest, trial_id: int) -> Trial:
    trial = policy.get_trial_for_user(request.user, trial_id)
    if not policy.can_edit_trial(request.user, trial):
        raise PermissionDenied(
            _("Only the trial's owner and participants change an undecided trial.")
        )
    return trial


@login_required
@require_POST
def expense_add(request: HttpRequest, trial_id: int) -> HttpResponse:
    """Record money spent on the trial."""
    trial = _editable(request, trial_id)
    form = ExpenseForm(request.POST)
    if form.is_valid():
        try:
            actions.do_record_expense(
                actor=policy.staff_with_role_or_404(request.user), trial=trial, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("The expense is recorded."))
            return redirect("trials:detail", trial_id=trial.pk)
    return _detail(request, trial, {"expense": form}, status=422)


@login_required
@require_POST
def story_link(request: HttpRequest, trial_id: int) -> HttpResponse:
    """Link an everyday story shared anonymised in the municipality."""
    trial = _editable(request, trial_id)
    form = StoryLinkForm(request.POST, stories=_linkable_stories(request, trial))
    if form.is_valid():
        try:
            actions.do_link_story(
                actor=policy.staff_with_role_or_404(request.user), trial=trial, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("The story is linked."))
            return redirect("trials:detail", trial_id=trial.pk)
    return _detail(request, trial, {"story": form}, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_create(request: HttpRequest, trial_id: int) -> HttpResponse:
    """Write an interim or the final evaluation, per indicator against a comparison or baseline."""
    trial = _editable(request, trial_id)
    form = EvaluationForm(
        request.POST if request.method == "POST" else None,
        indicators=list(trial.indicators.order_by("name")),
        initial={"evaluated_on": today()},
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            results = form.results()
            if form.is_valid():
                data = {k: v for k, v in form.cleaned_data.items() if not k.startswith("ind_")}
                try:
                    actions.do_write_evaluation(
                        actor=policy.staff_with_role_or_404(request.user),
                        trial=trial,
                        results=results,
                        **data,
                    )
                except ValidationError as exc:
                    form.add_action_errors(exc)
                else:
                    messages.success(request, _("The evaluation is recorded."))
                    return redirect("trials:detail", trial_id=trial.pk)
    context = {"form": form, "trial": trial}
    return render(request, "trials/trials_evaluation.html", context, status=status)


@login_required
@require_POST
def outcome_decide(request: HttpRequest, trial_id: int) -> HttpResponse:
    """Scale, adjust or stop the trial, with a reason (after its final evaluation)."""
    trial = policy.get_trial_for_user(request.user, trial_id)
    if not policy.can_decide_trial_outcome(request.user, trial):
        raise PermissionDenied(
            _("Only the trial's owner or a leader of one of its units decides its outcome.")
        )
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            actions.do_decide_outcome(
                actor=policy.staff_with_role_or_404(request.user), trial=trial, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect("trials:detail", trial_id=trial.pk)
    return _detail(request, trial, {"outcome": form}, status=422)


# --------------------------------------------------------------------------- grants


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request: HttpRequest, trial_id: int) -> HttpResponse:
    """The owner applies to a forum that may grant, for an amount with a reason."""
    trial = policy.get_trial_for_user(request.user, trial_id)
    if not policy.can_apply_for_grant(request.user, trial):
        raise PermissionDenied(_("Only the trial's owner applies for a grant."))
    form = ApplicationForm(
        request.POST if request.method == "POST" else None,
        forums=policy.granting_forums(request.user).order_by("name"),
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                application = actions.do_apply_for_grant(
                    actor=policy.staff_with_role_or_404(request.user),
                    trial=trial,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The application is sent to the forum."))
                return redirect("trials:application", application_id=application.pk)
    context = {"form": form, "trial": trial}
    return render(request, "trials/trials_apply.html", context, status=status)


def _application(
    request: HttpRequest,
    application: Application,
    form: ApplicationDecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_decide = policy.can_decide_application(request.user, application)
    context = {
        "application": application,
        "trial": application.trial,
        "forum": application.forum,
        "can_decide": can_decide,
        "form": form or (ApplicationDecisionForm() if can_decide else None),
    }
    return render(request, "trials/trials_application.html", context, status=status)


@login_required
@require_GET
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    """A grant application, with the forum's decision when it is made."""
    return _application(request, policy.get_application_for_user(request.user, application_id))


@login_required
@require_POST
def application_decide(request: HttpRequest, application_id: int) -> HttpResponse:
    """The forum's chair or secretary grants (within the limit and budget left) or refuses."""
    application = policy.get_application_for_user(request.user, application_id)
    if not policy.can_decide_application(request.user, application):
        raise PermissionDenied(
            _("Only the forum's chair or secretary decides a pending application.")
        )
    form = ApplicationDecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_decide_application(
                actor=policy.staff_with_role_or_404(request.user),
                application=application,
                grant=data["decision"] == "grant",
                text=data["text"],
                mandate_basis=data["mandate_basis"],
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("The forum's decision is recorded."))
            return redirect("trials:application", application_id=application.pk)
    return _application(request, application, form, status=422)


urlpatterns: list[URLPattern] = [
    path("", trials_list, name="list"),
    path("export.csv", trials_export, name="export"),
    path("new/", trial_create, name="create"),
    path("<int:trial_id>/", trial_detail, name="detail"),
    path("<int:trial_id>/edit/", trial_edit, name="edit"),
    path("<int:trial_id>/expenses/", expense_add, name="expense_add"),
    path("<int:trial_id>/stories/", story_link, name="story_link"),
    path("<int:trial_id>/evaluations/new/", evaluation_create, name="evaluation_create"),
    path("<int:trial_id>/outcome/", outcome_decide, name="outcome"),
    path("<int:trial_id>/applications/new/", application_create, name="apply"),
    path("applications/<int:application_id>/", application_detail, name="application"),
    path(
        "applications/<int:application_id>/decide/",
        application_decide,
        name="application_decide",
    ),
]
