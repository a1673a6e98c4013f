"""The settlement ledger: pro rata costs per budget and period, agreed and open, exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook  # type: ignore[import-untyped]

from helhed.plans.actions import payments as actions
from helhed.plans.models import Effort
from helhed.plans.tests.payments_case import PaymentsCase

D = Decimal


def rows_of(ledger: actions.Ledger) -> dict[str, tuple[int, Decimal, Decimal, Decimal]]:
    return {r.budget: (r.efforts, r.agreed, r.open, r.total) for r in ledger.rows}


class PeriodTests(PaymentsCase):
    def test_it_reads_years_quarters_and_months(self) -> None:
        quarter = actions.parse_period("2026-q3")
        assert (quarter.code, quarter.start, quarter.end) == (
            "2026-Q3",
            dt.date(2026, 7, 1),
            dt.date(2026, 9, 30),
        )
        assert actions.parse_period("2024").days == 366
        assert actions.parse_period("2024-02").end == dt.date(2024, 2, 29)

    def test_it_refuses_what_is_not_a_period(self) -> None:
        for text in ("2026-Q5", "26", "2026-13", "last year", ""):
            with self.assertRaises(actions.ValidationError):
                actions.parse_period(text)


class LedgerSumTests(PaymentsCase):
    def test_a_whole_year_costs_twelve_months_also_in_a_leap_year(self) -> None:
        effort = self.add_effort(
            title="Hele 2024",
            responsible_unit=self.school,
            monthly_cost=D(1_000),
            starts_on=dt.date(2024, 1, 1),
            ends_on=dt.date(2024, 12, 31),
        )
        assert actions.cost_in_period(effort, actions.parse_period("2024")) == D("12000.00")
        # February 2024: 12,000 * 29 / 366 = 950.819... -> 950.82
        assert actions.cost_in_period(effort, actions.parse_period("2024-02")) == D("950.82")

    def test_the_quarter_is_summed_per_budget_by_hand(self) -> None:
        ledger = actions.ledger_for(Effort.objects.all(), actions.parse_period("2025-Q3"))
        assert rows_of(ledger) == {
            "Bakkeskolen": (2, D("30246.58"), D("3057.53"), D("33304.11")),
            "Familieafdelingen": (1, D("0.00"), D("986.30"), D("986.30")),
            "Sundhedsplejen": (1, D("15123.29"), D("0.00"), D("15123.29")),
            "Region Hovedstaden": (1, D("2400.00"), D("0.00"), D("2400.00")),
        }
        assert [r.budget for r in ledger.rows][-1] == "Region Hovedstaden"
        assert ledger.rows[-1].external
        assert (ledger.efforts, ledger.agreed, ledger.open, ledger.total) == (
            5,
            D("47769.87"),
            D("4043.83"),
            D("51813.70"),
        )
        assert ledger.total == sum(r.total for r in ledger.rows)

    def test_agreeing_moves_the_amount_from_open_to_agreed(self) -> None:
        actions.do_agree_payer(actor=self.leader, effort=self.after_school)
        ledger = actions.ledger_for(Effort.objects.all(), actions.parse_period("2025-Q3"))
        assert rows_of(ledger)["Bakkeskolen"] == (2, D("33304.11"), D("0.00"), D("33304.11"))
        assert ledger.open == D("986.30")

    def test_a_budget_narrows_to_its_own_efforts(self) -> None:
        period = actions.parse_period("2025-Q3")
        ledger = actions.ledger_for(Effort.objects.all(), period, self.children_admin)
        assert set(rows_of(ledger)) == {"Bakkeskolen", "Familieafdelingen", "Region Hovedstaden"}


class LedgerPageTests(PaymentsCase):
    url = "/payments/ledger/"

    def test_the_analyst_sees_every_budget_with_totals(self) -> None:
        self.login(self.analyst)
        response = self.client.get(self.url, {"period": "2025-Q3"})
        assert response.status_code == 200
        self.assertContains(response, "Sundhedsplejen")
        self.assertContains(response, "Region Hovedstaden")
        self.assertContains(response, "51,813.70")
        self.assertNotContains(response, "Alma")
        self.assertNotContains(response, "Jensen")

    def test_a_leader_sees_only_the_budgets_they_lead(self) -> None:
        self.login(self.leader)
        response = self.client.get(self.url, {"period": "2025-Q3"})
        assert response.status_code == 200
        ledger = response.context["ledger"]
        assert rows_of(ledger) == {
            "Bakkeskolen": (2, D("30246.58"), D("3057.53"), D("33304.11")),
        }
        self.assertNotContains(response, "Sundhedsplejen")

    def test_the_chief_sees_the_administrations_budgets_and_its_external_payers(self) -> None:
        self.login(self.chief)
        response = self.client.get(self.url, {"period": "2025-Q3"})
        assert set(rows_of(response.context["ledger"])) == {
            "Bakkeskolen",
            "Familieafdelingen",
            "Region Hovedstaden",
        }

    def test_a_leader_cannot_narrow_to_a_budget_they_do_not_lead(self) -> None:
        self.login(self.leader)
        response = self.client.get(self.url, {"period": "2025-Q3", "unit": str(self.health.pk)})
        assert response.status_code == 422
        assert response.context["ledger"] is None

    def test_a_bad_period_is_an_error_on_the_form(self) -> None:
        self.login(self.analyst)
        response = self.client.get(self.url, {"period": "2025-Q9"})
        assert response.status_code == 422
        self.assertContains(response, "a quarter (2026-Q3)", status_code=422)

    def test_without_a_period_it_shows_this_quarter(self) -> None:
        self.login(self.analyst)
        response = self.client.get(self.url)
        assert response.status_code == 200
        assert response.context["ledger"].period == actions.current_quarter()

    def test_staff_without_a_budget_and_outsiders_get_404(self) -> None:
        for who in (self.teacher, self.caseworker, self.outsider, self.politician):
            self.login(who)
            assert self.client.get(self.url).status_code == 404, who
            assert self.client.get(self.url + "export.csv").status_code == 404, who

    def test_wrong_method_is_405(self) -> None:
        self.login(self.analyst)
        assert self.client.post(self.url).status_code == 405
        assert self.client.post(self.url + "export.csv").status_code == 405


class LedgerExportTests(PaymentsCase):
    def test_the_csv_holds_the_rows_and_the_total(self) -> None:
        self.login(self.chief)
        response = self.client.get("/payments/ledger/export.csv", {"period": "2025-Q3"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "settlements-2025-Q3.csv" in response["Content-Disposition"]
        lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert lines[0] == ["Period", "2025-Q3"]
        assert lines[1][0] == "Paying budget"
        assert ["Bakkeskolen", "no", "2", "30246.58", "3057.53", "33304.11"] in lines
        assert ["Region Hovedstaden", "yes", "1", "2400.00", "0.00", "2400.00"] in lines
        assert lines[-1] == ["All budgets", "", "4", "32646.58", "4043.83", "36690.41"]
        assert "Sundhedsplejen" not in response.content.decode("utf-8-sig")

    def test_the_workbook_holds_the_same_numbers(self) -> None:
        self.login(self.analyst)
        response = self.client.get("/payments/ledger/export.xlsx", {"period": "2025-Q3"})
        assert response.status_code == 200
        assert "spreadsheetml" in response["Content-Type"]
        sheet = load_workbook(io.BytesIO(response.content)).active
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert values[0][:2] == ["Period", "2025-Q3"]
        assert ["Sundhedsplejen", "no", 1, 15123.29, 0, 15123.29] in values
        total = values[-1]
        assert total[0] == "All budgets" and total[2] == 5
        assert round(total[3], 2) == 47769.87 and round(total[5], 2) == 51813.70

    def test_a_bad_period_exports_nothing(self) -> None:
        self.login(self.analyst)
        response = self.client.get("/payments/ledger/export.xlsx", {"period": "nope"})
        assert response.status_code == 422


class LedgerApiTests(PaymentsCase):
    def test_the_api_gives_the_same_sums(self) -> None:
        self.login(self.analyst)
        response = self.client.get("/api/payments/ledger", {"period": "2025-Q3"})
        assert response.status_code == 200
        data = response.json()
        assert data["period"] == "2025-Q3"
        assert D(data["total"]) == D("51813.70")
        assert D(data["open"]) == D("4043.83")
        school = next(r for r in data["rows"] if r["budget"] == "Bakkeskolen")
        assert (D(school["agreed"]), D(school["open"])) == (D("30246.58"), D("3057.53"))

    def test_the_api_narrows_to_a_led_unit_and_refuses_others(self) -> None:
        self.login(self.leader)
        ok = self.client.get(
            "/api/payments/ledger", {"period": "2025", "unit": str(self.school.pk)}
        )
        assert ok.status_code == 200
        assert [r["budget"] for r in ok.json()["rows"]] == ["Bakkeskolen"]
        other = self.client.get("/api/payments/ledger", {"unit": self.health.pk})
        assert other.status_code == 404

    def test_the_api_refuses_bad_periods_and_non_leaders(self) -> None:
        self.login(self.analyst)
        assert self.client.get("/api/payments/ledger", {"period": "2025-Q0"}).status_code == 422
        self.login(self.teacher)
        assert self.client.get("/api/payments/ledger").status_code == 404
        self.login(self.outsider)
        assert self.client.get("/api/payments/ledger").status_code == 404


class LedgerFormulaTests(PaymentsCase):
    """An authority's name typed by a plan editor never runs as a spreadsheet formula."""

    def test_a_name_starting_like_a_formula_is_quoted_in_csv_and_excel(self) -> None:
        row = actions.LedgerRow(budget='=HYPERLINK("http://x")', unit_id=None, external=True)
        ledger = actions.Ledger(period=actions.parse_period("2026-Q1"), rows=[row])
        text = actions.ledger_csv(ledger).decode("utf-8-sig")
        self.assertIn("'=HYPERLINK", text)
        sheet = load_workbook(io.BytesIO(actions.ledger_xlsx(ledger))).active
        self.assertEqual(sheet.cell(row=3, column=1).value, '\'=HYPERLINK("http://x")')
