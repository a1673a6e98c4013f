"""Referral pages: my units' incoming and sent referrals, sending one, one referral and its answer.

Who sees a referral is decided by ``helhed.policy``: the list starts from
``visible_referrals`` and every page for one referral from
``get_referral_for_user`` (404 otherwise). Before acceptance the receiving
unit reads only the name, age, question and legal basis here; the citizen's
own page opens to it through the engagement that accepting creates. Leaders
who only lead one of the units see the rows without the child or the question.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helhed import policy
from helhed.audit import trail
from helhed.citizens.models import Consent
from helhed.lib.htmx import wants_partial
from helhed.lib.validity import today
from helhed.organisation.models import Staff
from helhed.plans.actions.referrals import (
    do_accept_referral,
    do_mark_referral_received,
    do_reject_referral,
    do_send_referral,
    do_withdraw_referral,
)
from helhed.plans.forms.referrals import ReferralForm, RejectReferralForm
from helhed.plans.models import Plan, Referral

REFERRALS_PER_PAGE = 25
# An open referral waiting longer than this is marked on the list.
LONG_WAIT_DAYS = 14
# Decided referrals count in the waiting-time summary for this many days.
SUMMARY_WINDOW_DAYS = 90
BOXES = ("incoming", "sent")


@dataclass(frozen=True)
class WaitingSummary:
    """Median and longest waiting time, in whole days, of a set of referrals."""

    count: int
    median_days: float | None
    longest_days: int | None


def waiting_summary(referrals: Iterable[Referral], now: dt.datetime) -> WaitingSummary:
    days = [r.waiting_time(now).days for r in referrals]
    if not days:
        return WaitingSummary(count=0, median_days=None, longest_days=None)
    return WaitingSummary(
        count=len(days), median_days=float(statistics.median(days)), longest_days=max(days)
    )


def with_readable(referrals: QuerySet[Referral], request: HttpRequest) -> QuerySet[Referral]:
    """Mark each row with whether the user may read its child and question."""
    readable = policy.readable_referrals(request.user).filter(pk=OuterRef("pk"))
    return referrals.annotate(readable=Exists(readable))


def _staff_or_403(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None:
        raise PermissionDenied(_("Only staff work with referrals."))
    return staff


@login_required
@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    """Referrals to and from the user's units, with the incoming waiting times."""
    staff = policy.staff_for(request.user)
    units = policy.staff_units(request.user)
    visible = policy.visible_referrals(request.user)
    incoming = visible.filter(to_unit__in=units)
    sent_condition = Q(from_unit__in=units)
    if staff is not None:
        sent_condition |= Q(sent_by=staff)
    sent = visible.filter(sent_condition)

    box = request.GET.get("box", "")
    box = box if box in BOXES else "incoming"
    status = request.GET.get("status", "")
    status = status if status in Referral.Status.values else ""

    now = timezone.now()
    recent = now - dt.timedelta(days=SUMMARY_WINDOW_DAYS)
    summary = waiting_summary(
        incoming.filter(
            Q(status__in=Referral.OPEN_STATUSES)
            | Q(
                status__in=[Referral.Status.ACCEPTED, Referral.Status.REJECTED],
                decided_at__gte=recent,
            )
        ).only("sent_at", "decided_at"),
        now,
    )

    rows: QuerySet[Referral]
    if box == "incoming":
        rows = incoming.annotate(
            open_rank=Case(
                When(status__in=Referral.OPEN_STATUSES, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            open_since=Case(When(status__in=Referral.OPEN_STATUSES, then=F("sent_at"))),
        ).order_by("open_rank", F("open_since").asc(nulls_last=True), "-decided_at", "-pk")
    else:
        rows = sent.order_by("-sent_at", "-pk")
    if status:
        rows = rows.filter(status=status)
    rows = with_readable(rows, request).select_related("citizen", "from_unit", "to_unit", "sent_by")
    page = Paginator(rows, REFERRALS_PER_PAGE).get_page(request.GET.get("page"))
    # Only the rows the user may read name the child.
    trail.log_list(
        request.user,
        [r.citizen_id for r in page if getattr(r, "readable", False)],
        what="plans:referrals",
    )
    context: dict[str, Any] = {
        "page": page,
        "box": box,
        "status": status,
        "statuses": Referral.Status.choices,
        "summary": summary,
        "summary_window_days": SUMMARY_WINDOW_DAYS,
        "open_incoming": incoming.filter(status__in=Referral.OPEN_STATUSES).count(),
        "long_wait_days": LONG_WAIT_DAYS,
        "has_units": units.exists(),
    }
    template = (
        "plans/referral_list_results.html"
        if wants_partial(request)
        else ("plans/referral_list.html")
    )
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def referral_create(request: HttpRequest) -> HttpResponse:
    """Refer a citizen the user works with from one of the user's units to another unit."""
    citizen_id = request.GET.get("citizen", "")
    if not citizen_id.isdigit():
        raise Http404("No such citizen")
    citizen = policy.get_citizen_for_user(request.user, int(citizen_id))
    staff = _staff_or_403(request)
    if not policy.can_refer(request.user, citizen):
        raise PermissionDenied(_("You can refer only citizens you work with."))
    on = today()
    from_units = policy.staff_units(request.user, on).valid_on(on)
    if not from_units.exists():
        raise PermissionDenied(_("You hold no role in a unit that could send a referral."))
    to_units = (
        policy.visible_units(request.user)
        .valid_on(on)
        .filter(municipality_id=citizen.municipality_id, unit_type__level__gte=3)
        .exclude(pk__in=from_units.values("pk"))
    )
    consents = citizen.consents.filter(
        Q(given_on__lte=on),
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on),
        Q(expires_on__isnull=True) | Q(expires_on__gte=on),
    )
    # The referral joins the citizen's shared plan when the user can see it.
    plan = (
        policy.visible_plans(request.user)
        .filter(members__citizen=citizen, status=Plan.Status.ACTIVE)
        .first()
    )
    data = request.POST if request.method == "POST" else None
    form = ReferralForm(data, from_units=from_units, to_units=to_units, consents=consents)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            cleaned = form.cleaned_data
            consent: Consent | None = cleaned["consent"]
            try:
                referral = do_send_referral(
                    actor=staff,
                    citizen=citizen,
                    from_unit=cleaned["from_unit"],
                    to_unit=cleaned["to_unit"],
                    question=cleaned["question"],
                    legal_basis=cleaned["legal_basis"],
                    consent=consent,
                    access_days=cleaned["access_days"],
                    plan=plan,
                )
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(
                    request,
                    _("The referral of %(name)s to %(unit)s is sent.")
                    % {"name": citizen.full_name, "unit": referral.to_unit.name},
                )
                return redirect("plans:referral_detail", referral_id=referral.pk)
    context: dict[str, Any] = {"form": form, "citizen": citizen, "plan": plan}
    return render(request, "plans/referral_create.html", context, status=status)


def _render_detail(
    request: HttpRequest,
    referral: Referral,
    *,
    status: int = 200,
    reject_form: RejectReferralForm | None = None,
    error: ValidationError | None = None,
) -> HttpResponse:
    readable = policy.readable_referrals(request.user).filter(pk=referral.pk).exists()
    citizen = referral.citizen
    plan = referral.plan
    context: dict[str, Any] = {
        "referral": referral,
        "readable": readable,
        "citizen_age": citizen.age() if readable else None,
        "citizen_page": readable and policy.can_view_citizen(request.user, citizen),
        "plan_link": plan is not None and policy.can_view_plan(request.user, plan),
        "can_decide": policy.can_decide_referral(request.user, referral),
        "can_withdraw": policy.can_withdraw_referral(request.user, referral),
        "reject_form": reject_form or RejectReferralForm(),
        "errors": error.messages if error is not None else [],
        "long_wait_days": LONG_WAIT_DAYS,
    }
    return render(request, "plans/referral_detail.html", context, status=status)


@login_required
@require_GET
def referral_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    """One referral: who, what is asked, on which basis, its status and waiting time."""
    referral = policy.get_referral_for_user(request.user, referral_id)
    return _render_detail(request, referral)


def _change(
    request: HttpRequest,
    referral_id: int,
    change: Callable[[Staff, Referral], Referral],
    done: str,
) -> HttpResponse:
    """Run one change of a referral the user can see; errors re-show the page with 400."""
    referral = policy.get_referral_for_user(request.user, referral_id)
    staff = _staff_or_403(request)
    try:
        change(staff, referral)
    except ValidationError as exc:
        referral.refresh_from_db()
        return _render_detail(request, referral, status=400, error=exc)
    messages.success(request, done)
    return redirect("plans:referral_detail", referral_id=referral.pk)


@login_required
@require_POST
def referral_received(request: HttpRequest, referral_id: int) -> HttpResponse:
    return _change(
        request,
        referral_id,
        lambda staff, r: do_mark_referral_received(actor=staff, referral=r),
        _("The referral is marked as received; the sender can see that it arrived."),
    )


@login_required
@require_POST
def referral_accept(request: HttpRequest, referral_id: int) -> HttpResponse:
    return _change(
        request,
        referral_id,
        lambda staff, r: do_accept_referral(actor=staff, referral=r),
        _("The referral is accepted. Your unit can open the citizen's page for the agreed time."),
    )


@login_required
@require_POST
def referral_reject(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = policy.get_referral_for_user(request.user, referral_id)
    staff = _staff_or_403(request)
    if not policy.can_decide_referral(request.user, referral) and referral.is_open:
        raise PermissionDenied(_("Only staff of the receiving unit can answer this referral."))
    form = RejectReferralForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, referral, status=400, reject_form=form)
    try:
        do_reject_referral(actor=staff, referral=referral, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        referral.refresh_from_db()
        if hasattr(exc, "error_dict") and "reason" in exc.error_dict:
            form.add_error("reason", exc.error_dict["reason"])
            return _render_detail(request, referral, status=400, reject_form=form)
        return _render_detail(request, referral, status=400, reject_form=form, error=exc)
    messages.success(request, _("The referral is rejected; the sender can read your reason."))
    return redirect("plans:referral_detail", referral_id=referral.pk)


@login_required
@require_POST
def referral_withdraw(request: HttpRequest, referral_id: int) -> HttpResponse:
    return _change(
        request,
        referral_id,
        lambda staff, r: do_withdraw_referral(actor=staff, referral=r),
        _("The referral is withdrawn."),
    )


urlpatterns: list[URLPattern] = [
    path("referrals/", referral_list, name="referrals"),
    path("referrals/new/", referral_create, name="referral_create"),
    path("referrals/<int:referral_id>/", referral_detail, name="referral_detail"),
    path("referrals/<int:referral_id>/received/", referral_received, name="referral_received"),
    path("referrals/<int:referral_id>/accept/", referral_accept, name="referral_accept"),
    path("referrals/<int:referral_id>/reject/", referral_reject, name="referral_reject"),
    path("referrals/<int:referral_id>/withdraw/", referral_withdraw, name="referral_withdraw"),
]
