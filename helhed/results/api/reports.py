"""API for committee status reports, with the same rules as the web pages.

The detail answer carries the report's content in the snapshot's shape
(``report_content.snapshot``): live while the report is a draft or submitted,
the frozen snapshot once approved. A value hidden by the five-person rule is
never in it. Without the right to a change the answer is 403; with the right
but the report in the wrong state, 422 with the action's message.

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from helhed import policy
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.lib.pagination import BoundedPages
from helhed.lib.validity import today
from helhed.organisation.models import Staff
from helhed.results.actions import reports as actions
from helhed.results.models import Marker, ReportNarrative, StatusReport
from helhed.results.pdf import pdf_filename, render_report_pdf
from helhed.results.report_content import report_content, snapshot

router = Router(tags=["status reports"])


class ReportOut(Schema):
    id: int
    committee_id: int
    committee: str
    period: str
    period_label: str
    status: str
    due_on: dt.date
    overdue: bool
    submitted_by: str | None
    submitted_at: dt.datetime | None
    approved_by: str | None
    approved_at: dt.datetime | None
    returned_reason: str

    @staticmethod
    def resolve_committee(obj: StatusReport) -> str:
        return obj.committee.name

    @staticmethod
    def resolve_period_label(obj: StatusReport) -> str:
        return obj.period_obj.label

    @staticmethod
    def resolve_overdue(obj: StatusReport) -> bool:
        return obj.status != StatusReport.Status.APPROVED and obj.due_on < today()

    @staticmethod
    def resolve_submitted_by(obj: StatusReport) -> str | None:
        return obj.submitted_by.full_name if obj.submitted_by else None

    @staticmethod
    def resolve_approved_by(obj: StatusReport) -> str | None:
        return obj.approved_by.full_name if obj.approved_by else None


class ReportDetailOut(ReportOut):
    frozen: bool
    content: dict[str, Any]


class NarrativeIn(Schema):
    text: str = Field(..., min_length=1, max_length=actions.NARRATIVE_MAX, pattern=NO_NUL_PATTERN)


class NarrativeOut(Schema):
    marker_id: int
    text: str
    written_by: str
    written_at: dt.datetime

    @staticmethod
    def resolve_written_by(obj: ReportNarrative) -> str:
        return obj.written_by.full_name


class ReturnIn(Schema):
    reason: str = Field(..., min_length=1, max_length=actions.REASON_MAX, pattern=NO_NUL_PATTERN)


class GeneratedOut(Schema):
    made: list[ReportOut]


def _staff(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None:
        raise PermissionDenied("Only staff work with status reports.")
    return staff


def _detail(report: StatusReport) -> StatusReport:
    """The report with its content attached, for ``ReportDetailOut``."""
    report.frozen = report.is_frozen  # type: ignore[attr-defined]
    report.content = snapshot(report_content(report))  # type: ignore[attr-defined]
    return report


def _reloaded(report: StatusReport) -> StatusReport:
    return StatusReport.objects.select_related("committee", "submitted_by", "approved_by").get(
        pk=report.pk
    )


@router.get("", response=list[ReportOut])
@paginate(BoundedPages, page_size=25)
def list_reports(
    request: HttpRequest,
    committee_id: int | None = None,
    status: Literal["draft", "submitted", "approved"] | None = None,
) -> QuerySet[StatusReport]:
    """The reports the caller may read, newest period first (drafts for leaders and analysts)."""
    reports = policy.visible_reports(request.user).select_related(
        "committee", "submitted_by", "approved_by"
    )
    if committee_id is not None:
        reports = reports.filter(committee_id=committee_id)
    if status is not None:
        reports = reports.filter(status=status)
    return reports.order_by("-period_start", "committee__name", "pk")


@router.post("/generate", response={200: GeneratedOut})
def generate_reports(request: HttpRequest) -> dict[str, Any]:
    """Results managers make the due draft reports of their municipality's committees."""
    staff = _staff(request)
    if not policy.can_manage_results(request.user, staff.municipality):
        raise PermissionDenied("Only results managers can generate status reports.")
    made = actions.do_generate_reports(today(), municipality=staff.municipality)
    return {"made": [_reloaded(report) for report in made]}


@router.get("/{report_id}", response=ReportDetailOut)
def get_report(request: HttpRequest, report_id: int) -> StatusReport:
    """One report with its content: frozen from the snapshot once approved."""
    return _detail(policy.get_report_for_user(request.user, report_id))


@router.put("/{report_id}/narratives/{marker_id}", response=NarrativeOut)
def write_narrative(
    request: HttpRequest, report_id: int, marker_id: int, payload: NarrativeIn
) -> ReportNarrative:
    """The marker's responsible leader writes (or replaces) its narrative while a draft."""
    report = policy.get_report_for_user(request.user, report_id)
    marker = (
        Marker.objects.select_related("ambition")
        .filter(pk=marker_id, ambition__committee_id=report.committee_id)
        .first()
    )
    if marker is None:
        raise Http404("No such marker in this report")
    staff = _staff(request)
    if not policy.may_write_narrative(request.user, report, marker):
        raise PermissionDenied("Only the marker's responsible leader writes its narrative.")
    return actions.do_write_narrative(actor=staff, report=report, marker=marker, text=payload.text)


@router.post("/{report_id}/submit", response=ReportOut)
def submit_report(request: HttpRequest, report_id: int) -> StatusReport:
    """Submit a draft for approval; every marker needs its narrative."""
    report = policy.get_report_for_user(request.user, report_id)
    staff = _staff(request)
    if not policy.may_submit_report(request.user, report):
        raise PermissionDenied(
            "Only the owners of the committee's ambitions and markers, "
            "and the leaders of the units they cover, submit its reports."
        )
    actions.do_submit_report(actor=staff, report=report)
    return _reloaded(report)


@router.post("/{report_id}/approve", response=ReportDetailOut)
def approve_report(request: HttpRequest, report_id: int) -> StatusReport:
    """The municipal director approves a submitted report, freezing its content."""
    report = policy.get_report_for_user(request.user, report_id)
    staff = _staff(request)
    if not policy.may_approve_report(request.user, report):
        raise PermissionDenied("Only the municipal director approves status reports.")
    actions.do_approve_report(actor=staff, report=report)
    return _detail(_reloaded(report))


@router.post("/{report_id}/return", response=ReportOut)
def return_report(request: HttpRequest, report_id: int, payload: ReturnIn) -> StatusReport:
    """The municipal director sends a submitted report back to draft with a reason."""
    report = policy.get_report_for_user(request.user, report_id)
    staff = _staff(request)
    if not policy.may_approve_report(request.user, report):
        raise PermissionDenied("Only the municipal director returns status reports.")
    actions.do_return_report(actor=staff, report=report, reason=payload.reason)
    return _reloaded(report)


@router.get(
    "/{report_id}/pdf",
    openapi_extra={
        "responses": {200: {"description": "The report as PDF", "content": {"application/pdf": {}}}}
    },
)
def report_pdf(request: HttpRequest, report_id: int) -> HttpResponse:
    """The report as a PDF, for everyone who may read it."""
    report = policy.get_report_for_user(request.user, report_id)
    response = HttpResponse(
        render_report_pdf(report, report_content(report)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(report)}"'
    return response
