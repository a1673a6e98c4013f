"""The leadership overview ("room to lead"): what waits for the user, and the registers."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from helhed import policy
from helhed.leadership.actions.documentation import hours_saved, nice_to_know
from helhed.leadership.models import BurdenProposal
from helhed.lib.validity import today

WAITING_SHOWN = 5

# Every section of the app: (URL name, its name, what it is for).
SECTIONS = [
    (
        "leadership:rules",
        gettext_lazy("Rule register"),
        gettext_lazy("Local rules, guidelines and procedures: each with a reason and a review."),
    ),
    (
        "leadership:documentation",
        gettext_lazy("Documentation register"),
        gettext_lazy("What staff must register, what it costs, and who uses it."),
    ),
    (
        "leadership:proposals",
        gettext_lazy("Burden proposals"),
        gettext_lazy("Propose to remove or simplify a burden; see what was decided."),
    ),
    (
        "leadership:span",
        gettext_lazy("Management span"),
        gettext_lazy("Staff per leader against the municipality's target."),
    ),
    (
        "leadership:principles",
        gettext_lazy("Shared principles"),
        gettext_lazy("Who does what when a situation crosses silos."),
    ),
    (
        "leadership:methods",
        gettext_lazy("Methods"),
        gettext_lazy("Common methods, their research basis and where they are used."),
    ),
    (
        "leadership:reforms",
        gettext_lazy("Reforms"),
        gettext_lazy("The current reforms and the decisions they leave to us."),
    ),
    (
        "leadership:teams",
        gettext_lazy("Leader teams"),
        gettext_lazy("Reflection before meetings, and the dilemma log."),
    ),
]


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """What waits for the user, the hours saved, and a way into every register."""
    staff = policy.staff_with_role_or_404(request.user)
    user = request.user
    to_decide = policy.proposals_to_decide(user).select_related("theme", "decision_unit")
    rules_past_review = policy.rules_owned_or_led(user).filter(review_on__lt=today()).count()
    mine_open = (
        policy.visible_proposals(user)
        .filter(proposed_by=staff)
        .filter(status__in=[BurdenProposal.Status.PROPOSED, BurdenProposal.Status.ACCEPTED])
        .count()
    )
    context: dict[str, Any] = {
        "to_decide": list(to_decide.order_by("proposed_on", "pk")[:WAITING_SHOWN]),
        "to_decide_count": to_decide.count(),
        "rules_past_review": rules_past_review,
        "nice_to_know": nice_to_know(staff.municipality).count(),
        "mine_open": mine_open,
        "hours_saved": hours_saved(staff.municipality),
        "sections": [
            {"url": reverse(name), "name": label, "about": about, "key": name}
            for name, label, about in SECTIONS
        ],
        "rules_url": reverse("leadership:rules_mine"),
        "documentation_url": reverse("leadership:documentation"),
    }
    return render(request, "leadership/home.html", context)


urlpatterns: list[URLPattern] = [path("", home, name="home")]
