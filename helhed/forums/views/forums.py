"""Pages: forums, their members, meetings, decisions, follow-ups and the decision log.

Every staff member of the municipality reads the forums, their members,
mandates, meetings and decisions (none of it names a citizen); 404 for anyone
else and for another municipality's forums. The director, the chiefs and
analysts set forums up and change them (``policy.can_manage_forums``, 403
otherwise); the forum's chair or secretary plans meetings, records minutes,
decisions and follow-ups (``policy.can_record_in_forum``, 403 for the rest).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helhed import policy
from helhed.forums.actions import forums as actions
from helhed.forums.forms.forums import (
    DecisionFilterForm,
    DecisionForm,
    FollowUpForm,
    ForumFilterForm,
    ForumForm,
    MeetingForm,
    MemberForm,
    MinutesForm,
)
from helhed.forums.models import Decision, Forum, ForumMeeting
from helhed.lib.exports import spreadsheet_safe
from helhed.lib.validity import today
from helhed.lib.views import parse_id, query_without_page
from helhed.organisation.models import Staff

PER_PAGE = 25
RECENT = 10


def _require_manager(request: HttpRequest) -> None:
    if not policy.can_manage_forums(request.user):
        raise PermissionDenied(_("Only the director, the chiefs and analysts set up forums."))


def _require_recorder(request: HttpRequest, forum: Forum) -> None:
    if not policy.can_record_in_forum(request.user, forum):
        raise PermissionDenied(_("Only the forum's chair or secretary records in the forum."))


def _forum_form(request: HttpRequest, forum: Forum | None) -> ForumForm:
    forums = policy.visible_forums(request.user).filter(is_active=True).order_by("name")
    if forum is not None:
        forums = forums.exclude(pk=forum.pk)
        initial: dict[str, Any] = {
            "name": forum.name,
            "kind": forum.kind,
            "cadence": forum.cadence,
            "mandate": forum.mandate,
            "units": list(forum.units.values_list("pk", flat=True)),
            "escalates_to": forum.escalates_to_id,
            "yearly_budget": forum.yearly_budget,
            "grant_limit": forum.grant_limit,
            "is_active": forum.is_active,
        }
    else:
        initial = {"is_active": True}
    return ForumForm(
        request.POST if request.method == "POST" else None,
        units=policy.visible_units(request.user).valid_on(today()).order_by("path"),
        forums=forums,
        initial=initial,
    )


# --------------------------------------------------------------------------- forums


@login_required
@require_GET
def forums_list(request: HttpRequest) -> HttpResponse:
    """The municipality's forums with kind, cadence, escalation and budget; searchable."""
    policy.staff_with_role_or_404(request.user)
    filters = ForumFilterForm(request.GET)
    forums = actions.search_forums(policy.visible_forums(request.user), filters.value("q"))
    if filters.value("kind"):
        forums = forums.filter(kind=filters.value("kind"))
    forums = forums.select_related("escalates_to").order_by("-is_active", "name")
    page = Paginator(forums, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "querystring": query_without_page(request),
        "searched": bool(filters.value("q") or filters.value("kind")),
        "can_manage": policy.can_manage_forums(request.user),
    }
    return render(request, "forums/forums_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def forum_create(request: HttpRequest) -> HttpResponse:
    staff = policy.staff_with_role_or_404(request.user)
    _require_manager(request)
    form = _forum_form(request, None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                forum = actions.do_create_forum(actor=staff, **form.cleaned_data)
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The forum is set up. Add its members."))
                return redirect("forums:detail", forum_id=forum.pk)
    return render(request, "forums/forum_form.html", {"form": form, "forum": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def forum_edit(request: HttpRequest, forum_id: int) -> HttpResponse:
    staff = policy.staff_with_role_or_404(request.user)
    forum = policy.get_forum_for_user(request.user, forum_id)
    _require_manager(request)
    form = _forum_form(request, forum)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                actions.do_update_forum(actor=staff, forum=forum, **form.cleaned_data)
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The forum is changed."))
                return redirect("forums:detail", forum_id=forum.pk)
    return render(request, "forums/forum_form.html", {"form": form, "forum": forum}, status=status)


def _detail(
    request: HttpRequest,
    forum: Forum,
    *,
    member_form: MemberForm | None = None,
    meeting_form: MeetingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_manage = policy.can_manage_forums(request.user)
    can_record = policy.can_record_in_forum(request.user, forum)
    year = today().year
    used = actions.forum_budget_used(forum, year)
    left = actions.forum_budget_left(forum, year)
    if can_manage and member_form is None:
        member_form = MemberForm(staff=_member_candidates(request, forum))
    if can_record and meeting_form is None:
        meeting_form = MeetingForm()
    context = {
        "forum": forum,
        "members": actions.members(forum),
        "units": forum.units.order_by("path"),
        "chain": actions.escalation_chain(forum),
        "escalated_from": actions.escalated_from(forum),
        "year": year,
        "used": used,
        "left": left,
        "used_text": actions.dkk(used),
        "left_text": actions.dkk(left) if left is not None else "",
        "budget_text": actions.dkk(forum.yearly_budget) if forum.yearly_budget else "",
        "limit_text": actions.dkk(forum.grant_limit) if forum.grant_limit else "",
        "meetings": forum.meetings.order_by("-held_on", "-pk")[:RECENT],
        "decisions": forum.decisions.select_related("decided_by").order_by("-decided_on", "-pk")[
            :RECENT
        ],
        "decision_count": forum.decisions.count(),
        "overdue": actions.overdue_follow_ups(
            policy.visible_follow_ups(request.user).filter(decision__forum=forum)
        ).count(),
        "can_manage": can_manage,
        "can_record": can_record,
        "member_form": member_form,
        "meeting_form": meeting_form,
        "today": today(),
    }
    return render(request, "forums/forum_detail.html", context, status=status)


def _member_candidates(request: HttpRequest, forum: Forum) -> QuerySet[Staff]:
    return (
        policy.forum_staff_candidates(request.user)
        .filter(municipality_id=forum.municipality_id)
        .order_by("first_name", "last_name")
    )


@login_required
@require_GET
def forum_detail(request: HttpRequest, forum_id: int) -> HttpResponse:
    """A forum: members, mandate, escalation chain, budget this year, meetings, decisions."""
    policy.staff_with_role_or_404(request.user)
    return _detail(request, policy.get_forum_for_user(request.user, forum_id))


@login_required
@require_POST
def member_set(request: HttpRequest, forum_id: int) -> HttpResponse:
    """Add a member, or change a member's role."""
    staff = policy.staff_with_role_or_404(request.user)
    forum = policy.get_forum_for_user(request.user, forum_id)
    _require_manager(request)
    form = MemberForm(request.POST, staff=_member_candidates(request, forum))
    if form.is_valid():
        try:
            actions.do_set_member(actor=staff, forum=forum, **form.cleaned_data)
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("The members are updated."))
            return redirect("forums:detail", forum_id=forum.pk)
    return _detail(request, forum, member_form=form, status=422)


@login_required
@require_POST
def member_remove(request: HttpRequest, forum_id: int, member_id: int) -> HttpResponse:
    staff = policy.staff_with_role_or_404(request.user)
    forum = policy.get_forum_for_user(request.user, forum_id)
    _require_manager(request)
    member = forum.members.filter(pk=member_id).first()
    if member is None:
        raise Http404("No such member")
    actions.do_remove_member(actor=staff, member=member)
    messages.success(request, _("The member is taken off the forum."))
    return redirect("forums:detail", forum_id=forum.pk)


# --------------------------------------------------------------------------- meetings


@login_required
@require_POST
def meeting_create(request: HttpRequest, forum_id: int) -> HttpResponse:
    """Plan a meeting with a date and an agenda."""
    staff = policy.staff_with_role_or_404(request.user)
    forum = policy.get_forum_for_user(request.user, forum_id)
    _require_recorder(request, forum)
    form = MeetingForm(request.POST)
    if form.is_valid():
        try:
            meeting = actions.do_plan_meeting(actor=staff, forum=forum, **form.cleaned_data)
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("The meeting is planned."))
            return redirect("forums:meeting", meeting_id=meeting.pk)
    return _detail(request, forum, meeting_form=form, status=422)


def _meeting(
    request: HttpRequest,
    meeting: ForumMeeting,
    form: MinutesForm | None = None,
    status: int = 200,
    errors: list[str] | None = None,
) -> HttpResponse:
    can_record = policy.can_record_in_forum(request.user, meeting.forum)
    if can_record and form is None:
        form = MinutesForm(initial={"minutes": meeting.minutes})
    context = {
        "meeting": meeting,
        "forum": meeting.forum,
        "decisions": meeting.decisions.select_related("decided_by").order_by("-decided_on", "-pk"),
        "can_record": can_record,
        "may_minute": can_record
        and meeting.status != ForumMeeting.Status.CANCELLED
        and meeting.held_on <= today(),
        "form": form,
        "errors": errors or [],
    }
    return render(request, "forums/forum_meeting.html", context, status=status)


@login_required
@require_GET
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    policy.staff_with_role_or_404(request.user)
    return _meeting(request, policy.get_forum_meeting_for_user(request.user, meeting_id))


@login_required
@require_POST
def meeting_minutes(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Record the minutes and mark the meeting held."""
    staff = policy.staff_with_role_or_404(request.user)
    meeting = policy.get_forum_meeting_for_user(request.user, meeting_id)
    _require_recorder(request, meeting.forum)
    form = MinutesForm(request.POST)
    if form.is_valid():
        try:
            actions.do_record_minutes(actor=staff, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("The minutes are recorded; the meeting is held."))
            return redirect("forums:meeting", meeting_id=meeting.pk)
    return _meeting(request, meeting, form, status=422)


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, meeting_id: int) -> HttpResponse:
    staff = policy.staff_with_role_or_404(request.user)
    meeting = policy.get_forum_meeting_for_user(request.user, meeting_id)
    _require_recorder(request, meeting.forum)
    try:
        actions.do_cancel_meeting(actor=staff, meeting=meeting)
    except ValidationError as exc:
        return _meeting(request, meeting, status=422, errors=exc.messages)
    messages.success(request, _("The meeting is cancelled."))
    return redirect("forums:meeting", meeting_id=meeting.pk)


# --------------------------------------------------------------------------- decisions


@login_required
@require_http_methods(["GET", "POST"])
def decision_create(request: HttpRequest, forum_id: int) -> HttpResponse:
    """Record a decision, perhaps a grant; ``?meeting=`` preselects the meeting."""
    staff = policy.staff_with_role_or_404(request.user)
    forum = policy.get_forum_for_user(request.user, forum_id)
    _require_recorder(request, forum)
    meetings = forum.meetings.exclude(status=ForumMeeting.Status.CANCELLED).order_by("-held_on")
    initial: dict[str, Any] = {"decided_on": today()}
    meeting_id = parse_id(request.GET.get("meeting", ""))
    if meeting_id is not None:
        initial["meeting"] = meetings.filter(pk=meeting_id).values_list("pk", flat=True).first()
    form = DecisionForm(
        request.POST if request.method == "POST" else None, meetings=meetings, initial=initial
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["grant_purpose"] = data.get("grant_purpose") or ""
            try:
                decision = actions.do_record_decision(actor=staff, forum=forum, **data)
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The decision is recorded."))
                return redirect("forums:decision", decision_id=decision.pk)
    year = today().year
    left = actions.forum_budget_left(forum, year)
    context = {
        "form": form,
        "forum": forum,
        "year": year,
        "left_text": actions.dkk(left) if left is not None else "",
        "limit_text": actions.dkk(forum.grant_limit) if forum.grant_limit else "",
    }
    return render(request, "forums/forum_decision_form.html", context, status=status)


def _decision(
    request: HttpRequest, decision: Decision, form: FollowUpForm | None = None, status: int = 200
) -> HttpResponse:
    can_record = policy.can_record_in_forum(request.user, decision.forum)
    if can_record and form is None:
        form = FollowUpForm(staff=_member_candidates(request, decision.forum))
    follow_ups = [
        (f, f.is_overdue(), policy.can_complete_follow_up(request.user, f))
        for f in decision.follow_ups.select_related("owner", "decision__forum")
    ]
    context = {
        "decision": decision,
        "forum": decision.forum,
        "grant_text": actions.dkk(decision.grant_amount) if decision.grant_amount else "",
        "follow_ups": follow_ups,
        "can_record": can_record,
        "form": form,
    }
    return render(request, "forums/forum_decision.html", context, status=status)


@login_required
@require_GET
def decision_detail(request: HttpRequest, decision_id: int) -> HttpResponse:
    """A decision with its mandate, grant and follow-up actions (overdue ones flagged)."""
    policy.staff_with_role_or_404(request.user)
    return _decision(request, policy.get_decision_for_user(request.user, decision_id))


@login_required
@require_POST
def follow_up_create(request: HttpRequest, decision_id: int) -> HttpResponse:
    staff = policy.staff_with_role_or_404(request.user)
    decision = policy.get_decision_for_user(request.user, decision_id)
    _require_recorder(request, decision.forum)
    form = FollowUpForm(request.POST, staff=_member_candidates(request, decision.forum))
    if form.is_valid():
        try:
            actions.do_add_follow_up(actor=staff, decision=decision, **form.cleaned_data)
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("The follow-up action is added."))
            return redirect("forums:decision", decision_id=decision.pk)
    return _decision(request, decision, form, status=422)


@login_required
@require_POST
def follow_up_done(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    staff = policy.staff_with_role_or_404(request.user)
    follow_up = policy.get_follow_up_for_user(request.user, follow_up_id)
    if not policy.can_complete_follow_up(request.user, follow_up):
        raise PermissionDenied(
            _("Only the action's owner, or the forum's chair or secretary, marks it done.")
        )
    actions.do_complete_follow_up(actor=staff, follow_up=follow_up)
    messages.success(request, _("The follow-up action is done."))
    return redirect("forums:decision", decision_id=follow_up.decision_id)


# --------------------------------------------------------------------------- the decision log


def _log(request: HttpRequest) -> tuple[DecisionFilterForm, Any]:
    forums = policy.visible_forums(request.user).order_by("name")
    filters = DecisionFilterForm(request.GET, forums=forums)
    decisions = actions.search_decisions(
        policy.visible_decisions(request.user),
        query=filters.value("q") or "",
        forum=filters.value("forum"),
        date_from=filters.value("date_from"),
        date_to=filters.value("date_to"),
        grants_only=bool(filters.value("grants_only")),
    )
    return filters, decisions


@login_required
@require_GET
def decision_log(request: HttpRequest) -> HttpResponse:
    """Every forum's decisions, searchable by text, forum, date range and grants only."""
    policy.staff_with_role_or_404(request.user)
    filters, decisions = _log(request)
    page = Paginator(decisions, PER_PAGE).get_page(request.GET.get("page"))
    querystring = query_without_page(request)
    context = {
        "page": page,
        "rows": [(d, actions.dkk(d.grant_amount) if d.grant_amount else "") for d in page],
        "filters": filters,
        "querystring": querystring,
        "searched": any(filters.value(name) for name in filters.fields),
    }
    return render(request, "forums/forum_decision_log.html", context)


@login_required
@require_GET
def decision_log_csv(request: HttpRequest) -> HttpResponse:
    """The decision log with the same filters, as CSV (semicolons, as Danish Excel reads)."""
    policy.staff_with_role_or_404(request.user)
    _filters, decisions = _log(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(
        [
            _("Decided on"),
            _("Forum"),
            _("Decision"),
            _("With which mandate"),
            _("Decided by"),
            _("Meeting"),
            _("Amount granted (DKK)"),
            _("Granted for"),
        ]
    )
    for d in decisions.iterator():
        writer.writerow(
            [
                d.decided_on.isoformat(),
                spreadsheet_safe(d.forum.name),
                spreadsheet_safe(d.text),
                spreadsheet_safe(d.mandate_basis),
                d.decided_by.full_name,
                d.meeting.held_on.isoformat() if d.meeting else "",
                f"{d.grant_amount:.2f}" if d.grant_amount is not None else "",
                spreadsheet_safe(d.grant_purpose),
            ]
        )
    response = HttpResponse(
        buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="helhed-decisions.csv"'
    return response


urlpatterns: list[URLPattern] = [
    path("", forums_list, name="list"),
    path("new/", forum_create, name="create"),
    path("<int:forum_id>/", forum_detail, name="detail"),
    path("<int:forum_id>/edit/", forum_edit, name="edit"),
    path("<int:forum_id>/members/", member_set, name="member_set"),
    path("<int:forum_id>/members/<int:member_id>/remove/", member_remove, name="member_remove"),
    path("<int:forum_id>/meetings/new/", meeting_create, name="meeting_create"),
    path("<int:forum_id>/decisions/new/", decision_create, name="decision_create"),
    path("meetings/<int:meeting_id>/", meeting_detail, name="meeting"),
    path("meetings/<int:meeting_id>/minutes/", meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:meeting_id>/cancel/", meeting_cancel, name="meeting_cancel"),
    path("decisions/", decision_log, name="decisions"),
    path("decisions/export.csv", decision_log_csv, name="decisions_csv"),
    path("decisions/<int:decision_id>/", decision_detail, name="decision"),
    path("decisions/<int:decision_id>/follow-ups/", follow_up_create, name="follow_up_create"),
    path("follow-ups/<int:follow_up_id>/done/", follow_up_done, name="follow_up_done"),
]
