"""A security review of the results app: access, leaks, the freeze, bad input, the rules.

Each test names a way in that must stay shut (a 404 where the object is not
the caller's, a 4xx instead of a 500, a value that must stay hidden) or an
edge of the red/amber/green, trend and target rules.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import SimpleTestCase
from django.urls import reverse
from django.utils import translation

from helhed import policy
from helhed.lib.validity import today
from helhed.organisation.actions import do_move_unit
from helhed.organisation.models import Role, RoleAssignment
from helhed.results.actions.reports import do_approve_report
from helhed.results.models import Marker, Measurement, Reflection, ReportNarrative, StatusReport
from helhed.results.periods import Frequency, Period
from helhed.results.status import Rag, Trend, rag, status_for, trend
from helhed.results.tests.test_curves_actions import CurveCase
from helhed.results.tests.test_reflections_views import ReflectionCase
from helhed.results.tests.test_reports_actions import ReportCase
from helhed.results.tests.test_reports_api import ReportApiCase
from helhed.test import (
    BaseTestCase,
    indicator,
    make_ambition,
    make_committee,
    make_marker,
    make_unit,
    record_value,
    set_target,
)

API = "/api/results"
HUGE = "9" * 30
# "²" passes str.isdigit() but not int(): the classic way past a digit check.
SUPERSCRIPT_TWO = "\u00b2"


# --------------------------------------------------------------------------- the rules


class RagEdgeTests(SimpleTestCase):
    def test_a_negative_target_uses_its_size_for_the_margin(self) -> None:
        # -5 aimed for, higher is better: 10% of |-5| = 0.5 of room.
        assert rag(D("-5"), D("-5"), higher_is_better=True) == Rag.GREEN
        assert rag(D("-5.4"), D("-5"), higher_is_better=True) == Rag.AMBER
        assert rag(D("-5.6"), D("-5"), higher_is_better=True) == Rag.RED
        assert rag(D("-4.6"), D("-5"), higher_is_better=False) == Rag.AMBER
        assert rag(D("-4.4"), D("-5"), higher_is_better=False) == Rag.RED

    def test_a_zero_target_has_no_default_amber_band(self) -> None:
        # 10% of zero is zero: without the indicator's own margin, any miss is red.
        assert rag(D("0"), D("0"), higher_is_better=False) == Rag.GREEN
        assert rag(D("0.001"), D("0"), higher_is_better=False) == Rag.RED
        assert rag(D("-0.001"), D("0"), higher_is_better=True) == Rag.RED
        assert rag(D("0.4"), D("0"), higher_is_better=False, margin=D("0.5")) == Rag.AMBER
        assert rag(D("0.6"), D("0"), higher_is_better=False, margin=D("0.5")) == Rag.RED

    def test_an_explicit_zero_margin_is_not_the_default(self) -> None:
        assert rag(D("9.9"), D("10"), higher_is_better=True, margin=D("0")) == Rag.RED
        assert rag(D("9.9"), D("10"), higher_is_better=True) == Rag.AMBER

    def test_the_amber_edge_is_inclusive(self) -> None:
        assert rag(D("9"), D("10"), higher_is_better=True) == Rag.AMBER
        assert rag(D("11"), D("10"), higher_is_better=False) == Rag.AMBER
        assert rag(D("8.999"), D("10"), higher_is_better=True) == Rag.RED

    def test_no_value_or_no_target_is_grey(self) -> None:
        assert rag(None, D("1"), higher_is_better=True) == Rag.NONE
        assert rag(D("1"), None, higher_is_better=True) == Rag.NONE


class TrendEdgeTests(SimpleTestCase):
    def test_from_zero_any_change_counts_and_the_direction_decides(self) -> None:
        assert trend(D("0"), D("0"), higher_is_better=True) == Trend.STEADY
        assert trend(D("0.001"), D("0"), higher_is_better=True) == Trend.IMPROVING
        assert trend(D("0.001"), D("0"), higher_is_better=False) == Trend.WORSENING
        assert trend(D("-1"), D("0"), higher_is_better=False) == Trend.IMPROVING

    def test_a_negative_earlier_value_uses_its_size(self) -> None:
        assert trend(D("-10.05"), D("-10"), higher_is_better=True) == Trend.STEADY
        assert trend(D("-11"), D("-10"), higher_is_better=True) == Trend.WORSENING

    def test_missing_values_give_no_trend(self) -> None:
        assert trend(None, D("1"), higher_is_better=True) == Trend.UNKNOWN
        assert trend(D("1"), None, higher_is_better=True) == Trend.UNKNOWN


class StatusEdgeTests(BaseTestCase):
    def setUp(self) -> None:
        self.absence = indicator("fravaer-over-10")  # quarterly, lower is better

    def test_a_suppressed_earlier_value_gives_no_trend(self) -> None:
        set_target(self.absence, self.school, 10)
        record_value(self.absence, self.school, "2025-Q3", "30", persons=3)
        record_value(self.absence, self.school, "2026-Q3", "9")
        status = status_for(self.absence, self.school, Period.parse("2026-Q3"))
        assert status.trend == Trend.UNKNOWN
        assert status.series[-5].value is None and status.series[-5].suppressed

    def test_a_unit_moved_to_another_administration_keeps_its_own_target(self) -> None:
        other_admin = make_unit("Skole og Dagtilbud", parent=self.root, unit_type="administration")
        set_target(self.absence, self.children_admin, 10)
        set_target(self.absence, other_admin, 6)
        set_target(self.absence, self.school, 8, applies_from="2023")
        moved = do_move_unit(self.school, new_parent=other_admin, on=dt.date(2026, 1, 1))
        record_value(self.absence, moved, "2026-Q1", "7")
        status = status_for(self.absence, moved, Period.parse("2026-Q1"))
        assert status.target_value == D(8) and not status.target_inherited
        assert status.rag == Rag.GREEN

    def test_a_moved_unit_without_its_own_target_inherits_from_its_new_parent(self) -> None:
        other_admin = make_unit("Skole og Dagtilbud", parent=self.root, unit_type="administration")
        set_target(self.absence, self.root, 12)
        set_target(self.absence, self.children_admin, 10)
        set_target(self.absence, other_admin, 6)
        moved = do_move_unit(self.school, new_parent=other_admin, on=dt.date(2026, 1, 1))
        record_value(self.absence, moved, "2026-Q1", "7")
        status = status_for(self.absence, moved, Period.parse("2026-Q1"))
        assert status.target_value == D(6) and status.target_inherited
        assert status.rag == Rag.RED  # 1 above 6 is beyond 10% of 6

    def test_a_value_of_another_kind_is_not_current_by_accident(self) -> None:
        # A yearly value left from before the indicator became quarterly (the catalogue
        # lets the frequency change): "year" sorts after "quarter", which must not make
        # a value from 2024 count as current in 2026.
        Measurement.objects.create(
            indicator=self.absence, unit=self.school, period="2024", value=D("9"), persons=40
        )
        status = status_for(self.absence, self.school, Period.parse("2026-Q3"))
        assert status.value == D(9)
        assert not status.current


# --------------------------------------------------------------------------- access


class ReportAccessTests(ReportCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def url(self, name: str, *args: int) -> str:
        return reverse(f"results:{name}", args=[self.report.pk, *args])

    def test_a_role_in_another_municipality_does_not_open_drafts_here(self) -> None:
        # The politician sees approved reports only; a leader role she holds in a
        # Hvidovre unit (however it came to exist) opens nothing in Rudersdal.
        hvidovre = make_unit("Hvidovre Skole", parent=self.outsider_root(), sector="school")
        RoleAssignment.objects.create(
            staff=self.politician,
            unit=hvidovre,
            role=Role.objects.filter(kind=Role.Kind.LEADER).first(),  # type: ignore[misc]
            valid_from=dt.date(2020, 1, 1),
        )
        assert not policy.visible_reports(self.politician.user).filter(pk=self.report.pk).exists()
        self.login(self.politician)
        assert self.client.get(self.url("report")).status_code == 404
        assert self.client.get(self.url("report_pdf")).status_code == 404

    def outsider_root(self) -> Any:
        from helhed.organisation.models import Unit

        return Unit.objects.get(name="Hvidovre Kommune")

    def test_drafts_are_404_for_politicians_front_line_staff_and_outsiders(self) -> None:
        for staff in (self.politician, self.teacher, self.caseworker, self.outsider):
            self.login(staff)
            with self.subTest(staff=staff.full_name):
                assert self.client.get(self.url("report")).status_code == 404
                assert self.client.get(self.url("report_pdf")).status_code == 404
                response = self.client.post(
                    self.url("report_narrative", self.marker.pk), {"text": "x"}
                )
                assert response.status_code == 404
        assert not ReportNarrative.objects.exists()

    def test_a_marker_of_another_committee_is_404_not_written(self) -> None:
        other = make_committee("Social- og Sundhedsudvalget")
        ambition = make_ambition(committee=other, owner=self.chief, units=[self.children_admin])
        foreign = make_marker(ambition, owner=self.chief, indicators=[self.absence])
        self.login(self.chief)
        response = self.client.post(self.url("report_narrative", foreign.pk), {"text": "x"})
        assert response.status_code == 404
        assert not ReportNarrative.objects.exists()

    def test_htmx_narrative_for_a_marker_outside_the_report_is_a_4xx_not_a_crash(self) -> None:
        # The committee's marker on an ambition that does not cover 2026: not in the report.
        later = make_ambition(
            committee=self.committee,
            owner=self.chief,
            units=[self.children_admin],
            title="Senere",
            first_year=2028,
            last_year=2030,
        )
        outside = make_marker(later, owner=self.chief, indicators=[self.absence], title="Senere")
        self.login(self.chief)
        response = self.client.post(
            self.url("report_narrative", outside.pk),
            {"text": "Noget"},
            headers={"hx-request": "true"},
        )
        assert 400 <= response.status_code < 500
        assert not ReportNarrative.objects.exists()

    def test_changes_need_post(self) -> None:
        self.login(self.director)
        for name in ("report_submit", "report_approve", "report_return"):
            assert self.client.get(self.url(name)).status_code == 405
        assert self.client.get(self.url("report_narrative", self.marker.pk)).status_code == 405
        assert self.client.get(reverse("results:reports_generate")).status_code == 405

    def test_anonymous_is_sent_to_log_in(self) -> None:
        response = self.client.post(self.url("report_approve"))
        assert response.status_code == 302 and "login" in response["Location"]


class FreezeTests(ReportCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        self.approved()
        self.report.refresh_from_db()
        self.frozen = json.dumps(self.report.snapshot, sort_keys=True)

    def assert_unchanged(self) -> None:
        self.report.refresh_from_db()
        assert self.report.status == StatusReport.Status.APPROVED
        assert json.dumps(self.report.snapshot, sort_keys=True) == self.frozen

    def test_no_web_change_reaches_an_approved_report(self) -> None:
        self.login(self.chief)
        url = reverse("results:report_narrative", args=[self.report.pk, self.marker.pk])
        assert self.client.post(url, {"text": "Omskrevet"}).status_code == 422
        response = self.client.post(url, {"text": "Omskrevet"}, headers={"hx-request": "true"})
        assert response.status_code == 200  # the form with its error, for htmx to swap
        assert "Omskrevet" not in ReportNarrative.objects.values_list("text", flat=True)
        self.login(self.director)
        for name in ("report_submit", "report_approve"):
            response = self.client.post(reverse(f"results:{name}", args=[self.report.pk]))
            assert response.status_code in (403, 422), name
        response = self.client.post(
            reverse("results:report_return", args=[self.report.pk]), {"reason": "Igen"}
        )
        assert response.status_code == 422
        self.assert_unchanged()

    def test_a_second_approval_with_a_stale_copy_is_refused(self) -> None:
        stale = StatusReport.objects.get(pk=self.report.pk)
        stale.status = StatusReport.Status.SUBMITTED  # as read before the first approval
        with self.assertRaises(ValidationError):
            do_approve_report(actor=self.director, report=stale)
        self.assert_unchanged()

    def test_renaming_a_marker_after_approval_does_not_change_the_report(self) -> None:
        Marker.objects.filter(pk=self.marker.pk).update(title="Et nyt navn")
        self.login(self.politician)
        response = self.client.get(reverse("results:report", args=[self.report.pk]))
        self.assertContains(response, self.marker.title)
        self.assertNotContains(response, "Et nyt navn")
        self.assert_unchanged()

    def test_the_snapshot_holds_no_hidden_value(self) -> None:
        text = json.dumps(self.report.snapshot)
        assert "17.3" not in text


class ReportApiReviewTests(ReportApiCase):
    def test_the_api_refuses_every_change_to_an_approved_report(self) -> None:
        self.approved()
        frozen = StatusReport.objects.get(pk=self.report.pk).snapshot
        response = self.api("put", self.narrative_path(), self.chief, {"text": "Omskrevet"})
        assert response.status_code == 422
        for suffix in ("/submit", "/approve"):
            assert self.api("post", self.path(suffix), self.director).status_code in (403, 422)
        response = self.api("post", self.path("/return"), self.director, {"reason": "Igen"})
        assert response.status_code == 422
        report = StatusReport.objects.get(pk=self.report.pk)
        assert report.status == StatusReport.Status.APPROVED and report.snapshot == frozen

    def test_bad_bodies_are_4xx(self) -> None:
        for body in ({"text": "a\x00b"}, {"text": ""}, {"text": "x" * 10_001}, {"txt": "x"}, "[]"):
            response = self.api("put", self.narrative_path(), self.chief, body)
            assert response.status_code == 422, body
        assert not ReportNarrative.objects.exists()
        response = self.api("get", f"{API}/reports?status=secret", self.chief)
        assert response.status_code == 422

    def test_the_outsider_and_the_politician_get_404_for_a_draft(self) -> None:
        for staff in (self.outsider, self.politician, self.teacher):
            assert self.api("get", self.path(), staff).status_code == 404
            assert self.api("get", self.path("/pdf"), staff).status_code == 404
            response = self.api("put", self.narrative_path(), staff, {"text": "x"})
            assert response.status_code == 404
        assert not ReportNarrative.objects.exists()

    def test_the_draft_content_hides_values_under_five(self) -> None:
        body = self.api("get", self.path(), self.chief).json()
        assert "17.3" not in json.dumps(body)


class UnitAccessTests(BaseTestCase):
    def setUp(self) -> None:
        self.absence = indicator("fravaer-over-10")
        self.make_results_chain()
        self.hvidovre_school = make_unit(
            "Hvidovre Skole",
            parent=self.outsider.role_assignments.get().unit.parent,
            sector="school",
        )

    def test_a_unit_of_another_municipality_is_404_on_the_web_and_the_api(self) -> None:
        self.login(self.chief)
        url = reverse("results:unit", args=[self.hvidovre_school.pk])
        assert self.client.get(url).status_code == 404
        self.login(self.outsider)
        assert self.client.get(reverse("results:unit", args=[self.school.pk])).status_code == 404

    def test_a_huge_or_odd_unit_id_or_period_is_a_4xx(self) -> None:
        self.login(self.chief)
        assert self.client.get(f"/results/units/{HUGE}/").status_code == 404
        url = reverse("results:unit", args=[self.school.pk])
        for period in ("2026-Q9", "x" * 5000, "0000", "9999-Q1", "2026-13", "2026-Q1\n"):
            assert self.client.get(url, {"period": period}).status_code == 200, period

    def test_a_leader_does_not_read_a_school_after_it_moved_away(self) -> None:
        # Results follow the unit's key; the closed registration under the chief's
        # administration must not become a window on the school's new data.
        other_admin = make_unit("Skole og Dagtilbud", parent=self.root, unit_type="administration")
        old_school = self.school
        last = Period.last_complete(today(), Frequency.QUARTERLY)
        moved = do_move_unit(old_school, new_parent=other_admin, on=last.start)
        record_value(self.absence, moved, last.code, "42.5")
        self.login(self.chief)
        response = self.client.get(reverse("results:unit", args=[old_school.pk]))
        assert response.status_code == 404 or "42,5" not in response.content.decode()


# --------------------------------------------------------------------------- bad input


class CurveBadInputTests(CurveCase):
    def test_a_forecast_row_name_with_a_superscript_digit_is_not_a_crash(self) -> None:
        curve = self.start()
        self.login(self.chief)
        url = reverse("results:curve_forecast", args=[curve.pk])
        response = self.client.post(url, {f"period_{SUPERSCRIPT_TWO}": "2030-Q1", "value_0": "1"})
        assert response.status_code == 400
        curve.refresh_from_db()
        assert curve.forecast == []

    def test_forecast_values_that_are_not_numbers_are_a_form_error(self) -> None:
        curve = self.start()
        self.login(self.chief)
        url = reverse("results:curve_forecast", args=[curve.pk])
        nxt = self.last.next().code
        for value in ("NaN", "Infinity", "1e999", "-sNaN", "1" * 40, "1,2,3", "0x10"):
            response = self.client.post(url, {"period_0": nxt, "value_0": value})
            assert response.status_code == 400, value
        curve.refresh_from_db()
        assert curve.forecast == []
        for raw in ("NaN", "Infinity", 1e300):
            response = self.api_forecast(curve.pk, nxt, raw)
            assert response.status_code == 422, raw

    def api_forecast(self, curve_id: int, period: str, value: Any) -> Any:
        from helhed.api.models import ApiToken

        assert self.chief.user is not None
        token = ApiToken.issue(self.chief.user, "t")[1]
        body = json.dumps({"forecast": [{"period": period, "value": value}]}, allow_nan=True)
        return self.client.put(
            f"{API}/curves/{curve_id}/forecast",
            body,
            content_type="application/json",
            headers={"authorization": f"Bearer {token}"},
        )

    def test_start_with_odd_ids_is_404_not_a_crash(self) -> None:
        self.login(self.chief)
        base = reverse("results:curve_start")
        for unit, ind in ((SUPERSCRIPT_TWO, "1"), ("1", SUPERSCRIPT_TWO), (HUGE, "1"), ("-1", "1")):
            response = self.client.get(base, {"unit": unit, "indicator": ind})
            assert response.status_code == 404, (unit, ind)


class ChainBadInputTests(BaseTestCase):
    def setUp(self) -> None:
        self.committee, self.ambition, self.marker = self.make_results_chain()
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def test_an_odd_committee_in_the_query_is_ignored(self) -> None:
        self.login(self.analyst)
        for value in (SUPERSCRIPT_TWO, HUGE):
            response = self.client.get(reverse("results:ambition_create"), {"committee": value})
            assert response.status_code == 200, value

    def test_huge_ids_in_the_marker_form_are_a_form_error(self) -> None:
        self.login(self.chief)
        url = reverse("results:marker_edit", args=[self.marker.pk])
        for field in ("indicators", "units"):
            data = {"title": "T", "owner": str(self.chief.pk), field: [HUGE]}
            response = self.client.post(url, data)
            assert response.status_code == 400, field
        self.marker.refresh_from_db()
        assert self.marker.title != "T"

    def test_huge_ids_in_the_ambition_form_are_a_form_error(self) -> None:
        self.login(self.analyst)
        data = {
            "committee": str(self.committee.pk),
            "title": "T",
            "first_year": "2026",
            "last_year": "2027",
            "owner": str(self.chief.pk),
            "units": [HUGE],
        }
        response = self.client.post(reverse("results:ambition_create"), data)
        assert response.status_code == 400
        for year in (HUGE, "-1", "1e3"):
            response = self.client.post(
                reverse("results:ambition_create"),
                {**data, "units": [str(self.root.pk)], "first_year": year},
            )
            assert response.status_code == 400, year
        assert not self.committee.ambitions.filter(title="T").exists()


class ChainApiBadInputTests(ReportApiCase):
    def test_huge_ids_in_json_bodies_are_422(self) -> None:
        ambition = self.ambition
        big = 10**30
        bodies = [
            ("post", f"{API}/ambitions/{ambition.pk}/markers", {"title": "T", "owner_id": big}),
            (
                "post",
                f"{API}/ambitions/{ambition.pk}/markers",
                {"title": "T", "owner_id": self.chief.pk, "unit_ids": [big]},
            ),
            (
                "post",
                f"{API}/ambitions/{ambition.pk}/markers",
                {"title": "T", "owner_id": self.chief.pk, "indicator_ids": [big]},
            ),
            ("patch", f"{API}/markers/{self.marker.pk}", {"unit_ids": [big]}),
            ("patch", f"{API}/markers/{self.marker.pk}", {"indicator_ids": [2**63]}),
        ]
        for method, path, body in bodies:
            response = self.api(method, path, self.chief, body)
            assert response.status_code == 422, (path, body)
        assert not ambition.markers.filter(title="T").exists()

    def test_ids_of_another_municipality_are_refused_without_naming_them(self) -> None:
        from helhed.organisation.models import Unit

        hvidovre = Unit.objects.get(name="Familie", municipality__code=167)
        response = self.api(
            "patch", f"{API}/markers/{self.marker.pk}", self.chief, {"unit_ids": [hvidovre.pk]}
        )
        assert response.status_code == 422
        assert "Familie" not in response.content.decode()
        response = self.api(
            "patch", f"{API}/markers/{self.marker.pk}", self.chief, {"owner_id": self.outsider.pk}
        )
        assert response.status_code == 422
        assert set(self.marker.units.all()) == set()
        self.marker.refresh_from_db()
        assert self.marker.owner == self.chief


class ReflectionBadInputTests(ReflectionCase):
    def test_a_meeting_in_year_one_is_refused_not_stored_to_crash_later(self) -> None:
        self.login(self.leader)
        url = reverse("results:reflection_create") + f"?unit={self.school.pk}"
        response = self.client.post(
            url,
            {
                "held_on": "0001-01-05",
                "what_we_see": "Gammelt",
                "participants": [str(self.leader.pk)],
                "indicators": [str(self.absence.pk)],
            },
        )
        assert response.status_code == 400
        assert not Reflection.objects.exists()

    def test_the_api_refuses_a_meeting_in_year_one_without_saving_it(self) -> None:
        from helhed.api.models import ApiToken

        assert self.leader.user is not None
        token = ApiToken.issue(self.leader.user, "t")[1]
        body = {
            "unit_id": self.school.pk,
            "held_on": "0001-01-05",
            "what_we_see": "Gammelt",
            "indicator_ids": [self.absence.pk],
        }
        response = self.client.post(
            f"{API}/reflections",
            json.dumps(body),
            content_type="application/json",
            headers={"authorization": f"Bearer {token}"},
        )
        assert response.status_code == 422
        assert not Reflection.objects.exists()

    def test_odd_unit_ids_are_404(self) -> None:
        self.login(self.leader)
        for raw in (SUPERSCRIPT_TWO, HUGE, "0"):
            response = self.client.get(reverse("results:reflection_create"), {"unit": raw})
            assert response.status_code == 404, raw

    def test_a_participant_from_another_municipality_is_refused(self) -> None:
        self.login(self.leader)
        url = reverse("results:reflection_create") + f"?unit={self.school.pk}"
        with translation.override("en"):
            response = self.client.post(
                url,
                {
                    "held_on": str(today()),
                    "what_we_see": "x",
                    "participants": [str(self.outsider.pk)],
                    "follow_up_owner": str(self.outsider.pk),
                    "follow_up_on": str(today()),
                },
            )
        assert response.status_code == 400
        assert "Otto" not in response.content.decode()
        assert not Reflection.objects.exists()
