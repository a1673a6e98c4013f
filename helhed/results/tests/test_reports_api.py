"""The status report API: the same permissions, states and freeze as the web pages."""

from __future__ import annotations

import io

from pypdf import PdfReader

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.results.actions.reports import do_submit_report
from helhed.results.models import ReportNarrative, StatusReport
from helhed.results.tests.test_reports_actions import NARRATIVE, ReportCase

BASE = "/api/results/reports"


class ReportApiCase(ReportCase, ApiTestCase):
    def path(self, suffix: str = "") -> str:
        return f"{BASE}/{self.report.pk}{suffix}"

    def narrative_path(self, marker_id: int | None = None) -> str:
        return self.path(f"/narratives/{marker_id or self.marker.pk}")


class ReadTests(ReportApiCase):
    def test_the_list_shows_what_the_caller_may_read(self) -> None:
        response = self.api("get", BASE, self.chief)
        assert response.status_code == 200
        (item,) = response.json()["items"]
        assert (item["committee"], item["period"], item["status"], item["overdue"]) == (
            "Børne- og Skoleudvalget",
            "2026-Q3",
            "draft",
            True,
        )
        assert self.api("get", BASE, self.teacher).json()["items"] == []
        assert self.api("get", BASE, self.politician).json()["items"] == []
        assert self.api("get", BASE, self.outsider).json()["items"] == []
        assert self.api("get", f"{BASE}?status=approved", self.chief).json()["items"] == []
        assert self.api("get", f"{BASE}?status=nonsense", self.chief).status_code == 422

    def test_the_detail_carries_the_content(self) -> None:
        response = self.api("get", self.path(), self.director)
        assert response.status_code == 200
        data = response.json()
        assert data["frozen"] is False
        marker = data["content"]["ambitions"][0]["markers"][0]
        assert marker["title"] == self.marker.title
        rows = {row["indicator"]: row["rows"][0] for row in marker["indicators"]}
        absence = rows[self.absence.pk]
        assert (absence["value"], absence["rag"], absence["trend"]) == (
            "11.000",
            "amber",
            "improving",
        )
        hidden = data["content"]["ambitions"][0]["markers"][1]["indicators"][0]["rows"][0]
        assert hidden["suppressed"] and hidden["value"] is None

    def test_who_may_not_see_a_draft_gets_404(self) -> None:
        for staff in (self.teacher, self.politician, self.outsider):
            assert self.api("get", self.path(), staff).status_code == 404
            assert self.api("get", self.path("/pdf"), staff).status_code == 404

    def test_without_a_token_it_is_401(self) -> None:
        assert self.api("get", self.path()).status_code == 401

    def test_the_pdf(self) -> None:
        response = self.api("get", self.path("/pdf"), self.chief)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert "status-boerne-og-skoleudvalget-2026-Q3.pdf" in response["Content-Disposition"]
        text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
        assert "DRAFT – not approved" in text


class ChangeTests(ReportApiCase):
    def test_the_chief_writes_submits_and_the_director_approves(self) -> None:
        response = self.api("put", self.narrative_path(), self.chief, {"text": NARRATIVE})
        assert response.status_code == 200
        assert response.json()["text"] == NARRATIVE
        response = self.api("post", self.path("/submit"), self.chief)
        assert response.status_code == 422
        assert "Færre anbringelser" in response.json()["detail"][0]["message"]
        self.api("put", self.narrative_path(self.second.pk), self.chief, {"text": "Ok."})
        response = self.api("post", self.path("/submit"), self.chief)
        assert response.status_code == 200
        assert response.json()["status"] == "submitted"
        assert response.json()["submitted_by"] == "Claus Krog"
        response = self.api("post", self.path("/approve"), self.director)
        assert response.status_code == 200
        assert (response.json()["status"], response.json()["frozen"]) == ("approved", True)
        assert response.json()["approved_by"] == "Dorte Dahl"

    def test_the_director_returns_with_a_reason(self) -> None:
        self.submitted()
        assert (
            self.api("post", self.path("/return"), self.director, {"reason": ""}).status_code == 422
        )
        response = self.api("post", self.path("/return"), self.director, {"reason": "Mere"})
        assert response.status_code == 200
        assert (response.json()["status"], response.json()["returned_reason"]) == ("draft", "Mere")

    def test_who_may_not_change_gets_403(self) -> None:
        assert self.api("put", self.narrative_path(), self.leader, {"text": "x"}).status_code == 403
        self.write_all()
        assert self.api("post", self.path("/submit"), self.leader).status_code == 403
        do_submit_report(actor=self.chief, report=self.report)
        for staff in (self.chief, self.leader):
            assert self.api("post", self.path("/approve"), staff).status_code == 403
            assert self.api("post", self.path("/return"), staff, {"reason": "x"}).status_code == 403
        self.report.refresh_from_db()
        assert self.report.status == StatusReport.Status.SUBMITTED

    def test_the_outsider_gets_404_everywhere(self) -> None:
        self.approved()
        for method, suffix, body in (
            ("get", "", None),
            ("post", "/submit", None),
            ("post", "/approve", None),
            ("post", "/return", {"reason": "x"}),
            ("put", f"/narratives/{self.marker.pk}", {"text": "x"}),
        ):
            assert self.api(method, self.path(suffix), self.outsider, body).status_code == 404

    def test_get_on_a_change_is_405(self) -> None:
        for suffix in ("/submit", "/approve", "/return"):
            assert self.api("get", self.path(suffix), self.director).status_code == 405
        assert self.api("get", f"{BASE}/generate", self.director).status_code in (404, 405)
        assert self.api("get", self.narrative_path(), self.chief).status_code == 405

    def test_bad_input_is_a_4xx_and_changes_nothing(self) -> None:
        for body in ({"text": ""}, {"text": "a\x00b"}, {}, "not json", {"text": "x" * 10_001}):
            response = self.api("put", self.narrative_path(), self.chief, body)
            assert 400 <= response.status_code < 500, body
        assert (
            self.api("put", self.narrative_path(99999), self.chief, {"text": "x"}).status_code
            == 404
        )
        assert not ReportNarrative.objects.exists()

    def test_the_wrong_state_is_422_with_the_message(self) -> None:
        response = self.api("post", self.path("/approve"), self.director)
        assert response.status_code == 422
        assert "Only a submitted report can be approved" in response.json()["detail"][0]["message"]


class FreezeTests(ReportApiCase):
    def test_an_approved_report_answers_from_its_snapshot(self) -> None:
        self.approved()
        self.change_the_world()
        data = self.api("get", self.path(), self.politician).json()
        marker = data["content"]["ambitions"][0]["markers"][0]
        assert marker["narrative"]["text"] == NARRATIVE
        absence = next(b for b in marker["indicators"] if b["indicator"] == self.absence.pk)
        assert absence["rows"][0]["value"] == "11.000"
        assert absence["rows"][0]["target"]["value"] == "10.000"
        response = self.api("put", self.narrative_path(), self.chief, {"text": "Changed"})
        assert response.status_code == 422
        assert ReportNarrative.objects.get(marker=self.marker).text != "Changed"
        text = "".join(
            page.extract_text()
            for page in PdfReader(
                io.BytesIO(self.api("get", self.path("/pdf"), self.politician).content)
            ).pages
        )
        assert "DRAFT" not in text and "Fraværet falder" in text and "4.4" not in text


class GenerateTests(ReportApiCase):
    def test_managers_generate_and_others_may_not(self) -> None:
        StatusReport.objects.all().delete()
        assert self.api("post", f"{BASE}/generate", self.chief).status_code == 403
        response = self.api("post", f"{BASE}/generate", self.analyst)
        assert response.status_code == 200
        (made,) = response.json()["made"]
        assert made["committee"] == "Børne- og Skoleudvalget" and made["status"] == "draft"
        assert self.api("post", f"{BASE}/generate", self.analyst).json()["made"] == []
        assert self.api("post", f"{BASE}/generate", self.outsider).status_code == 403
        assert StatusReport.objects.count() == 1
