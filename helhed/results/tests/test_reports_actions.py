"""Status reports: generation by cadence, narratives, draft > submitted > approved, the freeze."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string
from django.utils import translation

from helhed.results.actions.reports import (
    do_approve_report,
    do_generate_reports,
    do_return_report,
    do_submit_report,
    do_write_narrative,
)
from helhed.results.models import (
    Ambition,
    Committee,
    Indicator,
    Marker,
    ReportNarrative,
    StatusReport,
)
from helhed.results.periods import Frequency
from helhed.results.report_content import (
    content_from_snapshot,
    live_content,
    report_content,
    snapshot,
)
from helhed.results.status import Rag, Trend
from helhed.results.views.reports import report_sections
from helhed.test import (
    BaseTestCase,
    indicator,
    make_committee,
    make_marker,
    record_value,
    set_target,
)

NARRATIVE = "Fraværet falder på alle skoler; vi følger op på de elever, der stadig er væk."
SECOND = "Anbringelserne holder niveau."


class ReportCase(BaseTestCase):
    """The results chain with a second marker, targets, values, and the 2026-Q3 draft report.

    * absence (quarterly, lower is better) for Børn og Skole: 14 in 2025-Q3, 11
      in 2026-Q3, against the municipality's target of 10 (inherited): amber,
      improving;
    * grades (yearly, higher is better): 75 in 2024, 82 in 2025 against Børn og
      Skole's own target of 80: green;
    * placements at Familieafdelingen (second marker, "Færre anbringelser"): 17.3
      from 3 persons, so not shown.
    """

    committee: ClassVar[Committee]
    ambition: ClassVar[Ambition]
    marker: ClassVar[Marker]
    second: ClassVar[Marker]
    absence: ClassVar[Indicator]
    grades: ClassVar[Indicator]
    placements: ClassVar[Indicator]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.committee, cls.ambition, cls.marker = BaseTestCase.make_results_chain(cls)  # type: ignore[arg-type]
        cls.absence = indicator("fravaer-over-10")
        cls.grades = indicator("karakter-02-dansk-matematik")
        cls.placements = indicator("anbringelser-pr-1000")
        cls.second = make_marker(
            cls.ambition,
            owner=cls.chief,
            indicators=[cls.placements],
            title="Færre anbringelser",
            units=[cls.family_dept],
        )
        cls.second.sort_order = 20
        cls.second.save(update_fields=["sort_order"])
        set_target(cls.absence, cls.root, 10)
        set_target(cls.grades, cls.children_admin, 80)
        set_target(cls.placements, cls.family_dept, 5)
        for period, value in (("2025-Q3", 14), ("2026-Q2", 12), ("2026-Q3", 11)):
            record_value(cls.absence, cls.children_admin, period, value)
        record_value(cls.grades, cls.children_admin, "2024", 75)
        record_value(cls.grades, cls.children_admin, "2025", 82)
        record_value(cls.placements, cls.family_dept, "2026-Q3", "17.3", persons=3)

    def setUp(self) -> None:
        self.report = StatusReport.objects.create(
            committee=self.committee, period="2026-Q3", due_on=dt.date(2026, 11, 14)
        )

    def write_all(self) -> None:
        do_write_narrative(actor=self.chief, report=self.report, marker=self.marker, text=NARRATIVE)
        do_write_narrative(actor=self.chief, report=self.report, marker=self.second, text=SECOND)

    def submitted(self) -> StatusReport:
        self.write_all()
        return do_submit_report(actor=self.chief, report=self.report)

    def approved(self) -> StatusReport:
        self.submitted()
        return do_approve_report(actor=self.director, report=self.report)

    def change_the_world(self) -> None:
        """After approval: a better measurement, a stricter target, a new narrative."""
        record_value(self.absence, self.children_admin, "2026-Q3", "4.4")
        target = self.absence.targets.get()
        target.value = Decimal("3")
        target.save()
        ReportNarrative.objects.filter(report=self.report, marker=self.marker).update(
            text="Rewritten after approval"
        )


class ContentTests(ReportCase):
    def test_the_content_holds_markers_rows_and_the_summary(self) -> None:
        content = live_content(self.report)
        assert [a.title for a in content.ambitions] == [self.ambition.title]
        assert [m.title for m in content.markers] == [self.marker.title, "Færre anbringelser"]
        first = content.markers[0]
        assert [u.name for u in first.units] == ["Børn og Skole"]
        rows = {row.indicator.code: row for row in first.rows}
        absence = rows["fravaer-over-10"]
        assert (absence.value, absence.rag, absence.trend) == (
            Decimal("11"),
            Rag.AMBER,
            Trend.IMPROVING,
        )
        assert absence.target_inherited
        assert rows["karakter-02-dansk-matematik"].rag == Rag.GREEN
        hidden = content.markers[1].rows[0]
        assert hidden.suppressed and hidden.display_value == "–" and hidden.rag == Rag.NONE
        assert (content.summary.green, content.summary.amber, content.summary.none) == (1, 1, 1)
        assert content.summary.total == 3

    def test_the_whole_report_takes_a_fixed_number_of_queries(self) -> None:
        live_content(self.report)  # warm the caches (content types, the committee)
        with self.assertNumQueries(9):
            live_content(self.report)

    def test_an_ambition_outside_the_period_is_left_out(self) -> None:
        self.ambition.first_year = 2027
        self.ambition.save(update_fields=["first_year"])
        assert live_content(self.report).ambitions == []

    def test_the_snapshot_is_json_and_keeps_no_hidden_value(self) -> None:
        self.write_all()
        data = snapshot(live_content(self.report))
        text = json.dumps(data)
        assert json.loads(text) == data
        hidden = data["ambitions"][0]["markers"][1]["indicators"][0]["rows"][0]
        assert hidden["suppressed"] and hidden["value"] is None and hidden["persons"] is None
        assert "17.3" not in text
        assert data["period"] == "2026-Q3"

    def test_the_snapshot_round_trip_renders_identically(self) -> None:
        self.write_all()
        live = live_content(self.report)
        again = content_from_snapshot(json.loads(json.dumps(snapshot(live))))
        assert again.summary == live.summary
        assert [m.narrative for m in again.markers] == [m.narrative for m in live.markers]
        with translation.override("en"):
            html = [
                render_to_string("results/report_marker.html", {"report": self.report, "m": marker})
                for content in (live, again)
                for section in report_sections(content)
                for marker in section.markers
            ]
        half = len(html) // 2
        assert html[:half] == html[half:]
        assert "<svg" in html[0] and NARRATIVE in html[0]
        assert snapshot(again) == snapshot(live)


class GenerationTests(ReportCase):
    def test_it_makes_the_last_complete_period_once(self) -> None:
        StatusReport.objects.all().delete()
        made = do_generate_reports(dt.date(2026, 11, 23))
        assert [(r.committee, r.period, r.status) for r in made] == [
            (self.committee, "2026-Q3", StatusReport.Status.DRAFT)
        ]
        assert made[0].due_on == dt.date(2026, 9, 30) + dt.timedelta(days=45)
        assert do_generate_reports(dt.date(2026, 11, 23)) == []
        assert StatusReport.objects.count() == 1

    def test_a_half_yearly_committee_gets_half_years(self) -> None:
        half = make_committee("Social- og Sundhedsudvalget")
        half.cadence = Frequency.HALF_YEARLY
        half.report_due_days = 30
        half.save()
        made = do_generate_reports(dt.date(2026, 11, 23))
        report = next(r for r in made if r.committee == half)
        assert (report.period, report.due_on) == ("2026-H1", dt.date(2026, 7, 30))
        # The existing quarterly report is not made twice.
        assert not any(r.committee == self.committee for r in made)

    def test_inactive_committees_and_other_municipalities_are_left_alone(self) -> None:
        other = make_committee("Udvalget", municipality_code=167)
        self.committee.is_active = False
        self.committee.save(update_fields=["is_active"])
        made = do_generate_reports(dt.date(2027, 2, 1), municipality=self.committee.municipality)
        assert made == []
        made = do_generate_reports(dt.date(2027, 2, 1))
        assert [(r.committee, r.period) for r in made] == [(other, "2026-Q4")]

    def test_the_command_prints_each_report_and_a_summary(self) -> None:
        StatusReport.objects.all().delete()
        out = StringIO()
        call_command("generate_status_reports", "--date", "2026-04-02", stdout=out)
        lines = out.getvalue().splitlines()
        assert lines[0] == "Rudersdal: Børne- og Skoleudvalget 2026-Q1 (due 2026-05-15)"
        assert "1 report(s) made" in lines[-1]
        out = StringIO()
        call_command("generate_status_reports", "--date", "2026-04-02", stdout=out)
        assert out.getvalue().startswith("0 report(s) made")
        with self.assertRaises(CommandError):
            call_command("generate_status_reports", "--date", "2026-13-01", stdout=StringIO())


class StateMachineTests(ReportCase):
    def test_a_narrative_is_written_and_replaced_while_a_draft(self) -> None:
        do_write_narrative(actor=self.chief, report=self.report, marker=self.marker, text=" Eén ")
        do_write_narrative(actor=self.chief, report=self.report, marker=self.marker, text="To")
        assert list(self.report.narratives.values_list("text", flat=True)) == ["To"]

    def test_a_narrative_must_have_words_and_belong_to_the_report(self) -> None:
        other = make_committee("Andet udvalg")
        foreign = Marker.objects.create(
            ambition=Ambition.objects.create(
                municipality=other.municipality,
                committee=other,
                title="Andet",
                first_year=2020,
                last_year=2030,
                owner=self.chief,
            ),
            owner=self.chief,
            title="Fremmed",
        )
        with translation.override("en"):
            with self.assertRaisesMessage(ValidationError, "Write the narrative."):
                do_write_narrative(
                    actor=self.chief, report=self.report, marker=self.marker, text="  "
                )
            with self.assertRaisesMessage(ValidationError, "not part of this report"):
                do_write_narrative(actor=self.chief, report=self.report, marker=foreign, text="x")
        assert not ReportNarrative.objects.exists()

    def test_submission_needs_every_narrative_and_names_the_missing(self) -> None:
        do_write_narrative(actor=self.chief, report=self.report, marker=self.marker, text="x")
        with translation.override("en"), self.assertRaises(ValidationError) as caught:
            do_submit_report(actor=self.chief, report=self.report)
        assert "Missing: Færre anbringelser." in caught.exception.messages[0]
        assert self.marker.title not in caught.exception.messages[0]
        self.report.refresh_from_db()
        assert self.report.status == StatusReport.Status.DRAFT

    def test_the_whole_path_draft_submitted_returned_submitted_approved(self) -> None:
        report = self.submitted()
        assert (report.status, report.submitted_by) == (StatusReport.Status.SUBMITTED, self.chief)
        assert report.submitted_at is not None
        report = do_return_report(actor=self.director, report=report, reason=" Mere om trivsel ")
        report.refresh_from_db()
        assert (report.status, report.returned_reason) == (
            StatusReport.Status.DRAFT,
            "Mere om trivsel",
        )
        assert report.submitted_by is None
        do_write_narrative(actor=self.chief, report=report, marker=self.second, text="Mere.")
        do_submit_report(actor=self.chief, report=report)
        do_approve_report(actor=self.director, report=report)
        report.refresh_from_db()
        assert (report.status, report.approved_by) == (StatusReport.Status.APPROVED, self.director)
        assert report.snapshot is not None
        assert report.snapshot["ambitions"][0]["markers"][1]["narrative"]["text"] == "Mere."

    def test_each_transition_is_refused_from_the_wrong_state(self) -> None:
        with translation.override("en"):
            with self.assertRaisesMessage(ValidationError, "Only a submitted report can be"):
                do_approve_report(actor=self.director, report=self.report)
            with self.assertRaisesMessage(ValidationError, "Only a submitted report can be"):
                do_return_report(actor=self.director, report=self.report, reason="x")
            self.submitted()
            with self.assertRaisesMessage(ValidationError, "Only a draft can be submitted"):
                do_submit_report(actor=self.chief, report=self.report)
            with self.assertRaisesMessage(ValidationError, "only while it is a draft"):
                do_write_narrative(
                    actor=self.chief, report=self.report, marker=self.marker, text="y"
                )
            with self.assertRaisesMessage(ValidationError, "Say why"):
                do_return_report(actor=self.director, report=self.report, reason="  ")
            do_approve_report(actor=self.director, report=self.report)
            with self.assertRaisesMessage(ValidationError, "this report is approved"):
                do_approve_report(actor=self.director, report=self.report)
            with self.assertRaisesMessage(ValidationError, "this report is approved"):
                do_return_report(actor=self.director, report=self.report, reason="x")
            with self.assertRaisesMessage(ValidationError, "only while it is a draft"):
                do_write_narrative(
                    actor=self.chief, report=self.report, marker=self.marker, text="y"
                )

    def test_a_second_approval_of_a_stale_copy_is_refused(self) -> None:
        self.submitted()
        stale = StatusReport.objects.get(pk=self.report.pk)
        do_approve_report(actor=self.director, report=self.report)
        first = StatusReport.objects.get(pk=self.report.pk)
        with self.assertRaises(ValidationError):
            do_approve_report(actor=self.director, report=stale)
        again = StatusReport.objects.get(pk=self.report.pk)
        assert (again.approved_at, again.snapshot) == (first.approved_at, first.snapshot)


class FreezeTests(ReportCase):
    def test_an_approved_report_reads_its_snapshot_not_the_world(self) -> None:
        self.approved()
        self.change_the_world()
        content = report_content(StatusReport.objects.get(pk=self.report.pk))
        absence = next(r for r in content.markers[0].rows if r.indicator.code == "fravaer-over-10")
        assert (absence.value, absence.target_value, absence.rag) == (
            Decimal("11"),
            Decimal("10"),
            Rag.AMBER,
        )
        assert content.markers[0].narrative is not None
        assert content.markers[0].narrative.text == NARRATIVE
        assert content.frozen
        # A draft of the same committee reads the world as it is now.
        live = live_content(self.report)
        assert live.markers[0].narrative is not None
        assert live.markers[0].narrative.text == "Rewritten after approval"
