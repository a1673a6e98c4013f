"""The status report as a PDF a committee can read: A4, tables, one plot per indicator and unit.

Built with fpdf2 (pure Python) from the same ``ReportContent`` as the page, so
an approved report's PDF is read from its snapshot like everything else. The
fonts (DejaVu Sans) ship with the app: Danish letters, dashes and arrows need
a Unicode font. A report that is not approved says so at the top of every
page.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from helhed.results import charts
from helhed.results.models import StatusReport
from helhed.results.report_content import TREND_ARROWS, MarkerContent, ReportContent
from helhed.results.status import IndicatorStatus, Rag, Trend

FONTS = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"
PLOT_WIDTH = 150  # mm
CAPTION_HEIGHT = 6  # mm
INK = (29, 39, 51)
MUTED = (91, 103, 118)
DRAFT_RED = (176, 0, 32)
RAG_FILL = {
    Rag.GREEN: (220, 240, 226),
    Rag.AMBER: (255, 240, 200),
    Rag.RED: (250, 218, 222),
    Rag.NONE: (238, 241, 245),
}
# Danish letters spelled out, so a file name stays readable where slugify would drop them.
_TRANSLITERATE = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


def pdf_filename(report: StatusReport) -> str:
    """``status-<committee>-<period>.pdf``, e.g. ``status-boerne-og-skoleudvalget-2026-Q3.pdf``."""
    slug = slugify(report.committee.name.translate(_TRANSLITERATE)) or "committee"
    return f"status-{slug}-{report.period}.pdf"


def _when(moment: Any) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else "–"


def trend_text(status: IndicatorStatus) -> str:
    return f"{TREND_ARROWS[Trend(status.trend)]} {Trend(status.trend).label}"


class _ReportPDF(FPDF):
    """A4 pages with a running head (and the draft warning) and numbered footers."""

    def __init__(self, *, running_head: str, draft: str, generated: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.running_head = running_head
        self.draft = draft
        self.generated = generated
        self.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_margins(15, 18, 15)
        self.set_auto_page_break(auto=True, margin=18)

    def header(self) -> None:
        self.set_font(FONT, "", 8)
        self.set_text_color(*MUTED)
        self.set_y(8)
        self.cell(0, 4, self.running_head, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if self.draft:
            self.set_font(FONT, "B", 10)
            self.set_text_color(*DRAFT_RED)
            self.cell(0, 5, self.draft, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)
        self.set_y(max(self.get_y() + 2, 18))

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(*MUTED)
        self.cell(90, 5, self.generated)
        self.cell(
            0,
            5,
            _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"},
            align="R",
        )
        self.set_text_color(*INK)

    # Small writing helpers ---------------------------------------------------

    def heading(self, text: str, size: int) -> None:
        self.set_font(FONT, "B", size)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def paragraph(self, text: str, *, size: int = 10, muted: bool = False) -> None:
        self.set_font(FONT, "", size)
        if muted:
            self.set_text_color(*MUTED)
        self.multi_cell(0, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)

    def facts(self, rows: list[tuple[str, str]]) -> None:
        for label, value in rows:
            self.set_font(FONT, "B", 9)
            self.cell(45, 5, label)
            self.set_font(FONT, "", 9)
            self.multi_cell(0, 5, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render_report_pdf(report: StatusReport, content: ReportContent) -> bytes:
    """The report as PDF bytes."""
    # The warning on every page of a report that is not approved; empty once it is.
    draft = {
        StatusReport.Status.DRAFT: _("DRAFT – not approved"),
        StatusReport.Status.SUBMITTED: _("SUBMITTED – not yet approved"),
    }.get(StatusReport.Status(report.status), "")
    period = content.period.label
    pdf = _ReportPDF(
        running_head=f"{content.municipality_name} · {content.committee_name} · {period}",
        draft=draft,
        generated=_("Generated %(when)s") % {"when": _when(timezone.now())},
    )
    pdf.set_title(f"{content.committee_name} – {period}")
    pdf.set_author(content.municipality_name)
    pdf.add_page()
    _title_block(pdf, report, content)
    _summary(pdf, content)
    for ambition in content.ambitions:
        pdf.ln(3)
        pdf.heading(_("Ambition: %(title)s") % {"title": ambition.title}, 13)
        pdf.paragraph(_("Owner: %(owner)s") % {"owner": ambition.owner_name}, size=9, muted=True)
        if ambition.description:
            pdf.paragraph(ambition.description, size=9)
        for marker in ambition.markers:
            _marker(pdf, marker)
    if not content.ambitions:
        pdf.paragraph(_("The committee has no active ambitions for this period."))
    return bytes(pdf.output())


def _title_block(pdf: _ReportPDF, report: StatusReport, content: ReportContent) -> None:
    pdf.set_font(FONT, "", 10)
    pdf.set_text_color(*MUTED)
    pdf.cell(0, 5, content.municipality_name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    pdf.heading(content.committee_name, 18)
    pdf.heading(_("Status report, %(period)s") % {"period": content.period.label}, 14)
    rows = [
        (_("Status"), report.get_status_display()),
        (_("Due"), date_format(report.due_on, "DATE_FORMAT")),
    ]
    if report.submitted_by_id:
        rows.append(
            (
                _("Submitted"),
                f"{report.submitted_by.full_name if report.submitted_by else ''}, "
                f"{_when(report.submitted_at)}",
            )
        )
    if report.approved_by_id:
        rows.append(
            (
                _("Approved"),
                f"{report.approved_by.full_name if report.approved_by else ''}, "
                f"{_when(report.approved_at)}",
            )
        )
    if report.status == StatusReport.Status.DRAFT and report.returned_reason:
        rows.append((_("Returned with"), report.returned_reason))
    rows.append(
        (
            _("Figures as of") if content.frozen else _("Figures read"),
            _when(content.as_of),
        )
    )
    pdf.facts(rows)
    pdf.ln(3)


def _summary(pdf: _ReportPDF, content: ReportContent) -> None:
    pdf.heading(_("Summary"), 12)
    pdf.set_font(FONT, "", 9)
    with pdf.table(
        col_widths=(60, 25), width=85, align="LEFT", text_align=("LEFT", "RIGHT")
    ) as table:
        head = table.row()
        head.cell(_("Status"))
        head.cell(_("Indicators"))
        for status, count in content.summary.items():
            row = table.row()
            row.cell(str(status.label), style=_fill(status))
            row.cell(str(count))
        total = table.row()
        total.cell(_("In all"))
        total.cell(str(content.summary.total))
    pdf.ln(2)


def _plot_height(png: bytes) -> float:
    """The height in mm of a PNG placed ``PLOT_WIDTH`` wide (its size is in the IHDR chunk)."""
    width, height = struct.unpack(">II", png[16:24])
    return PLOT_WIDTH * height / width if width else PLOT_WIDTH / 2


def _fill(status: Rag) -> FontFace:
    return FontFace(fill_color=RAG_FILL[status])


def _marker(pdf: _ReportPDF, marker: MarkerContent) -> None:
    pdf.ln(2)
    pdf.heading(_("Quality marker: %(title)s") % {"title": marker.title}, 12)
    pdf.paragraph(_("Responsible: %(owner)s") % {"owner": marker.owner_name}, size=9, muted=True)
    pdf.ln(1)
    pdf.set_font(FONT, "B", 10)
    pdf.cell(0, 5, _("Narrative"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if marker.narrative is not None:
        pdf.paragraph(marker.narrative.text)
        pdf.paragraph(
            _("Written by %(name)s, %(when)s")
            % {"name": marker.narrative.written_by, "when": _when(marker.narrative.written_at)},
            size=8,
            muted=True,
        )
    else:
        pdf.paragraph(_("No narrative has been written yet."), muted=True)
    pdf.ln(2)
    if not marker.indicators:
        pdf.paragraph(_("The quality marker has no indicators."), muted=True)
        return
    suppressed = False
    pdf.set_font(FONT, "", 8)
    with pdf.table(
        col_widths=(46, 28, 17, 23, 23, 25, 18),
        text_align=("LEFT", "LEFT", "RIGHT", "RIGHT", "LEFT", "LEFT", "LEFT"),
    ) as table:
        head = table.row()
        for title in (
            _("Indicator"),
            _("Unit"),
            _("Value"),
            _("Target"),
            _("Status"),
            _("Trend"),
            _("Current"),
        ):
            head.cell(title)
        for block in marker.indicators:
            for status in block.rows:
                suppressed = suppressed or status.suppressed
                row = table.row()
                row.cell(f"{block.indicator.name} ({block.indicator.unit_label})")
                row.cell(status.unit.name)
                row.cell(status.display_value + (" *" if status.suppressed else ""))
                target = status.display_target
                if status.target_inherited:
                    target += " " + _("(inherited)")
                row.cell(target)
                row.cell(str(Rag(status.rag).label), style=_fill(Rag(status.rag)))
                row.cell(trend_text(status))
                row.cell(_("Yes") if status.current else _("No"))
    if suppressed:
        pdf.paragraph(_("* Not shown: based on fewer than 5 persons."), size=8, muted=True)
    for block in marker.indicators:
        for status in block.rows:
            png = charts.trend_png(status)
            if png is None:
                continue
            pdf.ln(2)
            # Keep the plot with its caption: start a new page if they would not fit.
            if pdf.get_y() + CAPTION_HEIGHT + _plot_height(png) > pdf.h - pdf.b_margin:
                pdf.add_page()
            pdf.set_font(FONT, "B", 9)
            pdf.multi_cell(
                0,
                5,
                f"{block.indicator.name} – {status.unit.name}",
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
            pdf.image(
                io.BytesIO(png),
                w=PLOT_WIDTH,
                alt_text=_("Trend of %(indicator)s for %(unit)s")
                % {"indicator": block.indicator.name, "unit": status.unit.name},
            )
