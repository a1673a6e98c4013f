"""Committee status reports: the list, one report with its narratives, its changes and its PDF.

Every page reads the report's content through ``report_content``: live while
the report is a draft or submitted, the frozen snapshot once approved. Who may
do what is asked of ``helhed.policy``; what may happen to a report in its
state is the actions' rule, so a user who holds the right but meets the wrong
state (approving an approved report) gets the action's message on the page
with 422, while a user without the right gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from helhed import policy
from helhed.lib.htmx import wants_partial
from helhed.lib.validity import today
from helhed.organisation.models import Staff
from helhed.results import charts
from helhed.results.actions.reports import (
    do_approve_report,
    do_generate_reports,
    do_return_report,
    do_submit_report,
    do_write_narrative,
)
from helhed.results.forms.reports import NarrativeForm, ReportFilterForm, ReturnReportForm
from helhed.results.freshness import report_freshness
from helhed.results.models import Committee, Marker, StatusReport
from helhed.results.pdf import pdf_filename, render_report_pdf
from helhed.results.report_content import (
    TREND_ARROWS,
    AmbitionContent,
    MarkerContent,
    ReportContent,
    report_content,
)
from helhed.results.status import MIN_PERSONS, IndicatorStatus, Rag, Trend, format_value

REPORTS_PER_PAGE = 25
RAG_BADGE = {Rag.GREEN: "good", Rag.AMBER: "warn", Rag.RED: "bad", Rag.NONE: ""}


# --------------------------------------------------------------------------- what a page shows


@dataclass
class RowView:
    """One indicator for one unit, with what the page adds: its plot, badge and arrow."""

    status: IndicatorStatus
    svg: str

    @property
    def rag_class(self) -> str:
        return RAG_BADGE[Rag(self.status.rag)]

    @property
    def rag_label(self) -> str:
        return str(Rag(self.status.rag).label)

    @property
    def trend_arrow(self) -> str:
        return TREND_ARROWS[Trend(self.status.trend)]

    @property
    def trend_label(self) -> str:
        return str(Trend(self.status.trend).label)

    @property
    def series(self) -> list[tuple[str, str, str, bool]]:
        """(period, value, target, suppressed) for the table beside the plot."""
        indicator = self.status.indicator
        return [
            (
                point.period.label,
                format_value(indicator, point.value),
                format_value(indicator, point.target),
                point.suppressed,
            )
            for point in self.status.series
        ]


@dataclass
class MarkerView:
    marker: MarkerContent
    rows: list[RowView]
    form: NarrativeForm | None = None
    saved: bool = False


@dataclass
class AmbitionView:
    ambition: AmbitionContent
    markers: list[MarkerView]


def marker_view(
    marker: MarkerContent, *, form: NarrativeForm | None = None, saved: bool = False
) -> MarkerView:
    rows = [
        RowView(status=status, svg=charts.trend_svg(status))
        for block in marker.indicators
        for status in block.rows
    ]
    return MarkerView(marker=marker, rows=rows, form=form, saved=saved)


def report_sections(
    content: ReportContent, forms: dict[int, NarrativeForm | None] | None = None
) -> list[AmbitionView]:
    """The report's ambitions and markers as the page shows them (``forms`` by marker pk)."""
    forms = forms or {}
    return [
        AmbitionView(
            ambition=ambition,
            markers=[marker_view(m, form=forms.get(m.pk)) for m in ambition.markers],
        )
        for ambition in content.ambitions
    ]


def _writable_markers(request: HttpRequest, report: StatusReport) -> dict[int, Marker]:
    """The report's markers the user may write the narrative of now."""
    if report.status != StatusReport.Status.DRAFT:
        return {}
    markers = Marker.objects.select_related("ambition").filter(
        ambition__committee_id=report.committee_id
    )
    return {
        marker.pk: marker
        for marker in markers
        if policy.can_write_narrative(request.user, report, marker)
    }


def _staff_or_403(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None:
        raise PermissionDenied(_("Only staff work with status reports."))
    return staff


def _render_report(
    request: HttpRequest,
    report: StatusReport,
    *,
    status: int = 200,
    error: ValidationError | None = None,
    narrative_form: tuple[int, NarrativeForm] | None = None,
    return_form: ReturnReportForm | None = None,
) -> HttpResponse:
    content = report_content(report)
    writable = _writable_markers(request, report)
    forms: dict[int, NarrativeForm | None] = {}
    for marker in content.markers:
        if marker.pk in writable:
            text = marker.narrative.text if marker.narrative else ""
            forms[marker.pk] = NarrativeForm(initial={"text": text}, marker_id=marker.pk)
    if narrative_form is not None:
        forms[narrative_form[0]] = narrative_form[1]
    context = {
        "report": report,
        "content": content,
        "sections": report_sections(content, forms),
        "error": " ".join(error.messages) if error is not None else "",
        "can_submit": policy.can_submit_report(request.user, report),
        "can_approve": policy.can_approve_report(request.user, report),
        "return_form": return_form or ReturnReportForm(),
        "overdue": _is_overdue(report),
        "min_persons": MIN_PERSONS,
        # How ready the report is (current data, narratives, forecasts); an approved
        # report is frozen, and live numbers would no longer describe it.
        "freshness": None if report.is_frozen else report_freshness(report, content),
    }
    return render(request, "results/report_detail.html", context, status=status)


def _is_overdue(report: StatusReport) -> bool:
    return report.status != StatusReport.Status.APPROVED and report.due_on < today()


# --------------------------------------------------------------------------- the list


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    """The reports the user may read, newest period first, filtered by committee and status."""
    staff = policy.staff_for(request.user)
    reports = policy.visible_reports(request.user)
    committees = Committee.objects.filter(pk__in=reports.values("committee_id")).order_by("name")
    form = ReportFilterForm(request.GET or None, committees=committees)
    form.is_valid()
    # Only the filters that are valid apply; a stale committee id just shows everything.
    chosen = getattr(form, "cleaned_data", {})
    if chosen.get("q"):
        reports = reports.filter(committee__name__icontains=chosen["q"])
    if chosen.get("committee"):
        reports = reports.filter(committee=chosen["committee"])
    if chosen.get("status"):
        reports = reports.filter(status=chosen["status"])
    reports = reports.select_related("committee").order_by("-period_start", "committee__name")
    page = Paginator(reports, REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    for report in page:
        report.overdue = _is_overdue(report)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "form": form,
        "query": query.urlencode(),
        "can_generate": staff is not None
        and policy.can_manage_results(request.user, staff.municipality),
    }
    template = (
        "results/report_list_results.html" if wants_partial(request) else "results/report_list.html"
    )
    return render(request, template, context)


@login_required
@require_POST
def report_generate(request: HttpRequest) -> HttpResponse:
    """Results managers make the due draft reports of their municipality's committees now."""
    staff = _staff_or_403(request)
    if not policy.can_manage_results(request.user, staff.municipality):
        raise PermissionDenied(_("Only results managers can generate status reports."))
    made = do_generate_reports(today(), municipality=staff.municipality)
    if made:
        messages.success(
            request,
            ngettext(
                "%(count)d draft report made: %(names)s.",
                "%(count)d draft reports made: %(names)s.",
                len(made),
            )
            % {"count": len(made), "names": "; ".join(str(report) for report in made)},
        )
    else:
        messages.info(request, _("Every committee already has its report for the last period."))
    return redirect("results:reports")


# --------------------------------------------------------------------------- one report


@login_required
@require_GET
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    """The report: header, summary, and each marker's narrative, table and plots."""
    report = policy.get_report_for_user(request.user, report_id)
    return _render_report(request, report)


@login_required
@require_POST
def report_narrative(request: HttpRequest, report_id: int, marker_id: int) -> HttpResponse:
    """The marker's responsible leader writes (or rewrites) its narrative in a draft."""
    report = policy.get_report_for_user(request.user, report_id)
    marker = (
        Marker.objects.select_related("ambition", "owner")
        .filter(pk=marker_id, ambition__committee_id=report.committee_id)
        .first()
    )
    if marker is None:
        raise Http404("No such marker in this report")
    staff = _staff_or_403(request)
    if not policy.may_write_narrative(request.user, report, marker):
        raise PermissionDenied(_("Only the marker's responsible leader writes its narrative."))
    form = NarrativeForm(request.POST, marker_id=marker.pk)
    error: ValidationError | None = None
    if form.is_valid():
        try:
            do_write_narrative(
                actor=staff, report=report, marker=marker, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            report.refresh_from_db()
            form.add_action_errors(exc)
            if not hasattr(exc, "error_dict"):
                error = exc
        else:
            if wants_partial(request):
                return _marker_partial(request, report, marker.pk, saved=True)
            messages.success(request, _("The narrative is saved."))
            return redirect(reverse("results:report", args=[report.pk]) + f"#marker-{marker.pk}")
    if wants_partial(request):
        # htmx swaps only 2xx answers: the form with its errors comes back as 200.
        return _marker_partial(request, report, marker.pk, form=form)
    keep_form = report.status == StatusReport.Status.DRAFT
    return _render_report(
        request,
        report,
        status=422,
        error=error,
        narrative_form=(marker.pk, form) if keep_form else None,
    )


def _marker_partial(
    request: HttpRequest,
    report: StatusReport,
    marker_id: int,
    *,
    form: NarrativeForm | None = None,
    saved: bool = False,
) -> HttpResponse:
    content = report_content(report)
    marker = next((m for m in content.markers if m.pk == marker_id), None)
    if marker is None:  # the committee's marker, but not one this report covers
        raise Http404("No such marker in this report")
    if form is None and marker_id in _writable_markers(request, report):
        form = NarrativeForm(
            initial={"text": marker.narrative.text if marker.narrative else ""},
            marker_id=marker_id,
        )
    context = {
        "report": report,
        "m": marker_view(marker, form=form, saved=saved),
        "min_persons": MIN_PERSONS,
    }
    return render(request, "results/report_marker.html", context)


def _change(
    request: HttpRequest,
    report_id: int,
    *,
    check: Callable[[policy.AnyUser, StatusReport], bool],
    refused: str,
    run: Callable[[Staff, StatusReport], StatusReport],
    done: str,
) -> HttpResponse:
    """One change of state: 403 without the right, 422 with the message if the state forbids."""
    report = policy.get_report_for_user(request.user, report_id)
    staff = _staff_or_403(request)
    if not check(request.user, report):
        raise PermissionDenied(refused)
    try:
        run(staff, report)
    except ValidationError as exc:
        report.refresh_from_db()
        return _render_report(request, report, status=422, error=exc)
    messages.success(request, done)
    return redirect("results:report", report_id=report.pk)


@login_required
@require_POST
def report_submit(request: HttpRequest, report_id: int) -> HttpResponse:
    return _change(
        request,
        report_id,
        check=policy.may_submit_report,
        refused=_(
            "Only the owners of the committee's ambitions and markers, and the leaders of the "
            "units they cover, submit its reports."
        ),
        run=lambda staff, report: do_submit_report(actor=staff, report=report),
        done=_("The report is submitted for approval."),
    )


@login_required
@require_POST
def report_approve(request: HttpRequest, report_id: int) -> HttpResponse:
    return _change(
        request,
        report_id,
        check=policy.may_approve_report,
        refused=_("Only the municipal director approves status reports."),
        run=lambda staff, report: do_approve_report(actor=staff, report=report),
        done=_("The report is approved and frozen: it will show these figures from now on."),
    )


@login_required
@require_POST
def report_return(request: HttpRequest, report_id: int) -> HttpResponse:
    """The director sends a submitted report back to draft with a reason."""
    report = policy.get_report_for_user(request.user, report_id)
    staff = _staff_or_403(request)
    if not policy.may_approve_report(request.user, report):
        raise PermissionDenied(_("Only the municipal director returns status reports."))
    form = ReturnReportForm(request.POST)
    if form.is_valid():
        try:
            do_return_report(actor=staff, report=report, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            report.refresh_from_db()
            form.add_action_errors(exc)
            error = None if hasattr(exc, "error_dict") else exc
            return _render_report(request, report, status=422, error=error, return_form=form)
        messages.success(request, _("The report is returned to draft with your reason."))
        return redirect("results:report", report_id=report.pk)
    return _render_report(request, report, status=422, return_form=form)


@login_required
@require_GET
def report_pdf(request: HttpRequest, report_id: int) -> HttpResponse:
    """The report as a PDF, for everyone who may read it."""
    report = policy.get_report_for_user(request.user, report_id)
    response = HttpResponse(
        render_report_pdf(report, report_content(report)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(report)}"'
    return response


urlpatterns: list[URLPattern] = [
    path("reports/", report_list, name="reports"),
    path("reports/generate/", report_generate, name="reports_generate"),
    path("reports/<int:report_id>/", report_detail, name="report"),
    path(
        "reports/<int:report_id>/narratives/<int:marker_id>/",
        report_narrative,
        name="report_narrative",
    ),
    path("reports/<int:report_id>/submit/", report_submit, name="report_submit"),
    path("reports/<int:report_id>/approve/", report_approve, name="report_approve"),
    path("reports/<int:report_id>/return/", report_return, name="report_return"),
    path("reports/<int:report_id>/pdf/", report_pdf, name="report_pdf"),
]
