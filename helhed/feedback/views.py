"""Web pages for FIT: record a rating, see a plan's progress, and the scales a municipality uses.

Access comes from ``helhed.policy`` alone: a plan that the user may not see
is "not found" (404), a plan they may see but not rate in is "forbidden"
(403). The family login rates on the same page as staff, phrased to them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from helhed import policy
from helhed.citizens.models import Citizen
from helhed.feedback import charts
from helhed.feedback.actions import (
    age_band,
    do_disable_scale,
    do_enable_scale,
    do_record_rating,
    enabled_scales,
)
from helhed.feedback.forms import RatingForm
from helhed.feedback.models import Scale, ScaleActivation
from helhed.feedback.progress import by_kind, plan_progress
from helhed.lib.validity import today
from helhed.plans.models import Plan

# The scale offered first: the family is asked about the collaboration, staff about outcome.
FAMILY_KIND_ORDER: list[str] = [Scale.Kind.COLLABORATION, Scale.Kind.OUTCOME, Scale.Kind.SESSION]
STAFF_KIND_ORDER: list[str] = [Scale.Kind.OUTCOME, Scale.Kind.SESSION, Scale.Kind.COLLABORATION]


def plan_url(request: HttpRequest, plan: Plan) -> str | None:
    """Where "back to the plan" leads: the family's page or the plan page (if it exists yet)."""
    name = "plans:family_plan" if policy.staff_for(request.user) is None else "plans:detail"
    try:
        return reverse(name, args=[plan.pk])
    except NoReverseMatch:
        return None


def _pick_member(members: list[Citizen], raw: str | None) -> Citizen | None:
    """The member named in the request, the first member when none is named, else ``None``."""
    if not raw:
        return members[0] if members else None
    return next((m for m in members if str(m.pk) == raw), None)


def _heading(scale: Scale, citizen: Citizen, *, family: bool) -> str:
    if not family:
        return _("Record a rating: %(scale)s about %(name)s") % {
            "scale": scale.display_name,
            "name": citizen.first_name,
        }
    if scale.kind == Scale.Kind.COLLABORATION:
        return _("How was our collaboration?")
    if scale.kind == Scale.Kind.SESSION:
        return _("How was the meeting today?")
    return _("How are things going for %(name)s?") % {"name": citizen.first_name}


@login_required
@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Record a rating about a member of the plan on one of the municipality's scales."""
    plan = policy.get_plan_for_user(request.user, plan_id)
    if not policy.can_rate_in_plan(request.user, plan):
        raise PermissionDenied(_("You can read this plan, but not record ratings in it."))
    family = policy.staff_for(request.user) is None
    members = list(plan.citizens())
    on = today()
    enabled = by_kind(list(enabled_scales(plan.municipality)))
    choices = [(m, [s for s in enabled if s.fits_age(m.age(on))]) for m in members]
    citizen = _pick_member(members, request.GET.get("citizen"))
    code = request.GET.get("scale", "")
    posted = request.method == "POST"
    context: dict[str, Any] = {
        "plan": plan,
        "family": family,
        "choices": choices,
        "citizen": citizen,
        "plan_url": plan_url(request, plan),
    }
    if citizen is None:
        context["problem"] = _("Choose one of the plan's members.")
        return render(request, "feedback/rate.html", context, status=400 if posted else 404)

    fitting = next(found for m, found in choices if m.pk == citizen.pk)
    scale = next((s for s in fitting if s.code == code), None)
    if scale is None and posted:
        # Never record on another scale than the one the form showed: let the rules say why not.
        scale = Scale.objects.prefetch_related("items").filter(code=code).first()
    if scale is None:
        if code:
            context["problem"] = _(
                "That scale is not enabled here or does not fit %(name)s's age; choose one below."
            ) % {"name": citizen.first_name}
        order = FAMILY_KIND_ORDER if family else STAFF_KIND_ORDER
        fitting_sorted = sorted(fitting, key=lambda s: (order.index(s.kind), s.code))
        scale = fitting_sorted[0] if fitting_sorted else None
    if scale is None:
        context["problem"] = context.get("problem") or _(
            "No enabled rating scale fits %(name)s's age. A leader can enable scales on the "
            "page of rating scales."
        ) % {"name": citizen.first_name}
        return render(request, "feedback/rate.html", context, status=400 if posted else 200)

    form = RatingForm(request.POST if posted else None, scale=scale, family=family)
    if not posted and family:
        own = policy.family_citizen(request.user)
        form.fields["given_by"].initial = own.first_name if own else ""
    if posted and form.is_valid():
        cleaned = form.cleaned_data
        try:
            rating = do_record_rating(
                user=request.user,
                plan=plan,
                scale=scale,
                citizen=citizen,
                scores=form.scores(),
                rated_on=cleaned["rated_on"],
                given_by=cleaned["given_by"],
                comment=cleaned["comment"],
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            if family:
                messages.success(request, _("Thank you. Your answer is saved."))
            else:
                messages.success(
                    request,
                    _("The rating is recorded: %(total)s of %(max)d.")
                    % {"total": number_format(rating.total), "max": scale.total_max},
                )
            return redirect("feedback:progress", plan_id=plan.pk)
    context.update(
        {
            "scale": scale,
            "form": form,
            "heading": _heading(scale, citizen, family=family),
            "age_band": age_band(scale),
        }
    )
    return render(request, "feedback/rate.html", context, status=400 if posted else 200)


@login_required
@require_GET
def progress(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Each member's ratings per scale: a chart and a table of the same numbers."""
    plan = policy.get_plan_for_user(request.user, plan_id)
    members = [
        (member, [(s, charts.render_svg(s.series, s.scale)) for s in member.series])
        for member in plan_progress(plan)
    ]
    context: dict[str, Any] = {
        "plan": plan,
        "members": members,
        "can_rate": policy.can_rate_in_plan(request.user, plan),
        "family": policy.staff_for(request.user) is None,
        "plan_url": plan_url(request, plan),
    }
    return render(request, "feedback/progress.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def scales(request: HttpRequest) -> HttpResponse:
    """The scale definitions, and which of them the user's municipality has enabled."""
    municipality = policy.scale_municipality(request.user)
    may_manage = municipality is not None and policy.can_manage_scales(request.user, municipality)
    if request.method == "POST":
        staff = policy.staff_for(request.user)
        if not may_manage or staff is None or municipality is None:
            raise PermissionDenied(_("Only a leader in the municipality can enable scales."))
        scale = Scale.objects.filter(code=request.POST.get("scale", "")).first()
        if scale is None:
            messages.error(request, _("Choose a scale."))
            return redirect("feedback:scales")
        if request.POST.get("enabled") == "1":
            do_enable_scale(actor=staff, municipality=municipality, scale=scale)
            messages.success(request, _("%(scale)s is enabled.") % {"scale": scale.display_name})
        else:
            do_disable_scale(actor=staff, municipality=municipality, scale=scale)
            messages.success(
                request,
                _("%(scale)s is disabled. Ratings already given are kept.")
                % {"scale": scale.display_name},
            )
        return redirect("feedback:scales")
    enabled_on = (
        dict(
            ScaleActivation.objects.filter(municipality=municipality).values_list(
                "scale_id", "enabled_on"
            )
        )
        if municipality is not None
        else {}
    )
    rows = [
        (scale, enabled_on.get(scale.pk), age_band(scale))
        for scale in by_kind(list(Scale.objects.prefetch_related("items")))
    ]
    context = {"rows": rows, "municipality": municipality, "may_manage": may_manage}
    return render(request, "feedback/scales.html", context)


urlpatterns: list[URLPattern] = [
    path("scales/", scales, name="scales"),
    path("plans/<int:plan_id>/", progress, name="progress"),
    path("plans/<int:plan_id>/rate/", rate, name="rate"),
]
