"""Pages of the leadership app: leader teams, reflection rounds, agendas and the dilemma log.

A team is seen by its members and by the leaders of its unit or above
(``policy.visible_teams``; 404 for others). An open round and the answers in
it are the members' own; once closed, the agenda (only the answers marked for
the meeting) is read by the leaders above too. Changes are the members'
(403 for a leader above who reads along), creating a team is for a leader of
the unit or above.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helhed import policy
from helhed.leadership.actions import teams as actions
from helhed.leadership.forms.teams import (
    AnswerForm,
    DilemmaForm,
    QuestionForm,
    RoundForm,
    TeamForm,
)
from helhed.leadership.models import (
    LeadershipTask,
    ReflectionAnswer,
    ReflectionQuestion,
    TeamReflection,
)
from helhed.lib.validity import today

PER_PAGE = 25


def _query(request: HttpRequest) -> str:
    return request.GET.get("q", "").strip()[:100]


# --------------------------------------------------------------------------- teams


@login_required
@require_GET
def team_list(request: HttpRequest) -> HttpResponse:
    """The user's own leader teams and the teams of the units beneath the user."""
    staff = policy.staff_or_404(request.user)
    query = _query(request)
    teams = policy.visible_teams(request.user)
    for word in query.split():
        teams = teams.filter(Q(name__icontains=word) | Q(unit__name__icontains=word))
    teams = teams.select_related("unit").order_by("unit__path", "name", "pk")
    page = Paginator(teams, PER_PAGE).get_page(request.GET.get("page"))
    mine = set(staff.leader_teams.values_list("pk", flat=True))
    context: dict[str, Any] = {
        "page": page,
        "query": query,
        "mine": mine,
        "can_create": policy.led_units(request.user).exists(),
        "can_manage_questions": policy.can_manage_reflection_questions(request.user),
    }
    return render(request, "leadership/team_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest) -> HttpResponse:
    """Create a leader team for a unit the user leads, or one beneath it."""
    staff = policy.staff_or_404(request.user)
    units = policy.led_units(request.user).valid_on(today()).order_by("path")
    if not units.exists():
        raise PermissionDenied(_("Only leaders create leader teams, for the units they lead."))
    form = TeamForm(
        request.POST if request.method == "POST" else None,
        units=units,
        candidates=actions.member_candidates(staff.municipality),
        initial={"members": [staff.pk]},
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            unit = form.cleaned_data["unit"]
            if not policy.can_create_team(request.user, unit):
                raise PermissionDenied(_("Only a leader of the unit or above creates its team."))
            try:
                team = actions.do_create_team(
                    actor=staff,
                    unit=unit,
                    name=form.cleaned_data["name"],
                    members=list(form.cleaned_data["members"]),
                )
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The leader team is created."))
                return redirect("leadership:team", team_id=team.pk)
    return render(request, "leadership/team_create.html", {"form": form}, status=status)


@login_required
@require_GET
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    """A team: its members, its reflection rounds (agendas for leaders above), its dilemmas."""
    team = policy.get_team_for_user(request.user, team_id)
    rounds = policy.visible_team_rounds(request.user, team).order_by("-meeting_on", "-pk")
    dilemmas = policy.visible_dilemmas(request.user).filter(team=team).order_by("-recorded_on")
    context: dict[str, Any] = {
        "team": team,
        "members": team.members.order_by("first_name", "last_name", "pk"),
        "is_member": policy.is_team_member(request.user, team),
        "rounds": rounds[:50],
        "dilemmas": dilemmas.select_related("recorded_by")[:5],
        "dilemma_count": dilemmas.count(),
        "can_open": policy.can_open_reflection(request.user, team),
        "can_record_dilemma": policy.can_record_dilemma(request.user, team),
    }
    return render(request, "leadership/team_detail.html", context)


# --------------------------------------------------------------------------- rounds


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest, team_id: int) -> HttpResponse:
    """Open a reflection round before a meeting: a member chooses the questions."""
    team = policy.get_team_for_user(request.user, team_id)
    if not policy.can_open_reflection(request.user, team):
        raise PermissionDenied(_("Only the team's members open a reflection round."))
    questions = actions.active_questions(team.municipality).order_by("task", "sort_order", "pk")
    form = RoundForm(
        request.POST if request.method == "POST" else None,
        questions=questions,
        initial={"meeting_on": today(), "questions": [q.pk for q in questions]},
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                reflection = actions.do_open_reflection(
                    actor=policy.staff_or_404(request.user),
                    team=team,
                    title=form.cleaned_data["title"],
                    meeting_on=form.cleaned_data["meeting_on"],
                    questions=list(form.cleaned_data["questions"]),
                )
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The reflection round is open for answers."))
                return redirect("leadership:team_round", reflection_id=reflection.pk)
    context = {"team": team, "form": form}
    return render(request, "leadership/team_round_create.html", context, status=status)


def _answer_form(
    question: ReflectionQuestion, answer: ReflectionAnswer | None, *, as_team: bool
) -> AnswerForm:
    kind = "team" if as_team else "me"
    initial: dict[str, Any] = {"as_team": as_team, "for_agenda": True}
    if answer is not None:
        initial.update(text=answer.text, for_agenda=answer.for_agenda)
    return AnswerForm(initial=initial, auto_id=f"id_q{question.pk}_{kind}_%s")


def _round_page(
    request: HttpRequest,
    reflection: TeamReflection,
    failed: tuple[int, bool, AnswerForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The round: its questions by task, the answers the user may read, forms for members."""
    staff = policy.staff_or_404(request.user)
    answers = list(
        policy.visible_answers(request.user, reflection).select_related("answered_by", "question")
    )
    can_answer = policy.can_answer_reflection(request.user, reflection)
    tasks = []
    for task in LeadershipTask:
        rows = []
        for question in reflection.questions.filter(task=task).order_by("sort_order", "pk"):
            mine = [a for a in answers if a.question_id == question.pk]
            row: dict[str, Any] = {
                "question": question,
                "answers": sorted(mine, key=lambda a: (not a.as_team, a.answered_by.full_name)),
            }
            if can_answer:
                own = next(
                    (a for a in mine if not a.as_team and a.answered_by_id == staff.pk), None
                )
                team_answer = next((a for a in mine if a.as_team), None)
                row["own_form"] = _answer_form(question, own, as_team=False)
                row["team_form"] = _answer_form(question, team_answer, as_team=True)
                row["has_team_answer"] = team_answer is not None
                if failed is not None and failed[0] == question.pk:
                    row["team_form" if failed[1] else "own_form"] = failed[2]
                    row["has_team_answer"] = row["has_team_answer"] or failed[1]
            rows.append(row)
        if rows:
            tasks.append({"label": task.label, "rows": rows})
    context: dict[str, Any] = {
        "reflection": reflection,
        "team": reflection.team,
        "tasks": tasks,
        "can_answer": can_answer,
        "can_close": policy.can_close_reflection(request.user, reflection),
        "is_member": policy.is_team_member(request.user, reflection.team),
    }
    return render(request, "leadership/team_round.html", context, status=status)


@login_required
@require_GET
def round_detail(request: HttpRequest, reflection_id: int) -> HttpResponse:
    reflection = policy.get_reflection_round_for_user(request.user, reflection_id)
    return _round_page(request, reflection)


@login_required
@require_POST
def round_answer(request: HttpRequest, reflection_id: int, question_id: int) -> HttpResponse:
    """Answer one question of an open round (or change the answer), alone or as the team."""
    reflection = policy.get_reflection_round_for_user(request.user, reflection_id)
    if not policy.can_answer_reflection(request.user, reflection):
        raise PermissionDenied(
            _("Only the team's members answer, and only while the round is open.")
        )
    question = reflection.questions.filter(pk=question_id).first()
    if question is None:
        raise Http404("No such question in the round")
    form = AnswerForm(request.POST)
    # Which of the question's two forms was sent, to show its errors in its place.
    as_team = request.POST.get("as_team", "").lower() in ("true", "1", "on")
    form.auto_id = f"id_q{question.pk}_{'team' if as_team else 'me'}_%s"
    if form.is_valid():
        try:
            actions.do_answer(
                actor=policy.staff_or_404(request.user),
                reflection=reflection,
                question=question,
                text=form.cleaned_data["text"],
                as_team=form.cleaned_data["as_team"],
                for_agenda=form.cleaned_data["for_agenda"],
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("Your answer is saved."))
            return redirect("leadership:team_round", reflection_id=reflection.pk)
    return _round_page(request, reflection, failed=(question.pk, as_team, form), status=422)


@login_required
@require_POST
def round_close(request: HttpRequest, reflection_id: int) -> HttpResponse:
    """Close the round: the answers marked for the meeting become its agenda."""
    reflection = policy.get_reflection_round_for_user(request.user, reflection_id)
    if not policy.can_close_reflection(request.user, reflection):
        raise PermissionDenied(_("Only the team's members close an open round."))
    try:
        actions.do_close_reflection(actor=policy.staff_or_404(request.user), reflection=reflection)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("leadership:team_round", reflection_id=reflection.pk)
    messages.success(request, _("The round is closed and its agenda is made."))
    return redirect("leadership:team_agenda", reflection_id=reflection.pk)


@login_required
@require_GET
def round_agenda(request: HttpRequest, reflection_id: int) -> HttpResponse:
    """The agenda for the dialogue along the management chain, printable."""
    reflection = policy.get_reflection_round_for_user(request.user, reflection_id)
    answers = policy.visible_answers(request.user, reflection).select_related("answered_by")
    context: dict[str, Any] = {
        "reflection": reflection,
        "team": reflection.team,
        "agenda": actions.build_agenda(reflection, answers),
        "is_member": policy.is_team_member(request.user, reflection.team),
    }
    return render(request, "leadership/team_agenda.html", context)


# --------------------------------------------------------------------------- dilemmas


@login_required
@require_GET
def dilemma_list(request: HttpRequest, team_id: int) -> HttpResponse:
    """The team's dilemma log, searchable and filtered by task, the latest first."""
    team = policy.get_team_for_user(request.user, team_id)
    query = _query(request)
    task = request.GET.get("task", "")
    if task not in LeadershipTask.values:
        task = ""
    dilemmas = policy.visible_dilemmas(request.user).filter(team=team)
    if task:
        dilemmas = dilemmas.filter(task=task)
    for word in query.split():
        dilemmas = dilemmas.filter(
            Q(title__icontains=word)
            | Q(description__icontains=word)
            | Q(decision__icontains=word)
            | Q(reasoning__icontains=word)
        )
    dilemmas = dilemmas.select_related("recorded_by").order_by("-recorded_on", "-pk")
    context: dict[str, Any] = {
        "team": team,
        "page": Paginator(dilemmas, PER_PAGE).get_page(request.GET.get("page")),
        "query": query,
        "task": task,
        "tasks": LeadershipTask.choices,
        "can_record": policy.can_record_dilemma(request.user, team),
    }
    return render(request, "leadership/team_dilemma_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def dilemma_create(request: HttpRequest, team_id: int) -> HttpResponse:
    team = policy.get_team_for_user(request.user, team_id)
    if not policy.can_record_dilemma(request.user, team):
        raise PermissionDenied(_("Only the team's members record its dilemmas."))
    form = DilemmaForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                actions.do_record_dilemma(
                    actor=policy.staff_or_404(request.user), team=team, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The dilemma is recorded."))
                return redirect("leadership:team_dilemmas", team_id=team.pk)
    context = {"team": team, "form": form}
    return render(request, "leadership/team_dilemma_create.html", context, status=status)


# --------------------------------------------------------------------------- questions


def _questions_page(
    request: HttpRequest, form: QuestionForm | None = None, status: int = 200
) -> HttpResponse:
    staff = policy.staff_or_404(request.user)
    if not policy.has_staff_role(request.user):
        raise Http404("No staff role")
    actions.ensure_questions(staff.municipality)
    questions = policy.visible_reflection_questions(request.user).order_by("sort_order", "pk")
    by_task = [
        {"label": task.label, "questions": [q for q in questions if q.task == task]}
        for task in LeadershipTask
    ]
    can_manage = policy.can_manage_reflection_questions(request.user)
    context: dict[str, Any] = {
        "tasks": by_task,
        "can_manage": can_manage,
        "form": form or (QuestionForm() if can_manage else None),
    }
    return render(request, "leadership/team_questions.html", context, status=status)


@login_required
@require_GET
def question_list(request: HttpRequest) -> HttpResponse:
    """The municipality's reflection questions by task; leaders and analysts keep them."""
    return _questions_page(request)


@login_required
@require_POST
def question_create(request: HttpRequest) -> HttpResponse:
    staff = policy.staff_or_404(request.user)
    if not policy.has_staff_role(request.user):
        raise Http404("No staff role")
    if not policy.can_manage_reflection_questions(request.user):
        raise PermissionDenied(_("Only leaders and analysts keep the reflection questions."))
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            actions.do_add_question(municipality=staff.municipality, **form.cleaned_data)
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("The question is added."))
            return redirect("leadership:team_questions")
    return _questions_page(request, form, status=422)


@login_required
@require_POST
def question_active(request: HttpRequest, question_id: int) -> HttpResponse:
    """Retire a question, or bring a retired one back (``active=1``)."""
    question = policy.get_reflection_question_for_user(request.user, question_id)
    if not policy.can_manage_reflection_questions(request.user):
        raise PermissionDenied(_("Only leaders and analysts keep the reflection questions."))
    active = request.POST.get("active") == "1"
    actions.do_set_question_active(question=question, active=active)
    messages.success(
        request, _("The question is in use again.") if active else _("The question is retired.")
    )
    return redirect("leadership:team_questions")


urlpatterns: list[URLPattern] = [
    path("teams/", team_list, name="teams"),
    path("teams/new/", team_create, name="team_create"),
    path("teams/<int:team_id>/", team_detail, name="team"),
    path("teams/<int:team_id>/rounds/new/", round_create, name="team_round_create"),
    path("teams/<int:team_id>/dilemmas/", dilemma_list, name="team_dilemmas"),
    path("teams/<int:team_id>/dilemmas/new/", dilemma_create, name="team_dilemma_create"),
    path("teams/rounds/<int:reflection_id>/", round_detail, name="team_round"),
    path(
        "teams/rounds/<int:reflection_id>/questions/<int:question_id>/answer/",
        round_answer,
        name="team_round_answer",
    ),
    path("teams/rounds/<int:reflection_id>/close/", round_close, name="team_round_close"),
    path("teams/rounds/<int:reflection_id>/agenda/", round_agenda, name="team_agenda"),
    path("teams/questions/", question_list, name="team_questions"),
    path("teams/questions/new/", question_create, name="team_question_create"),
    path("teams/questions/<int:question_id>/active/", question_active, name="team_question_active"),
]
