"""Pages: who pays: open settlements and the settlement ledger.

"Solve first, settle later": efforts start before their payer is agreed. A
leader sees the open settlements of the units they lead, oldest first, with
their age and without any citizen's name, and agrees the payer where they
lead the paying budget (``policy.can_agree_payer``; 403 for the rest). The
ledger shows, per paying budget and period, what the efforts cost, agreed
and still open; leaders see the budgets they lead, analysts and the
director all. Both pages are 404 for anyone else. The pro rata rule is in
``helhed/plans/actions/payments.py``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from helhed import policy
from helhed.lib.validity import today
from helhed.lib.views import query_without_page
from helhed.plans.actions import payments as actions
from helhed.plans.forms.payments import AgreePayerForm, LedgerForm, SettlementFilterForm
from helhed.plans.models import Effort

PER_PAGE = 25


@login_required
@require_GET
def open_settlements(request: HttpRequest) -> HttpResponse:
    """Open settlements of the units I lead, oldest first, and those waiting for my agreement."""
    policy.staff_with_role_or_404(request.user)
    if not policy.can_view_settlements(request.user):
        raise Http404("Only leaders see open settlements")
    on = today()
    filters = SettlementFilterForm(request.GET)
    efforts = actions.search_settlements(policy.open_settlements(request.user), filters.value("q"))
    efforts = actions.started_open(efforts, on)
    page = Paginator(efforts, PER_PAGE).get_page(request.GET.get("page"))
    rows = [actions.SettlementRow.of(e, on) for e in page]
    to_agree = actions.search_settlements(
        policy.settlements_to_agree(request.user), filters.value("q")
    )
    to_agree_rows = [
        actions.SettlementRow.of(e, on)
        for e in to_agree.select_related("responsible_unit", "paying_unit").order_by(
            "starts_on", "pk"
        )[:100]
    ]
    context: dict[str, Any] = {
        "page": page,
        "rows": rows,
        "to_agree": to_agree_rows,
        "filters": filters,
        "querystring": query_without_page(request),
        "searched": bool(filters.value("q")),
    }
    return render(request, "plans/payments_open.html", context)


def _settlement_page(
    request: HttpRequest, effort: Effort, form: AgreePayerForm | None = None, status: int = 200
) -> HttpResponse:
    can_agree = policy.can_agree_payer(request.user, effort)
    context = {
        "effort": effort,
        "row": actions.SettlementRow.of(effort, today()),
        "open": actions.is_open(effort),
        "payer": actions.proposed_payer(effort),
        "can_agree": can_agree,
        "form": form or (AgreePayerForm() if can_agree else None),
    }
    return render(request, "plans/payments_settlement.html", context, status=status)


@login_required
@require_GET
def settlement(request: HttpRequest, effort_id: int) -> HttpResponse:
    """One effort's settlement: units, proposed payer, cost, age; no citizen data."""
    policy.staff_with_role_or_404(request.user)
    return _settlement_page(request, policy.get_settlement_for_user(request.user, effort_id))


@login_required
@require_POST
def agree_payer(request: HttpRequest, effort_id: int) -> HttpResponse:
    """Agree to pay (a leader of the paying unit or above; external: of the responsible unit)."""
    staff = policy.staff_with_role_or_404(request.user)
    effort = policy.get_settlement_for_user(request.user, effort_id)
    if not policy.can_agree_payer(request.user, effort):
        raise PermissionDenied(
            _("Only a leader of the paying unit or above agrees to pay for an effort.")
        )
    form = AgreePayerForm(request.POST)
    if form.is_valid():
        try:
            actions.do_agree_payer(
                actor=staff, effort=effort, agreed_on=form.cleaned_data["agreed_on"]
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("The payer is agreed."))
            return redirect("plans:payments_settlement", effort_id=effort.pk)
    return _settlement_page(request, effort, form, status=422)


def _ledger_input(
    request: HttpRequest,
) -> tuple[LedgerForm, actions.Ledger | None]:
    """The ledger form from the query string, and the ledger when the input is good."""
    policy.staff_with_role_or_404(request.user)
    if not policy.can_view_ledger(request.user):
        raise Http404("Only leaders and analysts see the ledger")
    units = policy.ledger_units(request.user).valid_on(today()).order_by("path")
    form = LedgerForm(request.GET or None, units=units)
    if request.GET and not form.is_valid():
        return form, None
    data = form.cleaned_data if request.GET else {}
    try:
        period = (
            actions.parse_period(data["period"])
            if data.get("period")
            else actions.current_quarter()
        )
    except ValidationError as exc:
        form.add_error("period", exc.error_dict["period"])
        return form, None
    ledger = actions.ledger_for(policy.ledger_efforts(request.user), period, data.get("unit"))
    return form, ledger


def _ledger_page(
    request: HttpRequest, form: LedgerForm, ledger: actions.Ledger | None
) -> HttpResponse:
    context = {
        "form": form,
        "ledger": ledger,
        "querystring": request.GET.urlencode(),
    }
    return render(request, "plans/payments_ledger.html", context, status=200 if ledger else 422)


@login_required
@require_GET
def ledger(request: HttpRequest) -> HttpResponse:
    """The settlement ledger per budget and period: agreed, open (fronted) and total."""
    form, result = _ledger_input(request)
    return _ledger_page(request, form, result)


@login_required
@require_GET
def ledger_csv(request: HttpRequest) -> HttpResponse:
    form, result = _ledger_input(request)
    if result is None:
        return _ledger_page(request, form, result)
    response = HttpResponse(actions.ledger_csv(result), content_type="text/csv; charset=utf-8")
    name = f"settlements-{result.period.code}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def ledger_xlsx(request: HttpRequest) -> HttpResponse:
    form, result = _ledger_input(request)
    if result is None:
        return _ledger_page(request, form, result)
    response = HttpResponse(
        actions.ledger_xlsx(result),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"settlements-{result.period.code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urlpatterns: list[URLPattern] = [
    path("payments/open/", open_settlements, name="payments_open"),
    path("payments/efforts/<int:effort_id>/", settlement, name="payments_settlement"),
    path("payments/efforts/<int:effort_id>/agree/", agree_payer, name="payments_agree"),
    path("payments/ledger/", ledger, name="payments_ledger"),
    path("payments/ledger/export.csv", ledger_csv, name="payments_ledger_csv"),
    path("payments/ledger/export.xlsx", ledger_xlsx, name="payments_ledger_xlsx"),
]
