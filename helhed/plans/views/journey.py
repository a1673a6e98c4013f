"""Pages: the citizen's journey across sectors.

* ``journey/<citizen_id>/``: for staff who may see the citizen (404 otherwise;
  every view is logged as a read of the citizen): a timeline of concerns,
  notifications, referrals, plans, efforts, meetings, handovers and contacts,
  only those the viewer may see. Filter by sector and period, newest or oldest
  first; printable (a print stylesheet hides the navigation and the forms).
* ``familie/journey/<citizen_id>/``: the same for a family login, about
  itself or a child in its care (404 for anyone else, staff included), with
  only what the family view shows.
* ``.../mark/`` (POST, ``event`` = ``<kind>-<id>``, ``mark``, ``note``): mark
  an event green or red with a short why, replacing one's own mark;
  ``.../unmark/`` (POST, ``event``) takes it back. An event the viewer does
  not see is 404; a viewer who may read but not mark, 403; a missing or
  malformed ``event`` is an error on the page (422).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from helhed import policy
from helhed.citizens.models import Citizen
from helhed.plans.actions import journey as actions
from helhed.plans.forms.journey import JourneyFilterForm, MarkForm


def _citizen(request: HttpRequest, citizen_id: int, family: bool) -> Citizen:
    if family:
        return policy.get_journey_citizen_for_family(request.user, citizen_id)
    return policy.get_journey_citizen_for_staff(request.user, citizen_id)


def _journey_url(citizen: Citizen, family: bool) -> str:
    return reverse("plans:family_journey" if family else "plans:journey", args=[citizen.pk])


def _page(
    request: HttpRequest,
    citizen: Citizen,
    family: bool,
    *,
    mark_form: MarkForm | None = None,
    mark_key: str = "",
    status: int = 200,
) -> HttpResponse:
    filters = JourneyFilterForm(request.GET)
    everything = actions.build_events(policy.journey_scope(request.user, citizen))
    events = actions.attach_marks(
        citizen, actions.filter_events(everything, **filters.filters()), request.user
    )
    context: dict[str, Any] = {
        "citizen": citizen,
        "family": family,
        "events": events,
        "filters": filters,
        "total": len(everything),
        "can_mark": policy.can_mark_journey(request.user, citizen),
        "mark_form": mark_form,
        "mark_key": mark_key,
        "journey_url": _journey_url(citizen, family),
        "mark_url": "plans:family_journey_mark" if family else "plans:journey_mark",
        "unmark_url": "plans:family_journey_unmark" if family else "plans:journey_unmark",
    }
    return render(request, "plans/journey_detail.html", context, status=status)


def _show(request: HttpRequest, citizen_id: int, family: bool) -> HttpResponse:
    return _page(request, _citizen(request, citizen_id, family), family)


def _event(request: HttpRequest, citizen: Citizen, family: bool) -> actions.Event | HttpResponse:
    """The posted event if the viewer sees it (404 otherwise) and may mark (403 otherwise).

    A missing or malformed ``event`` answers the page with an error (422).
    """
    if not policy.can_mark_journey(request.user, citizen):
        raise PermissionDenied(_("You may read this journey but not mark it."))
    parsed = actions.parse_event_key(request.POST.get("event", ""))
    if parsed is None:
        form = MarkForm(request.POST)
        form.is_valid()
        form.add_error(None, _("Choose an event on the journey to mark."))
        return _page(request, citizen, family, mark_form=form, status=422)
    kind, event_id = parsed
    return actions.find_event(policy.journey_scope(request.user, citizen), kind, event_id)


def _mark(request: HttpRequest, citizen_id: int, family: bool) -> HttpResponse:
    citizen = _citizen(request, citizen_id, family)
    event = _event(request, citizen, family)
    if isinstance(event, HttpResponse):
        return event
    form = MarkForm(request.POST)
    if form.is_valid():
        try:
            actions.do_mark_event(
                user=request.user,
                citizen=citizen,
                event=event,
                mark=form.cleaned_data["mark"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("Your mark is saved."))
            return redirect(f"{_journey_url(citizen, family)}#{event.key}")
    return _page(request, citizen, family, mark_form=form, mark_key=event.key, status=422)


def _unmark(request: HttpRequest, citizen_id: int, family: bool) -> HttpResponse:
    citizen = _citizen(request, citizen_id, family)
    event = _event(request, citizen, family)
    if isinstance(event, HttpResponse):
        return event
    if actions.do_remove_mark(user=request.user, citizen=citizen, event=event):
        messages.success(request, _("Your mark is taken back."))
    else:
        messages.info(request, _("You had not marked this event."))
    return redirect(f"{_journey_url(citizen, family)}#{event.key}")


@login_required
@require_GET
def journey(request: HttpRequest, citizen_id: int) -> HttpResponse:
    return _show(request, citizen_id, family=False)


@login_required
@require_POST
def journey_mark(request: HttpRequest, citizen_id: int) -> HttpResponse:
    return _mark(request, citizen_id, family=False)


@login_required
@require_POST
def journey_unmark(request: HttpRequest, citizen_id: int) -> HttpResponse:
    return _unmark(request, citizen_id, family=False)


@login_required
@require_GET
def family_journey(request: HttpRequest, citizen_id: int) -> HttpResponse:
    return _show(request, citizen_id, family=True)


@login_required
@require_POST
def family_journey_mark(request: HttpRequest, citizen_id: int) -> HttpResponse:
    return _mark(request, citizen_id, family=True)


@login_required
@require_POST
def family_journey_unmark(request: HttpRequest, citizen_id: int) -> HttpResponse:
    return _unmark(request, citizen_id, family=True)


urlpatterns: list[URLPattern] = [
    path("journey/<int:citizen_id>/", journey, name="journey"),
    path(
        "journey/<int:citizen_id>/mark/",
        journey_mark,
        name="journey_mark",
    ),
    path(
        "journey/<int:citizen_id>/unmark/",
        journey_unmark,
        name="journey_unmark",
    ),
    path("familie/journey/<int:citizen_id>/", family_journey, name="family_journey"),
    path(
        "familie/journey/<int:citizen_id>/mark/",
        family_journey_mark,
        name="family_journey_mark",
    ),
    path(
        "familie/journey/<int:citizen_id>/unmark/",
        family_journey_unmark,
        name="family_journey_unmark",
    ),
]
