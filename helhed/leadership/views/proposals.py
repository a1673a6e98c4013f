"""Burden proposals: the list, the burden overview, proposing, and deciding one.

Every staff member of the municipality reads the proposals and may make one
(``policy.can_propose``); 404 for anyone else. Deciding is for the right
level only (``policy.can_decide_proposal``: a leader of the proposal's
decision unit or above; 403 for others), and so is marking an accepted
proposal done (``policy.can_complete_proposal``).
"""

from __future__ import annotations

from typing import Any

import altair as alt
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helhed import policy
from helhed.leadership.actions.proposals import (
    ThemeCount,
    burden_overview,
    do_complete_proposal,
    do_decide_proposal,
    do_propose,
)
from helhed.leadership.forms.proposals import DecisionForm, ProposalForm
from helhed.leadership.models import BurdenProposal, DocumentationRequirement, Rule
from helhed.lib.charts import accessible_svg
from helhed.lib.views import parse_id, query_without_page

PROPOSALS_PER_PAGE = 25
CHART_WIDTH = 420
BAR_HEIGHT = 22
BAR_COLOUR = "#1f4e79"


def filter_proposals(
    request: HttpRequest, proposals: QuerySet[BurdenProposal], params: Any
) -> tuple[QuerySet[BurdenProposal], dict[str, Any]]:
    """Apply the list's search and filters; return them as read, for the form and the links.

    Shared with the API, so that both filter alike.
    """
    query = str(params.get("q", "")).strip()[:100]
    status = str(params.get("status", ""))
    status = status if status in BurdenProposal.Status.values else ""
    theme_id = parse_id(str(params.get("theme", "")))
    to_decide = str(params.get("to_decide", "")) in ("1", "true", "on")
    for word in query.split():
        proposals = proposals.filter(
            Q(title__icontains=word)
            | Q(description__icontains=word)
            | Q(procedure__icontains=word)
            | Q(rule__title__icontains=word)
            | Q(requirement__title__icontains=word)
        )
    if status:
        proposals = proposals.filter(status=status)
    if theme_id is not None:
        proposals = proposals.filter(theme_id=theme_id)
    if to_decide:
        proposals = proposals.filter(pk__in=policy.proposals_to_decide(request.user).values("pk"))
    filters = {"q": query, "status": status, "theme": theme_id, "to_decide": to_decide}
    return proposals, filters


@login_required
@require_GET
def proposal_list(request: HttpRequest) -> HttpResponse:
    """The municipality's proposals, the newest first, with search and filters."""
    policy.staff_with_role_or_404(request.user)
    proposals, filters = filter_proposals(
        request, policy.visible_proposals(request.user), request.GET
    )
    proposals = proposals.select_related(
        "theme", "rule", "requirement", "decision_unit", "proposed_by"
    ).order_by("-proposed_on", "-pk")
    page = Paginator(proposals, PROPOSALS_PER_PAGE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "page": page,
        "filters": filters,
        "query_string": query_without_page(request),
        "statuses": BurdenProposal.Status.choices,
        "themes": policy.visible_themes(request.user).order_by("name"),
        "waiting": policy.proposals_to_decide(request.user).count(),
        "can_propose": policy.can_propose(request.user),
    }
    return render(request, "leadership/proposal_list.html", context)


def theme_chart_svg(by_theme: list[ThemeCount]) -> str:
    """A bar chart of proposals per theme as inline SVG; empty when there are none.

    Rendered on the server (no script, so our CSP holds); the page puts a
    table of the same numbers beside it.
    """
    shown = [t for t in by_theme if t.total]
    if not shown:
        return ""
    rows = [{"theme": t.name, "count": t.total} for t in shown]
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar(color=BAR_COLOUR)
        .encode(
            y=alt.Y("theme:N", title=_("Theme"), sort=[t.name for t in shown]),
            x=alt.X("count:Q", title=_("Proposals"), axis=alt.Axis(tickMinStep=1, format="d")),
        )
        .properties(width=CHART_WIDTH, height=BAR_HEIGHT * len(shown))
    )
    return accessible_svg(chart.to_dict(), _("Proposals per theme"))


@login_required
@require_GET
def proposal_overview(request: HttpRequest) -> HttpResponse:
    """The burden overview: proposals by status and theme, and the hours saved."""
    staff = policy.staff_with_role_or_404(request.user)
    overview = burden_overview(staff.municipality, policy.visible_proposals(request.user))
    statuses = [
        (value, label, overview.by_status[value]) for value, label in BurdenProposal.Status.choices
    ]
    context: dict[str, Any] = {
        "overview": overview,
        "statuses": statuses,
        "theme_rows": [
            (theme, [theme.by_status[value] for value in BurdenProposal.Status.values])
            for theme in overview.by_theme
        ],
        "chart": theme_chart_svg(overview.by_theme),
        "requirement_url": reverse("leadership:documentation"),
    }
    return render(request, "leadership/proposal_overview.html", context)


def _form(
    request: HttpRequest, data: Any = None, initial: dict[str, Any] | None = None
) -> ProposalForm:
    user = request.user
    return ProposalForm(
        data,
        initial=initial or {},
        rules=policy.visible_rules(user).filter(status=Rule.Status.IN_FORCE).order_by("title"),
        requirements=policy.visible_requirements(user)
        .filter(status=DocumentationRequirement.Status.ACTIVE)
        .order_by("title"),
        units=policy.proposal_units(user).order_by("path"),
        themes=policy.visible_themes(user).order_by("name"),
        may_add_theme=policy.can_add_theme(user),
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_create(request: HttpRequest) -> HttpResponse:
    """Propose to remove or simplify something; ``?rule=`` or ``?requirement=`` fills it in."""
    staff = policy.staff_with_role_or_404(request.user)
    if not policy.can_propose(request.user):
        raise PermissionDenied(_("Only staff of the municipality make proposals."))
    initial: dict[str, Any] = {}
    rule_id = parse_id(request.GET.get("rule", ""))
    requirement_id = parse_id(request.GET.get("requirement", ""))
    if request.GET.get("rule") and rule_id is None:
        raise Http404("No such rule")
    if request.GET.get("requirement") and requirement_id is None:
        raise Http404("No such requirement")
    if rule_id is not None:
        initial["rule"] = policy.get_rule_for_user(request.user, rule_id).pk
    elif requirement_id is not None:
        initial["requirement"] = policy.get_requirement_for_user(request.user, requirement_id).pk
    form = _form(request, request.POST if request.method == "POST" else None, initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                proposal = do_propose(
                    actor=staff,
                    title=data["title"],
                    description=data["description"],
                    change=data["change"],
                    theme=data["theme"],
                    new_theme=data.get("new_theme") or "",
                    rule=data["rule"],
                    requirement=data["requirement"],
                    procedure=data["procedure"],
                    unit=data["unit"],
                )
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("Thank you: the proposal is registered."))
                return redirect("leadership:proposal", proposal_id=proposal.pk)
    return render(request, "leadership/proposal_create.html", {"form": form}, status=status)


def _detail(
    request: HttpRequest,
    proposal: BurdenProposal,
    decision_form: DecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    subject_url = None
    if proposal.rule_id:
        subject_url = reverse("leadership:rule", args=[proposal.rule_id])
    elif proposal.requirement_id:
        subject_url = reverse("leadership:requirement", args=[proposal.requirement_id])
    context: dict[str, Any] = {
        "proposal": proposal,
        "subject_url": subject_url,
        "can_decide": policy.can_decide_proposal(user, proposal),
        "can_complete": policy.can_complete_proposal(user, proposal),
        "decision_form": decision_form or DecisionForm(),
    }
    return render(request, "leadership/proposal_detail.html", context, status=status)


@login_required
@require_GET
def proposal_detail(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """One proposal: what, about what, who decides; and the decision when made."""
    policy.staff_with_role_or_404(request.user)
    return _detail(request, policy.get_proposal_for_user(request.user, proposal_id))


def _at_the_level(request: HttpRequest, proposal: BurdenProposal, allowed: bool) -> None:
    """403 unless the user is at the proposal's level; a wrong status is the action's to say."""
    if not allowed and not policy.decides_proposals_at(request.user, proposal):
        raise PermissionDenied(
            _("Only a leader of %(unit)s, or a leader above it, decides this proposal.")
            % {"unit": proposal.decision_unit.name}
        )


@login_required
@require_POST
def proposal_decide(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """Accept or reject the proposal with a reason."""
    staff = policy.staff_with_role_or_404(request.user)
    proposal = policy.get_proposal_for_user(request.user, proposal_id)
    _at_the_level(request, proposal, policy.can_decide_proposal(request.user, proposal))
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            do_decide_proposal(
                actor=staff,
                proposal=proposal,
                accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(
                request,
                _("The proposal is decided: %(status)s.")
                % {"status": proposal.get_status_display().lower()},
            )
            return redirect("leadership:proposal", proposal_id=proposal.pk)
    return _detail(request, proposal, form, status=422)


@login_required
@require_POST
def proposal_done(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """Record that an accepted proposal is carried out."""
    staff = policy.staff_with_role_or_404(request.user)
    proposal = policy.get_proposal_for_user(request.user, proposal_id)
    _at_the_level(request, proposal, policy.can_complete_proposal(request.user, proposal))
    try:
        do_complete_proposal(actor=staff, proposal=proposal)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _detail(request, proposal, status=422)
    messages.success(request, _("The proposal is marked done."))
    return redirect("leadership:proposal", proposal_id=proposal.pk)


urlpatterns: list[URLPattern] = [
    path("proposals/", proposal_list, name="proposals"),
    path("proposals/overview/", proposal_overview, name="proposal_overview"),
    path("proposals/new/", proposal_create, name="proposal_create"),
    path("proposals/<int:proposal_id>/", proposal_detail, name="proposal"),
    path("proposals/<int:proposal_id>/decide/", proposal_decide, name="proposal_decide"),
    path("proposals/<int:proposal_id>/done/", proposal_done, name="proposal_done"),
]
