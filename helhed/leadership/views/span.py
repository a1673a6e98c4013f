"""Pages of the leadership app: management span.

``/leadership/span/?unit=<id>``: the spans of the leaders in a unit's subtree
over the last quarters against the municipality's target (plot and table),
today's leaders with their staff's sickness absence and well-being, and the
scenario "how many leader posts would a target span need?". Leaders see the
units they lead, analysts and the director the whole municipality
(``policy.get_span_unit_for_user``: 404 otherwise).
``/leadership/span/target/``: the director sets the target (403 for others
who see spans, 404 for those who see none).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from helhed import policy
from helhed.leadership.actions.span import (
    do_set_span_target,
    history_svg,
    leader_rows,
    scenario,
    span_history,
    target_in_force,
)
from helhed.leadership.forms.span import ScenarioForm, SpanTargetForm
from helhed.lib.validity import today
from helhed.lib.views import parse_id
from helhed.organisation.models import Staff, Unit
from helhed.organisation.span import management_spans

LEADERS_PER_PAGE = 25
TARGETS_PER_PAGE = 25


def _unit(request: HttpRequest) -> Unit:
    raw = request.GET.get("unit", "")
    if not raw:
        return policy.get_span_unit_for_user(request.user)
    unit_id = parse_id(raw)
    if unit_id is None:
        raise Http404("No such unit")
    return policy.get_span_unit_for_user(request.user, unit_id)


@login_required
@require_GET
def span_overview(request: HttpRequest) -> HttpResponse:
    """A unit's management spans over time, its leaders today, and the scenario."""
    unit = _unit(request)
    on = today()
    targets = list(policy.visible_span_targets(request.user))
    target = target_in_force(targets, on)
    history = span_history(unit, on)
    spans = management_spans(unit, on)

    query = request.GET.get("q", "").strip()[:100]
    over_only = request.GET.get("over") == "1"
    shown = [
        s
        for s in spans
        if all(
            word.lower() in f"{s.leader.full_name} {s.unit.name}".lower() for word in query.split()
        )
        and (not over_only or (target is not None and s.direct_reports > target.max_direct_reports))
    ]
    page = Paginator(shown, LEADERS_PER_PAGE).get_page(request.GET.get("page"))
    rows = leader_rows(list(page.object_list), target, on)

    status = 200
    asked = "target" in request.GET
    form = ScenarioForm(
        request.GET if asked else None,
        initial={"target": target.max_direct_reports if target else None},
    )
    result = None
    if asked and form.is_valid():
        result = scenario(spans, form.cleaned_data["target"])
    elif asked:
        status = 422
    elif target is not None:
        result = scenario(spans, target.max_direct_reports)

    context: dict[str, Any] = {
        "unit": unit,
        "ancestors": _visible_ancestors(request, unit),
        "target": target,
        "targets": targets[:5],
        "can_set_target": policy.can_set_span_target(request.user),
        "history": history,
        "now": history[-1],
        "chart": history_svg(history, unit),
        "page": page,
        "rows": rows,
        "query": query,
        "over_only": over_only,
        "form": form,
        "scenario": result,
    }
    return render(request, "leadership/span_overview.html", context, status=status)


def _visible_ancestors(request: HttpRequest, unit: Unit) -> list[Unit]:
    """The units above ``unit`` whose spans the user also sees (for the breadcrumbs)."""
    visible = policy.span_units(request.user).filter(pk__in=unit.ancestor_ids())
    return list(visible.order_by("depth"))


@login_required
@require_http_methods(["GET", "POST"])
def span_target(request: HttpRequest) -> HttpResponse:
    """The municipality's target span: its history, and the director's form to set it."""
    policy.get_span_unit_for_user(request.user)  # 404 for whoever sees no spans
    if not policy.can_set_span_target(request.user):
        raise PermissionDenied(_("Only the municipal director sets the target span."))
    staff = policy.staff_for(request.user)
    if not isinstance(staff, Staff):
        raise Http404("No staff record")
    form = SpanTargetForm(
        request.POST if request.method == "POST" else None, initial={"applies_from": today()}
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                do_set_span_target(
                    actor=staff, municipality=staff.municipality, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The target span is set."))
                return redirect(reverse("leadership:span"))
    targets = policy.visible_span_targets(request.user).select_related("set_by")
    page = Paginator(targets, TARGETS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "target": target_in_force(list(targets), today())}
    return render(request, "leadership/span_target.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("span/", span_overview, name="span"),
    path("span/target/", span_target, name="span_target"),
]
