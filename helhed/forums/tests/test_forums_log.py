"""The decision log: searchable across the municipality's forums, paginated, exported as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.urls import reverse

from helhed.forums.actions import forums as actions
from helhed.forums.models import Decision
from helhed.forums.tests.test_forums_actions import ForumCase
from helhed.lib.validity import today

LOG = reverse("forums:decisions")
CSV = reverse("forums:decisions_csv")


class LogCase(ForumCase):
    def setUp(self) -> None:
        super().setUp()
        self.jan = today().replace(month=1, day=1)
        self.granted = self.grant(
            200_000,
            on=self.jan,
            text="The trial 'School and family together' is funded.",
            grant_purpose="School and family together",
        )
        self.handover = actions.do_record_decision(
            actor=self.chief,
            forum=self.chiefs,
            text="Youth guidance takes over at 17 1/2.",
            mandate_basis="Who acts across the administrations",
            decided_on=self.jan,
        )
        self.snag = actions.do_record_decision(
            actor=self.analyst,
            forum=self.leaders,
            text='=HYPERLINK("x") the school calls the family department first.',
            mandate_basis="The day's snags",
            decided_on=self.jan - dt.timedelta(days=40),
        )


class LogTests(LogCase):
    def texts(self, **params: Any) -> set[str]:
        response = self.client.get(LOG, params)
        assert response.status_code == 200
        return {decision.text for decision in response.context["page"]}

    def test_every_staff_member_searches_the_log_across_forums(self) -> None:
        self.login(self.teacher)
        everything = {self.granted.text, self.handover.text, self.snag.text}
        assert self.texts() == everything
        assert self.texts(q="youth guidance") == {self.handover.text}
        assert self.texts(q="family together") == {self.granted.text}  # the purpose too
        assert self.texts(q="Chefgruppen") == {self.handover.text}  # the forum's name
        assert self.texts(forum=self.leaders.pk) == {self.snag.text}
        assert self.texts(grants_only="on") == {self.granted.text}
        assert self.texts(date_from=self.jan.isoformat()) == {self.granted.text, self.handover.text}
        before = (self.jan - dt.timedelta(days=1)).isoformat()
        assert self.texts(date_to=before) == {self.snag.text}
        # Bad values are ignored rather than answered with an error.
        assert self.texts(forum="abc", date_from="2026-13-45", grants_only="x") <= everything
        assert self.texts(forum=self.foreign.pk) == everything  # not a choice: ignored
        response = self.client.get(LOG, {"q": "youth"})
        self.assertContains(response, f'href="{CSV}?q=youth"')

    def test_another_municipality_sees_none_of_it(self) -> None:
        self.login(self.outsider)
        response = self.client.get(LOG)
        assert response.status_code == 200
        assert list(response.context["page"]) == []
        self.assertNotContains(response, "Youth guidance")
        self.login(self.admin)
        assert self.client.get(LOG).status_code == 404

    def test_the_log_is_paginated(self) -> None:
        for number in range(25):
            actions.do_record_decision(
                actor=self.chief,
                forum=self.chiefs,
                text=f"Decision {number:02}",
                mandate_basis="Who acts",
            )
        self.login(self.teacher)
        first = self.client.get(LOG)
        assert len(first.context["page"]) == 25
        self.assertContains(first, "page=2")
        second = self.client.get(LOG, {"page": "2"})
        assert len(second.context["page"]) == 3
        assert self.client.get(LOG, {"page": "999999999999999999999"}).status_code == 200

    def test_wrong_method(self) -> None:
        self.login(self.teacher)
        assert self.client.post(LOG).status_code == 405
        assert self.client.post(CSV).status_code == 405


class CsvTests(LogCase):
    def rows(self, **params: Any) -> list[list[str]]:
        response = self.client.get(CSV, params)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        text = response.content.decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text), delimiter=";"))

    def test_the_export_holds_the_filtered_log(self) -> None:
        self.login(self.caseworker)
        header, *rows = self.rows()
        assert header == [
            "Decided on",
            "Forum",
            "Decision",
            "With which mandate",
            "Decided by",
            "Meeting",
            "Amount granted (DKK)",
            "Granted for",
        ]
        assert len(rows) == 3
        grant = next(row for row in rows if row[1] == "Styregruppen")
        assert grant == [
            self.jan.isoformat(),
            "Styregruppen",
            "The trial 'School and family together' is funded.",
            "Grants to trial actions",
            self.chief.full_name,
            "",
            "200000.00",
            "School and family together",
        ]
        assert [row[2] for row in self.rows(grants_only="on")[1:]] == [self.granted.text]

    def test_a_formula_in_a_decision_is_not_run_by_the_spreadsheet(self) -> None:
        self.login(self.teacher)
        snag = next(row for row in self.rows()[1:] if row[1] == "Daglig ledergruppe")
        assert snag[2].startswith("'=HYPERLINK")

    def test_another_municipality_exports_nothing_of_it(self) -> None:
        self.login(self.outsider)
        assert self.rows()[1:] == []
        assert Decision.objects.count() == 3
