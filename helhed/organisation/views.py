"""Web pages for the organisation: the tree as of a date, and one unit's page.

The organisation is visible to every signed-in user of the municipality
(``policy.visible_units``); it holds no personal data about citizens. Both
pages take ``?on=YYYY-MM-DD`` and show the organisation as it was (or will
be) on that date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from helhed import policy
from helhed.lib.htmx import wants_partial
from helhed.lib.validity import today
from helhed.organisation.models import Role, RoleAssignment, Staff, Unit
from helhed.organisation.span import Span, management_spans

STAFF_PER_PAGE = 50


@dataclass(frozen=True)
class AsOf:
    """The date a page shows, read from ``?on=``; a bad value falls back to today."""

    date: dt.date
    explicit: bool
    error: str = ""

    @property
    def param(self) -> str:
        """The value to carry in links: empty when the page shows today by default."""
        return self.date.isoformat() if self.explicit else ""

    @property
    def query(self) -> str:
        """``?on=...`` to append to links, or empty for today."""
        return f"?{urlencode({'on': self.param})}" if self.param else ""


def _as_of(request: HttpRequest) -> AsOf:
    raw = request.GET.get("on", "").strip()
    if not raw:
        return AsOf(today(), explicit=False)
    try:
        return AsOf(dt.date.fromisoformat(raw), explicit=True)
    except ValueError:
        message = _("“%(value)s” is not a date (write it as YYYY-MM-DD). Showing today instead.")
        return AsOf(today(), explicit=False, error=message % {"value": raw[:40]})


@dataclass
class TreeNode:
    unit: Unit
    leader: Staff | None
    staff_count: int
    match: bool = False
    children: list[TreeNode] = field(default_factory=list)


def _build_tree(
    units: list[Unit], leaders: dict[int, Staff], staff_counts: dict[int, int], query: str
) -> tuple[list[TreeNode], int]:
    """Nest the units; with a query keep the matches and the path down to them.

    Matching is done here rather than in SQL: the units are loaded anyway, and
    Python's casefold handles æ, ø and å where SQLite's LIKE does not.
    """
    needle = query.casefold()
    matched = {u.pk for u in units if needle and needle in u.name.casefold()}
    if needle:
        keep = set(matched)
        for unit in units:
            if unit.pk in matched:
                keep.update(unit.ancestor_ids())
        units = [u for u in units if u.pk in keep]
    nodes = {
        u.pk: TreeNode(u, leaders.get(u.pk), staff_counts.get(u.pk, 0), u.pk in matched)
        for u in units
    }
    roots: list[TreeNode] = []
    for unit in units:
        parent = nodes.get(unit.parent_id) if unit.parent_id else None
        (parent.children if parent else roots).append(nodes[unit.pk])
    for node in nodes.values():
        node.children.sort(key=lambda n: n.unit.name.casefold())
    roots.sort(key=lambda n: n.unit.name.casefold())
    return roots, len(matched)


@login_required
@require_GET
def tree(request: HttpRequest) -> HttpResponse:
    """The organisation as of a date, as a nested list; filterable by unit name."""
    as_of = _as_of(request)
    on = as_of.date
    query = request.GET.get("q", "").strip()[:100]
    staff_on_date = (
        RoleAssignment.objects.valid_on(on)
        .filter(unit=OuterRef("pk"))
        .order_by()
        .values("unit")
        .annotate(n=Count("staff", distinct=True))
        .values("n")
    )
    unit_qs = policy.visible_units(request.user).valid_on(on)
    units = list(
        unit_qs.select_related("unit_type", "sector")
        .annotate(staff_count=Coalesce(Subquery(staff_on_date, output_field=IntegerField()), 0))
        .order_by("path")
    )
    leaders = {
        a.unit_id: a.staff
        for a in RoleAssignment.objects.valid_on(on)
        .filter(unit__in=unit_qs, role__kind=Role.Kind.LEADER)
        .select_related("staff")
        .order_by("valid_from")
    }
    staff_counts = {u.pk: getattr(u, "staff_count", 0) for u in units}
    roots, match_count = _build_tree(units, leaders, staff_counts, query)
    context: dict[str, Any] = {
        "as_of": as_of,
        "on": on,
        "on_query": as_of.query,
        "query": query,
        "roots": roots,
        "unit_count": len(units),
        "match_count": match_count,
    }
    template = (
        "organisation/tree_results.html" if wants_partial(request) else "organisation/tree.html"
    )
    return render(request, template, context)


@dataclass(frozen=True)
class SpanRow:
    span: Span
    percent: int


def _span_rows(spans: list[Span]) -> list[SpanRow]:
    widest = max((s.direct_reports for s in spans), default=0)
    return [SpanRow(s, round(100 * s.direct_reports / widest) if widest else 0) for s in spans]


@dataclass(frozen=True)
class HistoryRow:
    registration: Unit
    relation: str


def _history(request: HttpRequest, unit: Unit) -> list[HistoryRow]:
    """Every registration of the unit across reorganisations, oldest first.

    Registrations share ``key``; a predecessor or successor with another key
    (a merger, say) is listed too.
    """
    registrations = {
        u.pk: u
        for u in policy.visible_units(request.user)
        .filter(Q(key=unit.key) | Q(pk=unit.predecessor_id) | Q(predecessor=unit))
        .select_related("parent")
    }
    rows = []
    for reg in sorted(registrations.values(), key=lambda u: (u.valid_from, u.pk)):
        if reg.pk == unit.pk:
            relation = _("this registration")
        elif reg.pk == unit.predecessor_id:
            relation = _("predecessor")
        elif reg.predecessor_id == unit.pk:
            relation = _("successor")
        elif reg.valid_from < unit.valid_from:
            relation = _("earlier")
        else:
            relation = _("later")
        rows.append(HistoryRow(reg, relation))
    return rows


def _default_date(unit: Unit) -> dt.date:
    """Today if the registration holds today; else the nearest day of its period."""
    now = today()
    if unit.is_valid_on(now):
        return now
    if unit.valid_from > now:
        return unit.valid_from
    return unit.valid_to or now


@login_required
@require_GET
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    """One unit as of a date: its place, history, leader, span, children and staff."""
    unit = policy.get_unit_for_user(request.user, unit_id)
    as_of = _as_of(request)
    if not as_of.explicit:
        on = _default_date(unit)
        as_of = AsOf(on, explicit=on != today(), error=as_of.error)
    on = as_of.date
    if as_of.explicit and not unit.is_valid_on(on):
        # The same unit under another registration (before or after a
        # reorganisation) is the answer the user is after.
        same_unit = policy.visible_units(request.user).filter(key=unit.key).valid_on(on).first()
        if same_unit is not None:
            url = reverse("organisation:unit", args=[same_unit.pk])
            return redirect(f"{url}?{urlencode({'on': on.isoformat()})}")

    exists_on_date = unit.is_valid_on(on)
    spans = management_spans(unit, on) if exists_on_date else []
    own_span = next((s for s in spans if s.unit.pk == unit.pk), None)
    assignments = (
        unit.role_assignments.valid_on(on)
        .select_related("staff", "role")
        .order_by("role__sort_order", "staff__last_name", "staff__first_name", "pk")
    )
    staff_page = Paginator(assignments, STAFF_PER_PAGE).get_page(request.GET.get("page"))
    history = _history(request, unit)
    context: dict[str, Any] = {
        "unit": unit,
        "as_of": as_of,
        "on": on,
        "on_query": as_of.query,
        "exists_on_date": exists_on_date,
        "ancestors": list(unit.ancestors()),
        "history": history if len(history) > 1 else [],
        "leader_span": own_span,
        "children": list(
            unit.children.valid_on(on).select_related("unit_type", "sector").order_by("name")
        ),
        "staff_page": staff_page,
        "span_rows": _span_rows(spans),
    }
    return render(request, "organisation/unit.html", context)
