"""Committee status reports: generated at the committee's cadence, written, submitted, approved.

A report moves draft > submitted > approved. While it is a draft, the markers'
responsible leaders write their narratives; it can be submitted only when
every marker has one. The director approves it (the content is then frozen
into the report's snapshot, in the same transaction) or returns it to draft
with a reason.

Who may call these is asked of ``helhed.policy`` by the views and the API;
the state rules (what may happen to a report in which state) are kept here.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from helhed.organisation.models import Municipality, Staff
from helhed.results.models import Committee, Marker, ReportNarrative, StatusReport
from helhed.results.periods import Period
from helhed.results.report_content import live_content, report_markers, snapshot

NARRATIVE_MAX = 10_000
REASON_MAX = StatusReport._meta.get_field("returned_reason").max_length or 500


def _locked(report: StatusReport) -> StatusReport:
    """The report's row, locked for the rest of the transaction, with its state as stored."""
    return StatusReport.objects.select_for_update().get(pk=report.pk)


def _refuse_unless(report: StatusReport, state: str, message: str) -> None:
    if report.status != state:
        raise ValidationError(message, code="state")


@transaction.atomic
def do_generate_reports(
    on: dt.date, municipality: Municipality | None = None
) -> list[StatusReport]:
    """Make the draft report of each active committee's last complete period, if missing.

    Idempotent: a committee that already has its report for that period gets
    nothing new. Returns the reports made.
    """
    committees = Committee.objects.filter(is_active=True).select_related("municipality")
    if municipality is not None:
        committees = committees.filter(municipality=municipality)
    made = []
    for committee in committees.order_by("municipality__name", "name", "pk"):
        period = Period.last_complete(on, committee.cadence)
        report, created = StatusReport.objects.get_or_create(
            committee=committee,
            period=period.code,
            defaults={"due_on": period.end + dt.timedelta(days=committee.report_due_days)},
        )
        if created:
            made.append(report)
    return made


@transaction.atomic
def do_write_narrative(
    *, actor: Staff, report: StatusReport, marker: Marker, text: str
) -> ReportNarrative:
    """Write (or replace) the narrative of one marker while the report is a draft."""
    locked = _locked(report)
    _refuse_unless(
        locked,
        StatusReport.Status.DRAFT,
        _("The report is %(status)s; narratives can be written only while it is a draft.")
        % {"status": locked.get_status_display().lower()},
    )
    if marker.pk not in {m.pk for m in report_markers(locked)}:
        raise ValidationError(
            {"marker": _("The quality marker is not part of this report.")}, code="marker"
        )
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the narrative.")}, code="empty")
    if len(text) > NARRATIVE_MAX:
        raise ValidationError(
            {
                "text": _("Keep the narrative under %(max)s characters.")
                % {"max": number_format(NARRATIVE_MAX, force_grouping=True)}
            },
            code="long",
        )
    narrative, _created = ReportNarrative.objects.update_or_create(
        report=locked, marker=marker, defaults={"text": text, "written_by": actor}
    )
    return narrative


@transaction.atomic
def do_submit_report(*, actor: Staff, report: StatusReport) -> StatusReport:
    """Submit a draft for approval; every marker must have its narrative."""
    locked = _locked(report)
    _refuse_unless(
        locked,
        StatusReport.Status.DRAFT,
        _("Only a draft can be submitted; this report is %(status)s.")
        % {"status": locked.get_status_display().lower()},
    )
    markers = report_markers(locked)
    if not markers:
        raise ValidationError(
            _("The report covers no quality markers, so there is nothing to submit."),
            code="empty",
        )
    written = set(ReportNarrative.objects.filter(report=locked).values_list("marker_id", flat=True))
    missing = [marker.title for marker in markers if marker.pk not in written]
    if missing:
        raise ValidationError(
            _("Write a narrative for every quality marker before submitting. Missing: %(markers)s.")
            % {"markers": "; ".join(missing)},
            code="narratives",
        )
    locked.status = StatusReport.Status.SUBMITTED
    locked.submitted_by = actor
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["status", "submitted_by", "submitted_at"])
    _copy(locked, report)
    return report


@transaction.atomic
def do_return_report(*, actor: Staff, report: StatusReport, reason: str) -> StatusReport:
    """Send a submitted report back to draft, with the reason the writers will read."""
    locked = _locked(report)
    _refuse_unless(
        locked,
        StatusReport.Status.SUBMITTED,
        _("Only a submitted report can be returned; this report is %(status)s.")
        % {"status": locked.get_status_display().lower()},
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"returned_reason": _("Say why the report is returned.")}, code="empty"
        )
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {
                "returned_reason": _("Keep the reason under %(max)s characters.")
                % {"max": REASON_MAX}
            },
            code="long",
        )
    locked.status = StatusReport.Status.DRAFT
    locked.returned_reason = reason
    locked.submitted_by = None
    locked.submitted_at = None
    locked.save(update_fields=["status", "returned_reason", "submitted_by", "submitted_at"])
    _copy(locked, report)
    return report


@transaction.atomic
def do_approve_report(*, actor: Staff, report: StatusReport) -> StatusReport:
    """Approve a submitted report and freeze its content into the snapshot.

    The snapshot is taken and stored in the same transaction as the change of
    state, and the change is a conditional update (only a report that is still
    submitted), so two approvals at once cannot both succeed or freeze twice.
    """
    current = StatusReport.objects.select_related("committee__municipality").get(pk=report.pk)
    _refuse_unless(
        current,
        StatusReport.Status.SUBMITTED,
        _("Only a submitted report can be approved; this report is %(status)s.")
        % {"status": current.get_status_display().lower()},
    )
    frozen = snapshot(live_content(current))
    now = timezone.now()
    changed = StatusReport.objects.filter(
        pk=report.pk, status=StatusReport.Status.SUBMITTED
    ).update(
        status=StatusReport.Status.APPROVED, approved_by=actor, approved_at=now, snapshot=frozen
    )
    if changed != 1:
        raise ValidationError(
            _("The report was approved or returned by someone else just now."), code="state"
        )
    current.refresh_from_db()
    _copy(current, report)
    return report


def _copy(source: StatusReport, target: StatusReport) -> None:
    """Bring the caller's instance up to date with the stored row."""
    for name in (
        "status",
        "submitted_by",
        "submitted_at",
        "approved_by",
        "approved_at",
        "returned_reason",
        "snapshot",
    ):
        setattr(target, name, getattr(source, name))
