"""The indicator catalogue, targets and values: pages for reading, setting, recording and importing.

Every signed-in staff member reads their municipality's catalogue (definitions
are not personal data) and the values and targets of the units whose results
they may see (``policy.results_units``); another municipality's indicator is
a 404. Results managers (``policy.can_manage_results``) keep the catalogue;
leaders and managers set targets and record or import values for the units
they may (``policy.can_set_target``, ``policy.can_record_measurement``).
Every value shown passes ``status.is_suppressed``: fewer than five persons
is shown as a dash.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helhed import policy
from helhed.lib.validity import today
from helhed.organisation.models import Staff, Unit
from helhed.results import status
from helhed.results.actions.catalogue import (
    INDICATOR_FIELDS,
    do_create_indicator,
    do_install_catalogue,
    do_update_indicator,
    missing_catalogue_codes,
)
from helhed.results.actions.measurements import (
    default_periods,
    do_compute,
    do_import_measurements,
    do_record_measurement,
)
from helhed.results.actions.targets import do_delete_target, do_set_target
from helhed.results.forms.catalogue import (
    CatalogueFilterForm,
    ImportForm,
    IndicatorForm,
    MeasurementForm,
    TargetForm,
)
from helhed.results.models import Indicator, Marker, Measurement, Target
from helhed.results.periods import Period

INDICATORS_PER_PAGE = 25
MEASUREMENTS_PER_PAGE = 25


def _staff(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None:
        raise PermissionDenied(_("Only staff of a municipality can use the results pages."))
    return staff


def _require_manager(request: HttpRequest) -> Staff:
    staff = _staff(request)
    if not policy.can_manage_results(request.user, staff.municipality):
        raise PermissionDenied(_("Only results managers can change the catalogue."))
    return staff


# --------------------------------------------------------------------------- the catalogue


def _filtered(indicators: QuerySet[Indicator], form: CatalogueFilterForm) -> QuerySet[Indicator]:
    if not form.is_valid():
        return indicators
    text = form.cleaned_data["q"].strip()
    if text:
        indicators = indicators.filter(
            Q(name__icontains=text) | Q(code__icontains=text) | Q(definition__icontains=text)
        )
    if form.cleaned_data["kind"]:
        indicators = indicators.filter(kind=form.cleaned_data["kind"])
    if form.cleaned_data["frequency"]:
        indicators = indicators.filter(frequency=form.cleaned_data["frequency"])
    return indicators


@login_required
@require_GET
def indicator_list(request: HttpRequest) -> HttpResponse:
    """The municipality's catalogue, searchable; managers can add what the shipped one has."""
    staff = _staff(request)
    form = CatalogueFilterForm(request.GET)
    indicators = _filtered(policy.visible_indicators(request.user), form).order_by("name", "pk")
    page = Paginator(indicators, INDICATORS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    can_manage = policy.can_manage_results(request.user, staff.municipality)
    context: dict[str, Any] = {
        "page": page,
        "form": form,
        "query": query.urlencode(),
        "can_manage": can_manage,
        "missing": len(missing_catalogue_codes(staff.municipality)) if can_manage else 0,
        "can_import": policy.can_import_measurements(request.user),
    }
    return render(request, "results/catalogue_list.html", context)


@login_required
@require_POST
def catalogue_install(request: HttpRequest) -> HttpResponse:
    """Add the shipped indicators the municipality lacks (never overwriting its own edits)."""
    staff = _require_manager(request)
    added = do_install_catalogue(actor=staff, municipality=staff.municipality)
    if added:
        messages.success(
            request,
            ngettext(
                "%(count)d indicator was added from the shipped catalogue.",
                "%(count)d indicators were added from the shipped catalogue.",
                len(added),
            )
            % {"count": len(added)},
        )
    else:
        messages.info(request, _("The catalogue already has every shipped indicator."))
    return redirect("results:indicators")


def _indicator_form_page(
    request: HttpRequest, staff: Staff, indicator: Indicator | None
) -> HttpResponse:
    current = indicator.computed_by if indicator else ""
    initial = {name: getattr(indicator, name) for name in INDICATOR_FIELDS} if indicator else None
    form = IndicatorForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        current_source=current,
    )
    status_code = 200
    if request.method == "POST":
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in INDICATOR_FIELDS}
            try:
                if indicator is None:
                    indicator = do_create_indicator(
                        actor=staff, municipality=staff.municipality, **fields
                    )
                    messages.success(request, _("The indicator is added to the catalogue."))
                else:
                    indicator = do_update_indicator(actor=staff, indicator=indicator, **fields)
                    messages.success(request, _("The indicator is saved."))
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                return redirect("results:indicator", indicator_id=indicator.pk)
        status_code = 400
    return render(
        request,
        "results/indicator_form.html",
        {"form": form, "indicator": indicator},
        status=status_code,
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_create(request: HttpRequest) -> HttpResponse:
    """A results manager adds an indicator to the catalogue."""
    return _indicator_form_page(request, _require_manager(request), None)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, indicator_id: int) -> HttpResponse:
    """A results manager edits an indicator's definition."""
    indicator = policy.get_indicator_for_user(request.user, indicator_id)
    return _indicator_form_page(request, _require_manager(request), indicator)


# --------------------------------------------------------------------------- one indicator


def _unit_key(text: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(text or "")
    except ValueError:
        return None


def _measurement_rows(
    indicator: Indicator, measurements: list[Measurement]
) -> list[dict[str, Any]]:
    """Each value as it may be shown, with the target that applies (own or inherited)."""
    book = status.TargetBook([indicator], {m.unit.pk: m.unit for m in measurements}.values())
    rows = []
    for measurement in measurements:
        period = Period.parse(measurement.period)
        hidden = status.is_suppressed(indicator, measurement.persons, hidden=measurement.suppressed)
        target = book.target_for(indicator, measurement.unit, period)
        rows.append(
            {
                "measurement": measurement,
                "period": period,
                "suppressed": hidden,
                "value": status.format_value(indicator, None if hidden else measurement.value),
                "numerator": None if hidden else measurement.numerator,
                "denominator": None if hidden else measurement.denominator,
                "target": target,
                "target_value": status.format_value(indicator, target.value if target else None),
                "inherited": target is not None and target.unit_key != measurement.unit_key,
            }
        )
    return rows


@login_required
@require_GET
def indicator_detail(request: HttpRequest, indicator_id: int) -> HttpResponse:
    """The definition, the markers that follow it, its targets and the latest values."""
    indicator = policy.get_indicator_for_user(request.user, indicator_id)
    staff = _staff(request)
    visible_keys = policy.results_units(request.user).values("key")
    units = list(
        policy.results_units(request.user).valid_on(today()).only("pk", "name", "key", "path")
    )
    unit_key = _unit_key(request.GET.get("unit"))
    measurements = (
        Measurement.objects.filter(indicator=indicator, unit_key__in=visible_keys)
        .select_related("unit", "recorded_by")
        .order_by("-period_start", "unit__name", "pk")
    )
    if unit_key is not None:
        measurements = measurements.filter(unit_key=unit_key)
    page = Paginator(measurements, MEASUREMENTS_PER_PAGE).get_page(request.GET.get("page"))
    targets = (
        Target.objects.filter(indicator=indicator, unit_key__in=visible_keys)
        .select_related("unit", "set_by")
        .order_by("unit__path", "applies_from_start")
    )
    can_manage = policy.can_manage_results(request.user, staff.municipality)
    can_change_units = policy.target_units(request.user).exists()
    context: dict[str, Any] = {
        "indicator": indicator,
        "markers": Marker.objects.filter(indicators=indicator)
        .select_related("ambition", "ambition__committee")
        .order_by("ambition__title", "sort_order", "pk"),
        "targets": [
            {
                "target": target,
                "period": target.period,
                "value": status.format_value(indicator, target.value),
                "baseline": status.format_value(indicator, target.baseline_value),
                "baseline_period": Period.parse(target.baseline_period)
                if target.baseline_period
                else None,
                "can_delete": policy.can_set_target(request.user, target.unit),
            }
            for target in targets
        ],
        "page": page,
        "rows": _measurement_rows(indicator, list(page.object_list)),
        "units": units,
        "unit_key": unit_key,
        "min_persons": status.MIN_PERSONS,
        "can_manage": can_manage,
        "can_set_target": can_change_units,
        "can_record": can_change_units and not indicator.computed_by,
        "can_compute": can_manage and bool(indicator.computed_by),
    }
    return render(request, "results/indicator_detail.html", context)


# --------------------------------------------------------------------------- targets


@login_required
@require_http_methods(["GET", "POST"])
def target_set(request: HttpRequest, indicator_id: int) -> HttpResponse:
    """Set a unit's target from a period on; setting it again for that period replaces it."""
    indicator = policy.get_indicator_for_user(request.user, indicator_id)
    staff = _staff(request)
    units = policy.target_units(request.user)
    if not units.exists():
        raise PermissionDenied(_("Only the unit's leaders and results managers set targets."))
    form = TargetForm(request.POST if request.method == "POST" else None, units=units)
    status_code = 200
    if request.method == "POST":
        if form.is_valid():
            unit: Unit = form.cleaned_data["unit"]
            if not policy.can_set_target(request.user, unit):
                raise PermissionDenied(
                    _("Only the unit's leaders and results managers set targets.")
                )
            data = {k: v for k, v in form.cleaned_data.items() if k != "unit"}
            try:
                result = do_set_target(actor=staff, indicator=indicator, unit=unit, **data)
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                values = {
                    "unit": unit.name,
                    "period": result.target.period.label,
                    "value": status.format_value(indicator, result.target.value),
                    "old": status.format_value(indicator, result.previous_value),
                }
                if result.replaced:
                    message = _(
                        "The target for %(unit)s from %(period)s is now %(value)s; it replaced "
                        "the target of %(old)s."
                    )
                else:
                    message = _("The target for %(unit)s from %(period)s is %(value)s.")
                messages.success(request, message % values)
                return redirect("results:indicator", indicator_id=indicator.pk)
        status_code = 400
    return render(
        request,
        "results/target_form.html",
        {"form": form, "indicator": indicator},
        status=status_code,
    )


@login_required
@require_POST
def target_delete(request: HttpRequest, target_id: int) -> HttpResponse:
    """Delete a target set by mistake; the unit then inherits the nearest target above."""
    target = policy.get_target_for_user(request.user, target_id)
    staff = _staff(request)
    if not policy.can_set_target(request.user, target.unit):
        raise PermissionDenied(_("Only the unit's leaders and results managers set targets."))
    indicator_id = target.indicator_id
    label = {"unit": target.unit.name, "period": target.period.label}
    do_delete_target(actor=staff, target=target)
    messages.success(request, _("The target for %(unit)s from %(period)s is deleted.") % label)
    return redirect("results:indicator", indicator_id=indicator_id)


# --------------------------------------------------------------------------- values


@login_required
@require_http_methods(["GET", "POST"])
def measurement_record(request: HttpRequest, indicator_id: int) -> HttpResponse:
    """Record a value by hand; recording a period again replaces its value."""
    indicator = policy.get_indicator_for_user(request.user, indicator_id)
    staff = _staff(request)
    units = policy.target_units(request.user)
    if not units.exists():
        raise PermissionDenied(_("Only the unit's leaders and results managers record values."))
    form = MeasurementForm(
        request.POST if request.method == "POST" else None, indicator=indicator, units=units
    )
    status_code = 200
    if request.method == "POST":
        if form.is_valid():
            unit: Unit = form.cleaned_data["unit"]
            if not policy.can_record_measurement(request.user, unit):
                raise PermissionDenied(
                    _("Only the unit's leaders and results managers record values.")
                )
            data = {k: v for k, v in form.cleaned_data.items() if k != "unit"}
            try:
                result = do_record_measurement(actor=staff, indicator=indicator, unit=unit, **data)
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                values = {
                    "unit": unit.name,
                    "period": Period.parse(result.measurement.period).label,
                    "value": status.format_value(indicator, result.measurement.value),
                    "old": status.format_value(indicator, result.previous_value),
                }
                if result.replaced:
                    message = _(
                        "The value for %(unit)s in %(period)s is now %(value)s; it replaced the "
                        "old value %(old)s."
                    )
                else:
                    message = _("The value %(value)s is recorded for %(unit)s in %(period)s.")
                messages.success(request, message % values)
                return redirect("results:indicator", indicator_id=indicator.pk)
        status_code = 400
    return render(
        request,
        "results/measurement_form.html",
        {"form": form, "indicator": indicator},
        status=status_code,
    )


@login_required
@require_POST
def indicator_compute(request: HttpRequest, indicator_id: int) -> HttpResponse:
    """Compute a computed indicator now: its last 8 complete periods, every active unit."""
    indicator = policy.get_indicator_for_user(request.user, indicator_id)
    staff = _require_manager(request)
    if not indicator.computed_by:
        messages.error(request, _("This indicator is not computed; its values are entered."))
        return redirect("results:indicator", indicator_id=indicator.pk)
    units = list(Unit.objects.filter(municipality=staff.municipality).valid_on(today()))
    try:
        stored = do_compute(indicator, units, default_periods(indicator), actor=staff)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Computed: %(created)d new values, %(updated)d updated.")
            % {"created": stored.created, "updated": stored.updated},
        )
    return redirect("results:indicator", indicator_id=indicator.pk)


# --------------------------------------------------------------------------- import


def _may_record(request: HttpRequest) -> Any:
    return lambda unit: policy.can_record_measurement(request.user, unit)


@login_required
@require_http_methods(["GET", "POST"])
def measurement_import(request: HttpRequest) -> HttpResponse:
    """Import values from a CSV or Excel file: every row is checked, then all or none saved."""
    staff = _staff(request)
    if not policy.can_import_measurements(request.user):
        raise PermissionDenied(_("Only leaders and results managers import values."))
    form = ImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    result = None
    status_code = 200
    if request.method == "POST":
        status_code = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = do_import_measurements(
                    actor=staff,
                    municipality=staff.municipality,
                    filename=upload.name or "",
                    content=upload.read(),
                    may_record=_may_record(request),
                    dry_run=form.cleaned_data["dry_run"],
                )
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                status_code = 200 if result.ok else 400
    return render(
        request,
        "results/import_form.html",
        {"form": form, "result": result, "max_errors": 500},
        status=status_code,
    )


@login_required
@require_GET
def import_sample(request: HttpRequest) -> HttpResponse:
    """A sample file in the import format (semicolons, decimal comma, as Danish Excel saves)."""
    _staff(request)
    unit = policy.target_units(request.user).order_by("-depth", "name").first()
    name = unit.name if unit else "Bakkeskolen"
    lines = [
        "indicator;unit;period;value;numerator;denominator;persons",
        f"fravaer-over-10;{name};2025-Q3;12,5;25;200;200",
        f"fravaer-over-10;{name};2025-Q4;;22;200;200",
        f"sygefravaer-medarbejdere;{name};2025-Q3;4,8;;;52",
    ]
    response = HttpResponse(
        ("\n".join(lines) + "\n").encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="helhed-values-sample.csv"'
    return response


urlpatterns: list[URLPattern] = [
    path("indicators/", indicator_list, name="indicators"),
    path("indicators/install/", catalogue_install, name="catalogue_install"),
    path("indicators/new/", indicator_create, name="indicator_create"),
    path("indicators/<int:indicator_id>/", indicator_detail, name="indicator"),
    path("indicators/<int:indicator_id>/edit/", indicator_edit, name="indicator_edit"),
    path("indicators/<int:indicator_id>/targets/new/", target_set, name="target_set"),
    path(
        "indicators/<int:indicator_id>/values/new/", measurement_record, name="measurement_record"
    ),
    path("indicators/<int:indicator_id>/compute/", indicator_compute, name="indicator_compute"),
    path("targets/<int:target_id>/delete/", target_delete, name="target_delete"),
    path("import/", measurement_import, name="import"),
    path("import/sample.csv", import_sample, name="import_sample"),
]
