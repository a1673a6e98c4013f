"""Web pages of the audit log: a family's insight and a leader's review of unusual access.

"Who has looked at our data" (``/audit/mine/``) is the GDPR right of access
for a family login: the entries about its own citizen and the children in its
care, with who looked (and the unit they work in), what, and why. Staff get
404 there: the page is not theirs to have.

The review (``/audit/review/``) is for leaders: break-the-glass entries and
staff with many look-ups in one day, among the staff of the units they lead
(``policy.access_reviewable_staff``). Citizens appear as numbers only, and
reading the review opens no citizen, so it writes no look-up entries.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from helhed import policy
from helhed.audit import review
from helhed.audit.forms import InsightForm, ReviewForm
from helhed.audit.models import AuditEntry

ENTRIES_PER_PAGE = 50
HEAVY_PER_PAGE = 50


def _page(request: HttpRequest, rows: Any, per_page: int, name: str = "page") -> Page[Any]:
    return Paginator(rows, per_page).get_page(request.GET.get(name))


def _chosen_citizen(request: HttpRequest, allowed: set[int]) -> int | None:
    """The ``citizen`` filter: one of the family's own ids, else 404 (ids reveal nothing)."""
    raw = request.GET.get("citizen", "").strip()
    if not raw:
        return None
    try:
        citizen_id = int(raw)
    except ValueError:
        raise Http404("No such citizen") from None
    if citizen_id not in allowed:
        raise Http404("No such citizen")
    return citizen_id


@never_cache
@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """Who has looked at our data: entries about me and the children in my care, newest first."""
    if not policy.is_family_login(request.user):
        raise Http404("This page is for family logins")
    family = list(policy.insight_citizens(request.user).order_by("birth_date", "pk"))
    names = {c.pk: c.full_name for c in family}
    chosen = _chosen_citizen(request, set(names))
    form = InsightForm(request.GET)
    context: dict[str, Any] = {
        "form": form,
        "family": family,
        "names": names,
        "chosen": chosen,
        "page": None,
    }
    if not form.is_valid():
        return render(request, "audit/mine.html", context, status=400)
    entries = review.entries_about(
        [chosen] if chosen is not None else names,
        form.period(),
        leave_out_actor=None if form.cleaned_data["include_own"] else request.user.pk,
    )
    viewer_id = request.user.pk

    def describe(rows: list[AuditEntry]) -> list[review.InsightRow]:
        return review.insight_rows(
            rows,
            viewer_id=viewer_id,
            staff_units=policy.staff_unit_names,
            family_logins=policy.family_login_ids,
        )

    context["page"] = _page(request, review.Described(entries, describe), ENTRIES_PER_PAGE)
    return render(request, "audit/mine.html", context)


def _reviewer(request: HttpRequest) -> None:
    """Leaders only: 404 for family logins (not their page at all), 403 for other users."""
    if policy.family_citizen(request.user) is not None:
        raise Http404("No such page")
    if not policy.can_review_access(request.user):
        raise PermissionDenied(_("Only leaders review access to citizens' data."))


def _review_form(request: HttpRequest) -> tuple[ReviewForm, review.Period | None]:
    """The bound form and its period; a valid one is shown again with the dates filled in."""
    form = ReviewForm(request.GET)
    if not form.is_valid():
        return form, None
    period = form.period()
    shown = ReviewForm(initial={"date_from": period.start, "date_to": period.end})
    return shown, period


@never_cache
@login_required
@require_GET
def review_access(request: HttpRequest) -> HttpResponse:
    """Unusual access by the leader's staff, and the roles granted in the leader's units."""
    _reviewer(request)
    form, period = _review_form(request)
    context: dict[str, Any] = {
        "form": form,
        "period": period,
        "threshold": review.many_lookups_threshold(),
        "glass": None,
        "heavy": None,
        "roles": None,
    }
    if period is None:
        return render(request, "audit/review.html", context, status=400)
    staff_ids = policy.access_reviewable_staff(request.user, period.start, period.end).values("pk")
    glass = review.Described(review.break_glass_entries(staff_ids, period), review.review_rows)
    context["glass"] = _page(request, glass, ENTRIES_PER_PAGE, "glass_page")
    context["heavy"] = _page(
        request, review.heavy_users(staff_ids, period), HEAVY_PER_PAGE, "heavy_page"
    )
    units = policy.role_review_unit_ids(request.user)
    roles = review.Described(review.role_entries(units, period), review.role_rows)
    context["roles"] = _page(request, roles, ENTRIES_PER_PAGE, "roles_page")
    return render(request, "audit/review.html", context)


@never_cache
@login_required
@require_GET
def review_staff(request: HttpRequest, staff_id: int) -> HttpResponse:
    """One staff member's entries in the period (404 outside the leader's reach)."""
    _reviewer(request)
    form, period = _review_form(request)
    # A bad period still answers 404 first for staff outside the reach.
    reach = period or review.review_period(None, None)
    staff = policy.get_reviewable_staff(request.user, staff_id, reach.start, reach.end)
    context: dict[str, Any] = {"form": form, "period": period, "staff": staff, "page": None}
    if period is None:
        return render(request, "audit/review_staff.html", context, status=400)
    entries = review.Described(review.entries_by_staff(staff.pk, period), review.review_rows)
    context["page"] = _page(request, entries, ENTRIES_PER_PAGE)
    return render(request, "audit/review_staff.html", context)
