"""Pages: the leadership self-assessment.

Only a forum's members see its rounds and results, open a round and answer
(``policy.assessment_forums``); everyone else gets 404. A closed round takes
no answers (403), and only the member who opened it or the chair closes it
(403 for the other members). The results show the spread per statement,
never who answered what (``forums.actions.assessments``).
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
from helhed.forums.actions import assessments as actions
from helhed.forums.forms.assessments import AnswerForm, AssessmentForm
from helhed.forums.models import SelfAssessment
from helhed.forums.statements import STATEMENTS
from helhed.organisation.models import Staff

ROUNDS_PER_PAGE = 25


@login_required
@require_GET
def assessment_list(request: HttpRequest, forum_id: int) -> HttpResponse:
    """A forum's rounds, and the mean per statement across the closed rounds over time."""
    policy.staff_with_role_or_404(request.user)
    forum = policy.get_assessment_forum_for_user(request.user, forum_id)
    rounds = forum.self_assessments.select_related("created_by").order_by("-meeting_on", "-pk")
    rounds_over_time = actions.history(forum)
    context: dict[str, Any] = {
        "forum": forum,
        "page": Paginator(rounds, ROUNDS_PER_PAGE).get_page(request.GET.get("page")),
        "rounds_over_time": rounds_over_time,
        "rows": [
            (statement, [r.means[i] for r in rounds_over_time])
            for i, statement in enumerate(STATEMENTS)
        ],
        "can_open": policy.can_open_assessment(request.user, forum),
        "min_respondents": actions.MIN_RESPONDENTS,
    }
    return render(request, "forums/assessment_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_create(request: HttpRequest, forum_id: int) -> HttpResponse:
    """Open a round for the forum before a meeting."""
    staff = policy.staff_with_role_or_404(request.user)
    forum = policy.get_assessment_forum_for_user(request.user, forum_id)
    if not policy.can_open_assessment(request.user, forum):
        raise PermissionDenied(_("Only members of an active forum open a round."))
    form = AssessmentForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                assessment = actions.do_open_assessment(
                    actor=staff, forum=forum, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The round is open for answers."))
                return redirect("forums:assessment", assessment_id=assessment.pk)
    context = {"form": form, "forum": forum}
    return render(request, "forums/assessment_create.html", context, status=status)


def _round_page(
    request: HttpRequest,
    assessment: SelfAssessment,
    staff: Staff,
    form: AnswerForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_answer = policy.can_answer_assessment(request.user, assessment)
    mine = actions.my_scores(assessment, staff)
    if can_answer and form is None:
        form = AnswerForm(initial=mine)
    shown = actions.results_shown(assessment)
    results = actions.spread(assessment) if shown else []
    context: dict[str, Any] = {
        "assessment": assessment,
        "forum": assessment.forum,
        "respondents": actions.respondents(assessment),
        "members": assessment.forum.members.count(),
        "answered": bool(mine),
        "can_answer": can_answer,
        "can_close": policy.can_close_assessment(request.user, assessment),
        "form": form if can_answer else None,
        "shown": shown,
        "results": results,
        "chart": actions.spread_svg(results, assessment) if shown else "",
        "min_respondents": actions.MIN_RESPONDENTS,
    }
    return render(request, "forums/assessment_detail.html", context, status=status)


@login_required
@require_GET
def assessment_detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """A round: my answers while it is open, the spread once it is closed."""
    staff = policy.staff_with_role_or_404(request.user)
    return _round_page(request, policy.get_assessment_for_user(request.user, assessment_id), staff)


@login_required
@require_POST
def assessment_answer(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Record or change my scores while the round is open."""
    staff = policy.staff_with_role_or_404(request.user)
    assessment = policy.get_assessment_for_user(request.user, assessment_id)
    if not policy.can_answer_assessment(request.user, assessment):
        raise PermissionDenied(_("The round is closed; it takes no more answers."))
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            actions.do_answer(actor=staff, assessment=assessment, scores=form.scores())
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(
                request, _("Your answers are saved. You may change them while the round is open.")
            )
            return redirect("forums:assessment", assessment_id=assessment.pk)
    return _round_page(request, assessment, staff, form, status=422)


@login_required
@require_POST
def assessment_close(request: HttpRequest, assessment_id: int) -> HttpResponse:
    staff = policy.staff_with_role_or_404(request.user)
    assessment = policy.get_assessment_for_user(request.user, assessment_id)
    if not policy.can_close_assessment(request.user, assessment):
        raise PermissionDenied(_("Only the member who opened the round, or the chair, closes it."))
    actions.do_close_assessment(actor=staff, assessment=assessment)
    messages.success(request, _("The round is closed."))
    return redirect("forums:assessment", assessment_id=assessment.pk)


urlpatterns: list[URLPattern] = [
    path("<int:forum_id>/self-assessments/", assessment_list, name="assessments"),
    path("<int:forum_id>/self-assessments/new/", assessment_create, name="assessment_create"),
    path("self-assessments/<int:assessment_id>/", assessment_detail, name="assessment"),
    path(
        "self-assessments/<int:assessment_id>/answer/",
        assessment_answer,
        name="assessment_answer",
    ),
    path("self-assessments/<int:assessment_id>/close/", assessment_close, name="assessment_close"),
]
