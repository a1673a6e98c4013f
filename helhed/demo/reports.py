"""The demo's computed indicators and status reports, made through the results actions.

After the results chain and its values are in place (``demo/results.py``):

* the indicators Helhed computes from its own data (management span, referral
  waiting time, overdue actions, network meetings, FIT improvement) are
  computed for the last four complete periods, from the demo's plans;
* each committee gets its reports for the last four periods before the latest
  one, written, submitted and approved as in a real year (so they are frozen
  by their snapshots), and the latest period's report as a draft in which the
  first marker of each ambition already has its narrative: the rest is left
  for the demo's chief (``chef``) to write and submit.

The reports go through the same actions as the web pages, so the demo shows
exactly what the rules produce.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass

from helhed.lib.validity import today
from helhed.organisation.models import Municipality, Role, RoleAssignment, Staff, Unit
from helhed.results.actions.measurements import computed_indicators, default_periods, do_compute
from helhed.results.actions.reports import (
    do_approve_report,
    do_generate_reports,
    do_submit_report,
    do_write_narrative,
)
from helhed.results.models import StatusReport
from helhed.results.periods import Frequency, Period
from helhed.results.report_content import MarkerContent, live_content, report_markers
from helhed.results.status import Rag

APPROVED_PERIODS = 4

# Narratives by how the marker's indicators stand; {period} is the period's label.
NARRATIVES = {
    Rag.GREEN: [
        "I {period} er vi på mål. Det skyldes især, at skolerne og familieafdelingen nu "
        "holder fælles netværksmøder, når et barn begynder at mistrives, i stedet for at "
        "sende underretninger frem og tilbage. Vi fastholder indsatsen.",
        "Kurven går den rigtige vej i {period}. Lærerne fortæller, at den tidlige kontakt "
        "til hjemmet ved første fraværsdag gør en forskel, og vi deler erfaringerne på "
        "tværs af skolerne i næste kvartal.",
    ],
    Rag.AMBER: [
        "I {period} er vi tæt på målet, men ikke i mål. Billedet er blandet: de fleste "
        "enheder forbedrer sig, mens et par skoler trækker i den anden retning. Vi tager "
        "dem op på refleksionsmødet i ledergruppen og følger op i næste rapport.",
        "Tallene for {period} ligger lidt fra målet. Vi har sat en fremskrivning og en "
        "plan for at vende kurven for de enheder, der ligger længst fra, med PPR og "
        "familieafdelingen som samarbejdspartnere.",
    ],
    Rag.RED: [
        "I {period} er vi ikke på mål, og udviklingen er ikke vendt. Historien bag kurven "
        "er især flere børn med bekymrende fravær efter vinterferien. Vi har startet en "
        "plan for at vende kurven med fremmødeteams og faste handlinger med ejere og "
        "frister, og vi rapporterer på den næste gang.",
        "Resultatet for {period} er for svagt. Vi ser, at indsatserne kommer for sent i "
        "gang; derfor flytter vi ressourcer til den tidlige, forebyggende indsats og "
        "følger tallene månedligt i ledergruppen.",
    ],
    Rag.NONE: [
        "For {period} mangler der endnu data for en del af indikatorerne. Vi følger op "
        "med de ansvarlige enheder, så næste rapport bygger på aktuelle tal.",
    ],
}


@dataclass
class ReportsCounts:
    computed: int = 0
    approved: int = 0
    drafts: int = 0
    seconds: float = 0.0

    @property
    def line(self) -> str:
        computed = f"{self.computed:,}".replace(",", " ")
        return (
            f"computed {computed} values, {self.approved} approved status reports, "
            f"{self.drafts} drafts for this period in {self.seconds:.1f} s"
        )


def _worst(marker: MarkerContent) -> Rag:
    seen = {row.rag for block in marker.indicators for row in block.rows}
    for rag in (Rag.RED, Rag.AMBER, Rag.GREEN):
        if rag in seen:
            return rag
    return Rag.NONE


def _director(municipality: Municipality) -> Staff | None:
    root = municipality.root_unit()
    if root is None:
        return None
    assignment = (
        RoleAssignment.objects.valid_on(today())
        .filter(unit=root, role__kind=Role.Kind.LEADER)
        .select_related("staff")
        .first()
    )
    return assignment.staff if assignment else None


def _narrate(report: StatusReport, rng: random.Random, *, only_first: bool = False) -> None:
    """Each marker's owner writes a narrative that fits how its indicators stand."""
    content = live_content(report)
    markers = {marker.pk: marker for marker in report_markers(report)}
    period = report.period_obj.label
    for ambition in content.ambitions:
        for index, marker in enumerate(ambition.markers):
            if only_first and index > 0:
                continue
            text = rng.choice(NARRATIVES[_worst(marker)]).format(period=period)
            do_write_narrative(
                actor=markers[marker.pk].owner, report=report, marker=markers[marker.pk], text=text
            )


def compute_demo_indicators(municipality: Municipality, now: dt.date) -> int:
    """Compute Helhed's own indicators for every unit valid today, over the last year.

    The sources ask the database per unit and period; a year keeps the demo
    quick (``helhed manage compute_indicators`` does the default eight periods).
    """
    units = list(Unit.objects.valid_on(now).filter(municipality=municipality))
    stored = 0
    for indicator in computed_indicators(municipality):
        result = do_compute(indicator, units, default_periods(indicator, now)[-4:])
        stored += result.created + result.updated
    return stored


def generate_reports(
    municipality: Municipality, *, rng: random.Random, now: dt.date
) -> ReportsCounts:
    """A year of approved status reports and this period's drafts, through the actions."""
    started = time.perf_counter()
    counts = ReportsCounts(computed=compute_demo_indicators(municipality, now))
    director = _director(municipality)
    latest = Period.last_complete(now, Frequency.QUARTERLY)
    for back in range(APPROVED_PERIODS, 0, -1):
        # The day after a past quarter ended: each committee's report of that time.
        for report in do_generate_reports(latest.shift(-back).next().start, municipality):
            _narrate(report, rng)
            submitter = report.committee.ambitions.select_related("owner").first()
            if submitter is None or director is None:
                continue
            do_submit_report(actor=submitter.owner, report=report)
            do_approve_report(actor=director, report=report)
            counts.approved += 1
    for report in do_generate_reports(now, municipality):
        _narrate(report, rng, only_first=True)
        counts.drafts += 1
    counts.seconds = time.perf_counter() - started
    return counts
