"""Plan versions: every change is a numbered snapshot, the history says who changed what,
and an earlier version is shown exactly as it was."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from helhed.lib.validity import today
from helhed.plans import versions
from helhed.plans.actions.plans import (
    do_add_effort,
    do_add_goal,
    do_add_participant,
    do_close_plan,
    do_update_goal,
    do_update_plan,
)
from helhed.plans.models import Goal, PlanVersion
from helhed.test import BaseTestCase, make_plan


class VersionTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.enterContext(translation.override("en"))
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        self.plan = make_plan(self.alma, coordinator=self.caseworker, title="Alma trives")
        self.goal = do_add_goal(
            actor=self.caseworker,
            plan=self.plan,
            expected_version=1,
            text="Jeg vil have en ven",
            formulated_by=Goal.FormulatedBy.CHILD,
            formulated_by_name="Alma",
            target_date=today() + dt.timedelta(days=30),
        )
        do_add_participant(
            actor=self.caseworker,
            plan=self.plan,
            expected_version=2,
            staff=self.teacher,
            unit=self.school,
        )
        do_update_goal(
            actor=self.teacher,
            goal=self.goal,
            expected_version=3,
            text="Jeg vil have to venner",
            formulated_by=Goal.FormulatedBy.CHILD,
            formulated_by_name="Alma",
            target_date=self.goal.target_date,
            status=Goal.Status.PROGRESSING,
        )
        do_add_effort(
            actor=self.teacher,
            plan=self.plan,
            expected_version=4,
            title="Legegruppe",
            responsible_unit=self.school,
            legal_basis="folkeskoleloven",
            starts_on=today(),
            monthly_cost=Decimal("800"),
        )
        do_update_plan(
            actor=self.caseworker,
            plan=self.plan,
            expected_version=5,
            title="Alma har venner",
            what_matters="At lege efter skole",
            coordinator=self.teacher,
        )


class VersionRecordTests(VersionTestCase):
    def test_each_change_adds_a_version_with_who_and_what(self) -> None:
        rows = list(
            PlanVersion.objects.filter(plan=self.plan)
            .order_by("number")
            .values_list("number", "changed_by__first_name", "summary")
        )
        self.assertEqual(
            rows,
            [
                (1, "Sara", "Plan created"),
                (2, "Sara", "Goal added: Jeg vil have en ven"),
                (3, "Sara", "Participant added: Tom Thy"),
                (4, "Tom", "Goal progressing: Jeg vil have to venner"),
                (5, "Tom", "Effort added: Legegruppe"),
                (6, "Sara", "Plan details changed"),
            ],
        )
        self.plan.refresh_from_db()
        self.assertEqual(self.plan.version, 6)

    def test_the_changes_between_snapshots_name_the_fields(self) -> None:
        snapshots = {v.number: v.snapshot for v in PlanVersion.objects.filter(plan=self.plan)}
        self.assertEqual(versions.changes(None, snapshots[1]), ["Plan created"])
        self.assertEqual(
            versions.changes(snapshots[3], snapshots[4]),
            ["Goal changed (goal in their own words, status): Jeg vil have to venner"],
        )
        self.assertEqual(
            versions.changes(snapshots[5], snapshots[6]),
            [
                "Title: “Alma trives” → “Alma har venner”",
                "What matters to the family: “” → “At lege efter skole”",
                "Coordinator: Sara Sand → Tom Thy",
            ],
        )

    def test_closing_is_a_version_too(self) -> None:
        do_close_plan(actor=self.caseworker, plan=self.plan, expected_version=6, reason="Godt")
        last = self.plan.versions.get(number=7)
        self.assertEqual(last.summary, "Plan closed")
        self.assertEqual(last.snapshot["status"], "closed")
        self.assertIn(
            "Status: “Active” → “Closed”",
            versions.changes(self.plan.versions.get(number=6).snapshot, last.snapshot),
        )


class HistoryPageTests(VersionTestCase):
    def test_the_history_lists_every_version_with_its_changes(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(reverse("plans:history", args=[self.plan.pk]))
        self.assertEqual(response.status_code, 200)
        for text in (
            "Plan created",
            "Goal progressing: Jeg vil have to venner",
            "Goal changed (goal in their own words, status): Jeg vil have to venner",
            "Coordinator: Sara Sand → Tom Thy",
            "Tom Thy",
        ):
            self.assertContains(response, text)
        for number in range(1, 7):
            url = reverse("plans:version", args=[self.plan.pk, number])
            self.assertContains(response, f'href="{url}"')

    def test_an_old_version_shows_its_old_content_marked_as_old(self) -> None:
        self.login(self.teacher)
        response = self.client.get(reverse("plans:version", args=[self.plan.pk, 2]))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Old version 2")
        self.assertContains(response, "It is not the current plan (version 6)")
        self.assertContains(response, "Alma trives")
        self.assertContains(response, "“Jeg vil have en ven”")
        self.assertContains(response, "Not started")
        self.assertContains(response, "Sara Sand")  # the coordinator then
        self.assertNotContains(response, "Jeg vil have to venner")
        self.assertNotContains(response, "Legegruppe")
        self.assertNotContains(response, "At lege efter skole")  # what matters, written later
        self.assertContains(
            response,
            '<h1>Alma trives <span class="badge warn">Old version 2</span></h1>',
            html=True,
        )
        # An old version offers no edits.
        self.assertNotContains(response, reverse("plans:goal_add", args=[self.plan.pk]))

    def test_a_later_version_shows_the_effort_and_its_cost(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(reverse("plans:version", args=[self.plan.pk, 5]))
        self.assertContains(response, "Legegruppe")
        self.assertContains(response, "Folkeskoleloven (the Public School Act)")
        self.assertContains(response, "9,600")  # 800 a month, yearly
        self.assertContains(response, "Progressing")

    def test_versions_are_hidden_like_the_plan(self) -> None:
        urls = [
            reverse("plans:history", args=[self.plan.pk]),
            reverse("plans:version", args=[self.plan.pk, 1]),
        ]
        for user in (self.colleague, self.outsider, self.guardian):
            self.login(user)
            for url in urls:
                self.assertEqual(self.client.get(url).status_code, 404, (user, url))
        self.login(self.caseworker)
        missing = reverse("plans:version", args=[self.plan.pk, 99])
        self.assertEqual(self.client.get(missing).status_code, 404)
        for url in urls:
            self.assertEqual(self.client.post(url).status_code, 405, url)
