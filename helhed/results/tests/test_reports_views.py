"""Status report pages: the list, one report, narratives, submit/approve/return, the PDF."""

from __future__ import annotations

import datetime as dt
import io
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from helhed.results.models import ReportNarrative, StatusReport
from helhed.results.tests.test_reports_actions import NARRATIVE, SECOND, ReportCase
from helhed.test import make_committee

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


class ReportPageCase(ReportCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def url(self, name: str = "report", *args: int) -> str:
        return reverse(f"results:{name}", args=[self.report.pk, *args])

    def narrative_url(self, marker_id: int | None = None) -> str:
        return self.url("report_narrative", marker_id or self.marker.pk)

    def post_as(self, staff: object, name: str, data: dict[str, str] | None = None) -> TestResponse:
        self.login(staff)  # type: ignore[arg-type]
        return self.client.post(self.url(name), data or {})


class ListTests(ReportPageCase):
    def test_a_leader_sees_drafts_with_the_due_date_and_overdue_flag(self) -> None:
        self.login(self.chief)
        response = self.client.get(reverse("results:reports"))
        assert response.status_code == 200
        self.assertContains(response, "Børne- og Skoleudvalget")
        self.assertContains(response, "Q3 2026")
        self.assertContains(response, "14 Nov 2026")
        self.assertContains(response, "Overdue")
        self.assertNotContains(response, "Generate due reports")

    def test_filters_by_status_and_committee_and_ignores_nonsense(self) -> None:
        other = make_committee("Kulturudvalget")
        StatusReport.objects.create(committee=other, period="2026-Q3", due_on=dt.date(2026, 12, 1))
        self.login(self.director)
        response = self.client.get(reverse("results:reports"), {"committee": other.pk})
        self.assertContains(response, "Kulturudvalget")
        self.assertNotContains(response, "Børne- og Skoleudvalget</a>")
        response = self.client.get(reverse("results:reports"), {"status": "approved"})
        self.assertContains(response, "No status reports match these filters.")
        response = self.client.get(
            reverse("results:reports"), {"committee": "x", "status": "nope", "page": "999"}
        )
        assert response.status_code == 200
        self.assertContains(response, "Kulturudvalget")
        response = self.client.get(reverse("results:reports"), {"q": "kultur"})
        self.assertContains(response, "Kulturudvalget")
        self.assertNotContains(response, "Børne- og Skoleudvalget</a>")

    def test_it_paginates(self) -> None:
        for year in range(2000, 2030):
            StatusReport.objects.create(
                committee=self.committee, period=f"{year}-Q1", due_on=dt.date(year, 5, 15)
            )
        self.login(self.director)
        response = self.client.get(reverse("results:reports"))
        self.assertContains(response, "Page 1 of 2")
        response = self.client.get(reverse("results:reports"), {"page": 2})
        self.assertContains(response, "Page 2 of 2")

    def test_teachers_and_politicians_see_only_approved_reports(self) -> None:
        for staff in (self.teacher, self.politician):
            self.login(staff)
            response = self.client.get(reverse("results:reports"))
            self.assertContains(response, "There are no status reports you can read yet.")
        self.approved()
        for staff in (self.teacher, self.politician):
            self.login(staff)
            self.assertContains(self.client.get(reverse("results:reports")), "Q3 2026")

    def test_the_outsider_sees_none_of_them(self) -> None:
        self.approved()
        self.login(self.outsider)
        response = self.client.get(reverse("results:reports"))
        self.assertNotContains(response, "Børne- og Skoleudvalget")

    def test_results_managers_generate_due_reports(self) -> None:
        StatusReport.objects.all().delete()
        self.login(self.director)
        page = self.client.get(reverse("results:reports"))
        self.assertContains(page, "Generate due reports")
        response = self.client.post(reverse("results:reports_generate"), follow=True)
        self.assertContains(response, "1 draft report made")
        assert StatusReport.objects.filter(committee=self.committee).count() == 1
        response = self.client.post(reverse("results:reports_generate"), follow=True)
        self.assertContains(response, "Every committee already has its report")
        assert StatusReport.objects.count() == 1

    def test_generating_is_for_managers_and_by_post(self) -> None:
        StatusReport.objects.all().delete()
        self.login(self.chief)
        assert self.client.post(reverse("results:reports_generate")).status_code == 403
        self.login(self.director)
        assert self.client.get(reverse("results:reports_generate")).status_code == 405
        assert not StatusReport.objects.exists()


class DetailTests(ReportPageCase):
    def test_the_chief_sees_the_whole_report_with_plots_and_forms(self) -> None:
        self.login(self.chief)
        response = self.client.get(self.url())
        assert response.status_code == 200
        for text in (
            "Børne- og Skoleudvalget: status report, Q3 2026",
            "DRAFT – not approved",
            "Rudersdal",
            "Ambition: Alle børn lærer mere",
            f"Quality marker: {self.marker.title}",
            "Responsible: Claus Krog",
            "Elever med mere end 10 % fravær",
            "11.0",  # the latest absence value
            "inherited from a unit above",
            "Close to target",  # amber, in words
            "On target",
            "Improving",
            "Not shown: fewer than 5 persons",
            "Write the narrative",
            "Submit for approval",
            "Download PDF",
            "Overdue",
        ):
            self.assertContains(response, text)
        self.assertContains(response, '<span class="badge warn">Close to target</span>', html=True)
        self.assertContains(response, '<svg role="img" aria-label="Trend of')
        self.assertContains(response, "The numbers in the plot")
        self.assertNotContains(response, "17.3")  # the hidden value of three persons
        self.assertNotContains(response, "Approve")

    def test_in_danish_numbers_use_a_decimal_comma(self) -> None:
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
        self.login(self.chief)
        response = self.client.get(self.url())
        self.assertContains(response, 'class="num">11,0<')
        assert self.client.get(self.url("report_pdf")).content.startswith(b"%PDF")

    def test_the_leader_of_a_school_reads_but_cannot_write_or_submit(self) -> None:
        self.login(self.leader)
        response = self.client.get(self.url())
        assert response.status_code == 200
        self.assertNotContains(response, "Submit for approval")
        self.assertNotContains(response, "Write the narrative")

    def test_teachers_politicians_and_outsiders_cannot_open_a_draft(self) -> None:
        for staff in (self.teacher, self.politician, self.outsider):
            self.login(staff)
            assert self.client.get(self.url()).status_code == 404
            assert self.client.get(self.url("report_pdf")).status_code == 404

    def test_the_outsider_gets_404_for_an_approved_report_too(self) -> None:
        self.approved()
        self.login(self.outsider)
        for name in ("report", "report_pdf"):
            assert self.client.get(self.url(name)).status_code == 404
        for name in ("report_submit", "report_approve", "report_return"):
            assert self.client.post(self.url(name), {"reason": "x"}).status_code == 404
        assert self.client.post(self.narrative_url(), {"text": "x"}).status_code == 404

    def test_changes_answer_405_to_get(self) -> None:
        self.login(self.director)
        for name in ("report_submit", "report_approve", "report_return"):
            assert self.client.get(self.url(name)).status_code == 405
        assert self.client.get(self.narrative_url()).status_code == 405
        assert self.client.post(self.url()).status_code == 405
        assert self.client.post(self.url("report_pdf")).status_code == 405

    def test_it_needs_a_login(self) -> None:
        response = self.client.get(self.url())
        assert response.status_code == 302 and "login" in response["Location"]


class NarrativeTests(ReportPageCase):
    def test_the_responsible_leader_writes_and_rewrites(self) -> None:
        self.login(self.chief)
        response = self.client.post(self.narrative_url(), {"text": NARRATIVE}, follow=True)
        self.assertContains(response, "The narrative is saved.")
        self.assertContains(response, "Fraværet falder på alle skoler")
        self.assertContains(response, "Edit the narrative")
        self.client.post(self.narrative_url(), {"text": "Anden version"})
        assert list(ReportNarrative.objects.values_list("text", flat=True)) == ["Anden version"]

    def test_htmx_swaps_only_the_marker(self) -> None:
        self.login(self.chief)
        response = self.client.post(
            self.narrative_url(), {"text": NARRATIVE}, headers={"hx-request": "true"}
        )
        assert response.status_code == 200
        content = response.content.decode()
        assert content.startswith(f'<article id="marker-{self.marker.pk}"')
        assert "The narrative is saved." in content and NARRATIVE in content
        response = self.client.post(
            self.narrative_url(), {"text": "  "}, headers={"hx-request": "true"}
        )
        self.assertContains(response, "This field is required.")
        assert ReportNarrative.objects.get().text == NARRATIVE

    def test_an_empty_narrative_is_a_form_error_and_saves_nothing(self) -> None:
        self.login(self.chief)
        response = self.client.post(self.narrative_url(), {"text": "   "})
        assert response.status_code == 422
        self.assertContains(response, "This field is required.", status_code=422)
        too_long = self.client.post(self.narrative_url(), {"text": "x" * 10_001})
        assert too_long.status_code == 422
        assert not ReportNarrative.objects.exists()

    def test_only_the_responsible_leader_writes(self) -> None:
        for staff in (self.leader, self.director, self.analyst):
            self.login(staff)
            response = self.client.post(self.narrative_url(), {"text": "x"})
            assert response.status_code == 403, staff
        assert not ReportNarrative.objects.exists()

    def test_a_marker_of_another_committee_is_404(self) -> None:
        self.login(self.chief)
        response = self.client.post(self.url("report_narrative", 99999), {"text": "x"})
        assert response.status_code == 404

    def test_after_approval_a_narrative_post_is_refused_with_the_reason(self) -> None:
        self.approved()
        self.login(self.chief)
        response = self.client.post(self.narrative_url(), {"text": "Changed my mind"})
        self.assertContains(response, "only while it is a draft", status_code=422)
        assert ReportNarrative.objects.get(marker=self.marker).text == NARRATIVE


class TransitionTests(ReportPageCase):
    def test_submission_without_narratives_names_the_markers(self) -> None:
        response = self.post_as(self.chief, "report_submit")
        assert response.status_code == 422
        self.assertContains(response, "Missing:", status_code=422)
        self.assertContains(response, "Færre anbringelser", status_code=422)
        self.report.refresh_from_db()
        assert self.report.status == StatusReport.Status.DRAFT

    def test_the_chief_submits_and_the_director_approves(self) -> None:
        self.write_all()
        response = self.client.post(self.url("report_submit"))  # not logged in
        assert response.status_code == 302 and "login" in response["Location"]
        self.login(self.chief)
        response = self.client.post(self.url("report_submit"), follow=True)
        self.assertContains(response, "The report is submitted for approval.")
        self.assertContains(response, "by Claus Krog")
        self.assertNotContains(response, "Write the narrative")
        self.login(self.director)
        page = self.client.get(self.url())
        self.assertContains(page, "Approve")
        self.assertContains(page, "Return the report to draft")
        response = self.client.post(self.url("report_approve"), follow=True)
        self.assertContains(response, "The report is approved and frozen")
        self.assertContains(response, "by Dorte Dahl")
        self.assertNotContains(response, "DRAFT – not approved")
        self.report.refresh_from_db()
        assert self.report.status == StatusReport.Status.APPROVED

    def test_who_may_not_submit_or_approve_gets_403(self) -> None:
        self.write_all()
        assert self.post_as(self.leader, "report_submit").status_code == 403
        assert self.post_as(self.analyst, "report_submit").status_code == 403
        self.report.refresh_from_db()
        assert self.report.status == StatusReport.Status.DRAFT
        self.submitted()
        for staff in (self.chief, self.leader, self.analyst):
            assert self.post_as(staff, "report_approve").status_code == 403
            assert self.post_as(staff, "report_return", {"reason": "x"}).status_code == 403
        self.report.refresh_from_db()
        assert self.report.status == StatusReport.Status.SUBMITTED

    def test_the_wrong_state_is_a_message_not_an_error_page(self) -> None:
        response = self.post_as(self.director, "report_approve")
        self.assertContains(response, "Only a submitted report can be approved", status_code=422)
        self.approved()
        response = self.post_as(self.director, "report_approve")
        self.assertContains(response, "this report is approved", status_code=422)
        response = self.post_as(self.chief, "report_submit")
        self.assertContains(response, "Only a draft can be submitted", status_code=422)

    def test_the_director_returns_with_a_reason_that_is_shown(self) -> None:
        self.submitted()
        response = self.post_as(self.director, "report_return", {"reason": "  "})
        self.assertContains(response, "This field is required.", status_code=422)
        self.report.refresh_from_db()
        assert self.report.status == StatusReport.Status.SUBMITTED
        response = self.post_as(self.director, "report_return", {"reason": "Mere om trivsel"})
        assert response.status_code == 302
        self.login(self.chief)
        page = self.client.get(self.url())
        self.assertContains(page, "Returned with")
        self.assertContains(page, "Mere om trivsel")
        self.assertContains(page, "Submit for approval")

    def test_teachers_see_the_approved_report_but_cannot_change_it(self) -> None:
        self.approved()
        self.login(self.teacher)
        self.assertContains(self.client.get(self.url()), NARRATIVE)
        assert self.client.post(self.url("report_approve")).status_code == 403
        assert self.client.post(self.narrative_url(), {"text": "x"}).status_code == 403


class FreezeTests(ReportPageCase):
    def test_page_and_pdf_keep_the_approved_numbers_and_narrative(self) -> None:
        self.approved()
        self.change_the_world()
        self.login(self.politician)
        page = self.client.get(self.url())
        self.assertContains(page, 'class="num">11.0<')
        self.assertContains(page, 'class="num">10.0<')
        self.assertContains(page, NARRATIVE)
        self.assertNotContains(page, 'class="num">4.4<')
        self.assertNotContains(page, 'class="num">3.0<')
        self.assertNotContains(page, "Rewritten after approval")
        self.assertContains(page, "Figures frozen at")
        text = pdf_text(self.client.get(self.url("report_pdf")).content)
        assert "11.0" in text and "10.0" in text
        assert "4.4" not in text and "3.0 " not in text
        assert "Fraværet falder på alle skoler" in text
        assert "Rewritten" not in text

    def test_a_draft_reads_the_world_as_it_is(self) -> None:
        self.login(self.chief)
        record_page = self.client.get(self.url())
        self.assertContains(record_page, "11.0")
        self.approved()
        self.change_the_world()
        draft = StatusReport.objects.create(
            committee=self.committee, period="2026-Q4", due_on=dt.date(2027, 2, 14)
        )
        page = self.client.get(reverse("results:report", args=[draft.pk]))
        self.assertContains(page, 'class="num">4.4<')
        self.assertContains(page, 'class="num">3.0<')


class PdfTests(ReportPageCase):
    def test_a_draft_pdf_says_draft_on_every_page(self) -> None:
        self.write_all()
        self.login(self.chief)
        response = self.client.get(self.url("report_pdf"))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            'attachment; filename="status-boerne-og-skoleudvalget-2026-Q3.pdf"'
        )
        assert response.content.startswith(b"%PDF")
        reader = PdfReader(io.BytesIO(response.content))
        assert len(reader.pages) >= 2
        for page in reader.pages:
            assert "DRAFT – not approved" in page.extract_text()
        text = pdf_text(response.content)
        for expected in (
            "Børne- og Skoleudvalget",
            "Status report, Q3 2026",
            self.marker.title,
            "Fraværet falder på alle skoler",
            SECOND,
            "Close to target",
            "(inherited)",
            "Page 1 of",
        ):
            assert expected in text, expected

    def test_an_approved_pdf_is_not_marked_draft_and_names_the_approver(self) -> None:
        self.approved()
        self.login(self.teacher)
        response = self.client.get(self.url("report_pdf"))
        text = pdf_text(response.content)
        assert "DRAFT" not in text
        assert "Dorte Dahl" in text and "Approved" in text
        assert self.marker.title in text and NARRATIVE[:30] in text
