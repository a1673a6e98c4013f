"""The worklist: citizens with composite needs who should have one plan, and efforts to reconsider.

* Front-line staff see the citizens they may see (``policy.visible_citizens``)
  who meet the municipality's rule, with who has no coordinator yet first of
  all, and the efforts in the plans they work on that have shown no progress.
* Leaders see the same list as two numbers for the whole municipality,
  never names.
* Leaders of the municipality's root unit or an administration set the rule.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from helhed import policy
from helhed.audit import trail
from helhed.citizens.models import Citizen
from helhed.lib.htmx import wants_partial
from helhed.lib.validity import today
from helhed.plans.actions.worklist import do_set_needs_rule
from helhed.plans.forms.worklist import NeedsRuleForm
from helhed.plans.models import NeedsRule, Plan, PlanMember
from helhed.plans.worklist import composite_needs, efforts_to_review, needs_counts

ROWS_PER_PAGE = 25
SHOW_UNCOORDINATED = "uncoordinated"
SHOW_ALL = "all"


def url_or_none(name: str, *args: Any) -> str | None:
    """The URL of a page another part of the app provides, or None while it does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _plan_url(plan: Plan | None) -> str | None:
    return url_or_none("plans:detail", plan.pk) if plan is not None else None


def _reviewed_citizens(context: dict[str, Any], partial: bool) -> list[int]:
    """The citizens of the plans whose efforts the full page lists for review."""
    plan_ids = {review.plan.pk for review, _url in context["reviews"]}
    if partial or not plan_ids:
        return []
    members = PlanMember.objects.filter(plan_id__in=plan_ids)
    return list(members.values_list("citizen_id", flat=True))


@login_required
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    """Citizens who meet the rule for one plan, and efforts without progress."""
    staff = policy.staff_for(request.user)
    if staff is None:
        raise Http404("The worklist is for staff")
    on = today()
    rule = NeedsRule.for_municipality(staff.municipality)
    can = policy.capabilities(request.user)
    show = SHOW_ALL if request.GET.get("show") == SHOW_ALL else SHOW_UNCOORDINATED
    partial = wants_partial(request)
    context: dict[str, Any] = {
        "rule": rule,
        "show": show,
        "frontline": can.sees_citizens,
        "can_edit_rule": policy.can_edit_needs_rule(request.user),
        "counts": None,
        "page": None,
        "reviews": [],
    }
    if can.sees_citizens:
        rows = composite_needs(policy.visible_citizens(request.user, on), rule, on)
        if show == SHOW_UNCOORDINATED:
            rows = [row for row in rows if not row.has_coordinator]
        page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
        context["page"] = page
        context["entries"] = [(row, _plan_url(row.plan)) for row in page]
        context["reviews"] = [
            (review, _plan_url(review.plan))
            for review in efforts_to_review(policy.editable_plans(request.user), rule, on)
        ]
        # The rows name citizens; the efforts to review name their plans (the
        # partial, for paging, has the rows only).
        trail.log_list(
            request.user,
            [row.citizen.pk for row in page] + _reviewed_citizens(context, partial),
            what="plans:worklist",
        )
    if can.leads_units:
        citizens = Citizen.objects.filter(municipality_id=staff.municipality_id)
        context["counts"] = needs_counts(citizens, rule, on)
    if partial and context["page"] is not None:
        return render(request, "plans/worklist_rows.html", context)
    return render(request, "plans/worklist.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def worklist_rule(request: HttpRequest) -> HttpResponse:
    """The municipality's thresholds for the worklist and the review period for efforts."""
    staff = policy.staff_for(request.user)
    if staff is None or not policy.can_edit_needs_rule(request.user):
        raise PermissionDenied(
            _("The rule is set by the leaders of the municipality or an administration.")
        )
    rule = NeedsRule.for_municipality(staff.municipality)
    form = NeedsRuleForm.for_rule(rule, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                do_set_needs_rule(
                    actor=staff,
                    municipality=staff.municipality,
                    min_sectors=data["min_sectors"],
                    min_efforts=data["min_efforts"],
                    min_yearly_cost=data["min_yearly_cost"],
                    review_after_days=data["review_after_days"],
                )
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The worklist rule is saved."))
                return redirect("plans:worklist")
        return render(request, "plans/worklist_rule.html", {"form": form, "rule": rule}, status=400)
    return render(request, "plans/worklist_rule.html", {"form": form, "rule": rule})


urlpatterns: list[URLPattern] = [
    path("worklist/", worklist, name="worklist"),
    path("worklist/rule/", worklist_rule, name="worklist_rule"),
]
