"""A leader's review of unusual access: break-the-glass and many look-ups in one day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from helhed.audit import codes
from helhed.audit.models import AuditEntry
from helhed.audit.trail import Entry, log_many
from helhed.citizens.actions import do_break_glass
from helhed.citizens.models import Citizen, Engagement
from helhed.organisation.models import Role, Staff
from helhed.test import BaseTestCase, assign, engage, make_citizen, make_staff

URL = reverse("audit:review")
REASON = "Akut underretning modtaget uden for kontortid"


def staff_url(staff: Staff, query: str = "") -> str:
    return reverse("audit:review_staff", args=[staff.pk]) + query


class ReviewTestCase(BaseTestCase):
    viggo: Citizen
    wilma: Citizen

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # On call: teachers and case workers may break the glass in these tests.
        Role.objects.filter(code__in=["teacher", "caseworker"]).update(emergency_access=True)
        cls.viggo = make_citizen("Viggo", "Vestergaard", birth_date=dt.date(2013, 2, 2))
        cls.wilma = make_citizen("Wilma", "Winther", birth_date=dt.date(2012, 6, 6))

    def login(self, staff_or_user: Any) -> None:
        super().login(staff_or_user)
        # English msgids, whatever the .po files say (logging out clears the cookie).
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def break_glass(self, staff: Staff, citizen: Citizen) -> None:
        """Real use: open the citizen in an emergency, then read the citizen's page."""
        do_break_glass(actor=staff, citizen=citizen, reason=REASON)
        self.login(staff)
        assert self.client.get(reverse("citizens:detail", args=[citizen.pk])).status_code == 200
        self.client.logout()

    def review(self, as_: Staff, query: str = "", status: int = 200) -> Any:
        self.login(as_)
        response = self.client.get(URL + query)
        assert response.status_code == status, response.status_code
        return response

    def glass_actors(self, as_: Staff, query: str = "") -> set[int | None]:
        page = self.review(as_, query).context["glass"]
        return {row.actor_staff_id for row in page.object_list}


class BreakGlassTests(ReviewTestCase):
    def test_a_leader_sees_break_the_glass_by_her_staff(self) -> None:
        self.break_glass(self.teacher, self.viggo)
        response = self.review(self.leader)
        rows = list(response.context["glass"].object_list)
        assert {r.action for r in rows} == {codes.BREAK_GLASS, codes.VIEW}
        assert {r.actor_staff_id for r in rows} == {self.teacher.pk}
        assert {r.citizen_id for r in rows} == {self.viggo.pk}
        self.assertContains(response, "Tom Thy")
        self.assertContains(response, REASON)
        self.assertContains(response, f"Citizen no. {self.viggo.pk}")

    def test_a_leader_does_not_see_another_units_staff(self) -> None:
        self.break_glass(self.colleague, self.wilma)
        assert self.glass_actors(self.leader) == set()
        self.assertNotContains(self.review(self.leader), "Karl Kolding")

    def test_leaders_above_see_every_unit_beneath_them(self) -> None:
        self.break_glass(self.teacher, self.viggo)
        self.break_glass(self.colleague, self.wilma)
        expected = {self.teacher.pk, self.colleague.pk}
        assert self.glass_actors(self.chief) == expected
        assert self.glass_actors(self.director) == expected

    def test_the_director_sees_staff_without_a_role_today(self) -> None:
        gone = make_staff("Gitte", "Gam", username="gitte", municipality_code=230)
        log_many(
            [Entry(action=codes.VIEW, actor=gone.user, citizen_id=self.viggo.pk, break_glass=True)]
        )
        assert gone.pk in self.glass_actors(self.director)
        assert gone.pk not in self.glass_actors(self.chief)

    def test_staff_who_left_the_unit_in_the_period_are_still_reviewed(self) -> None:
        mover = make_staff("Mona", "Mørk", username="mona")
        assign(
            mover,
            self.school,
            "teacher",
            valid_from=dt.date(2020, 1, 1),
            valid_to=timezone.localdate() - dt.timedelta(days=5),
        )
        log_many(
            [
                Entry(
                    action=codes.VIEW,
                    actor=mover.user,
                    citizen_id=self.viggo.pk,
                    break_glass=True,
                    at=timezone.now() - dt.timedelta(days=days),
                )
                for days in (10, 2)
            ]
        )
        assert mover.pk in self.glass_actors(self.leader)
        # Reviewed for what they did while in the unit's period, not after it.
        since = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
        assert mover.pk not in self.glass_actors(self.leader, f"?date_from={since}")

    def test_no_citizen_name_appears_in_the_review(self) -> None:
        engage(self.viggo, staff=self.teacher)
        self.break_glass(self.teacher, self.wilma)
        self.login(self.teacher)
        self.client.get(reverse("citizens:detail", args=[self.viggo.pk]))
        with override_settings(AUDIT_MANY_LOOKUPS=1):
            response = self.review(self.leader)
            assert len(response.context["heavy"].object_list) == 1
            drill = self.client.get(staff_url(self.teacher))
        for page in (response, drill):
            for name in ("Viggo", "Vestergaard", "Wilma", "Winther"):
                self.assertNotContains(page, name)
        self.assertContains(drill, f"Citizen no. {self.wilma.pk}")
        self.assertContains(drill, f"Citizen no. {self.viggo.pk}")


class HeavyUserTests(ReviewTestCase):
    def look_up(self, staff: Staff, citizens: list[Citizen]) -> None:
        """Real use: the staff member opens each citizen's page."""
        self.login(staff)
        for citizen in citizens:
            path = reverse("citizens:detail", args=[citizen.pk])
            assert self.client.get(path).status_code == 200
        self.client.logout()

    def pupils(self, n: int) -> list[Citizen]:
        found = []
        for index in range(n):
            pupil = make_citizen(f"Elev{index}", "Eriksen", birth_date=dt.date(2013, 1, 1 + index))
            engage(pupil, unit=self.school, kind=Engagement.Kind.TEACHING)
            found.append(pupil)
        return found

    @override_settings(AUDIT_MANY_LOOKUPS=2)
    def test_staff_above_the_threshold_are_listed_with_the_count(self) -> None:
        pupils = self.pupils(3)
        self.look_up(self.teacher, pupils)
        # Looking at the same citizen again does not count twice.
        self.look_up(self.teacher, pupils[:1])
        response = self.review(self.leader)
        rows = list(response.context["heavy"].object_list)
        assert rows == [
            {
                "actor_staff_id": self.teacher.pk,
                "day": timezone.localdate(),
                "citizens": 3,
                "actor": "Tom Thy",
            }
        ]
        self.assertContains(response, 'data-testid="lookups">3<')
        self.assertContains(response, staff_url(self.teacher))

    @override_settings(AUDIT_MANY_LOOKUPS=3)
    def test_staff_at_the_threshold_are_not_listed(self) -> None:
        self.look_up(self.teacher, self.pupils(3))
        assert list(self.review(self.leader).context["heavy"].object_list) == []

    @override_settings(AUDIT_MANY_LOOKUPS=2)
    def test_days_are_counted_apart(self) -> None:
        yesterday = timezone.now() - dt.timedelta(days=1)
        today_ids = [self.alma.pk, self.viggo.pk]
        log_many(
            [Entry(action=codes.VIEW, actor=self.teacher.user, citizen_id=c) for c in today_ids]
            + [
                Entry(
                    action=codes.LIST,
                    actor=self.teacher.user,
                    citizen_id=self.wilma.pk,
                    at=yesterday,
                )
            ]
        )
        assert list(self.review(self.leader).context["heavy"].object_list) == []

    @override_settings(AUDIT_MANY_LOOKUPS=2)
    def test_changes_are_not_look_ups(self) -> None:
        ids = [self.alma.pk, self.viggo.pk, self.wilma.pk]
        log_many([Entry(action=codes.CHANGE, actor=self.teacher.user, citizen_id=c) for c in ids])
        assert list(self.review(self.leader).context["heavy"].object_list) == []

    @override_settings(AUDIT_MANY_LOOKUPS=2)
    def test_another_units_heavy_user_is_not_listed_for_the_leader(self) -> None:
        ids = [self.alma.pk, self.viggo.pk, self.wilma.pk]
        log_many([Entry(action=codes.SEARCH, actor=self.colleague.user, citizen_id=c) for c in ids])
        assert list(self.review(self.leader).context["heavy"].object_list) == []
        [row] = self.review(self.chief).context["heavy"].object_list
        assert (row["actor_staff_id"], row["citizens"]) == (self.colleague.pk, 3)

    def test_the_threshold_defaults_to_thirty(self) -> None:
        assert settings.AUDIT_MANY_LOOKUPS == 30
        self.assertContains(self.review(self.leader), "more than 30 different citizens")


class PeriodTests(ReviewTestCase):
    def at_days_ago(self, days: int) -> None:
        log_many(
            [
                Entry(
                    action=codes.VIEW,
                    actor=self.teacher.user,
                    citizen_id=self.viggo.pk,
                    break_glass=True,
                    at=timezone.now() - dt.timedelta(days=days),
                    detail={"days": days},
                )
            ]
        )

    def days(self, query: str = "") -> list[int]:
        rows = self.review(self.leader, query).context["glass"].object_list
        seqs = [row.seq for row in rows]
        return [e.detail["days"] for e in AuditEntry.objects.filter(seq__in=seqs)]

    def test_the_last_30_days_are_shown_by_default(self) -> None:
        for days in (1, 28, 45):
            self.at_days_ago(days)
        assert sorted(self.days()) == [1, 28]
        response = self.review(self.leader)
        start = timezone.localdate() - dt.timedelta(days=29)
        self.assertContains(response, f'value="{start.isoformat()}"')

    def test_a_period_can_be_chosen(self) -> None:
        for days in (1, 28, 45):
            self.at_days_ago(days)
        start = (timezone.localdate() - dt.timedelta(days=60)).isoformat()
        end = (timezone.localdate() - dt.timedelta(days=20)).isoformat()
        assert sorted(self.days(f"?date_from={start}&date_to={end}")) == [28, 45]

    def test_a_bad_period_is_explained_not_a_crash(self) -> None:
        for query in (
            "?date_from=2024-02-30",
            "?date_from=2024-05-01&date_to=2024-04-01",
            "?date_to=1899-01-01",
            "?date_from=9999-12-31",
        ):
            with self.subTest(query=query):
                response = self.review(self.leader, query, status=400)
                self.assertContains(response, 'role="alert"', status_code=400)
                assert response.context["glass"] is None


class DrillDownTests(ReviewTestCase):
    def test_the_leader_sees_her_staff_members_entries(self) -> None:
        self.break_glass(self.teacher, self.viggo)
        self.login(self.leader)
        response = self.client.get(staff_url(self.teacher))
        assert response.status_code == 200
        rows = list(response.context["page"].object_list)
        assert {r.actor_staff_id for r in rows} == {self.teacher.pk}
        assert codes.BREAK_GLASS in {r.action for r in rows}
        self.assertContains(response, "Tom Thy")

    def test_staff_outside_the_leaders_reach_are_not_found(self) -> None:
        self.login(self.leader)
        for staff in (self.colleague, self.caseworker, self.outsider, self.director):
            with self.subTest(staff=staff):
                assert self.client.get(staff_url(staff)).status_code == 404
        missing = reverse("audit:review_staff", args=[999_999])
        assert self.client.get(missing).status_code == 404

    def test_the_director_reaches_her_own_municipality_only(self) -> None:
        self.login(self.director)
        assert self.client.get(staff_url(self.outsider)).status_code == 404
        assert self.client.get(staff_url(self.teacher)).status_code == 200

    def test_a_bad_period_is_explained(self) -> None:
        self.login(self.leader)
        response = self.client.get(staff_url(self.teacher, "?date_from=nope"))
        assert response.status_code == 400
        self.assertContains(response, 'data-testid="error-date_from"', status_code=400)


class ReviewAccessTests(ReviewTestCase):
    def test_front_line_staff_analysts_and_politicians_are_refused(self) -> None:
        for staff in (self.teacher, self.caseworker, self.analyst, self.politician, self.outsider):
            with self.subTest(staff=staff):
                self.login(staff)
                assert self.client.get(URL).status_code == 403
                assert self.client.get(staff_url(self.teacher)).status_code == 403

    def test_an_administrator_without_staff_is_refused(self) -> None:
        self.login(self.admin)
        assert self.client.get(URL).status_code == 403

    def test_family_logins_get_not_found(self) -> None:
        self.login(self.guardian)
        assert self.client.get(URL).status_code == 404
        assert self.client.get(staff_url(self.teacher)).status_code == 404

    def test_anonymous_users_are_sent_to_log_in(self) -> None:
        for path in (URL, staff_url(self.teacher)):
            response = self.client.get(path)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login"))

    def test_only_get_is_allowed(self) -> None:
        self.login(self.leader)
        assert self.client.post(URL).status_code == 405
        assert self.client.post(staff_url(self.teacher)).status_code == 405

    def test_reviewing_creates_no_entries_about_citizens(self) -> None:
        self.break_glass(self.teacher, self.viggo)
        before = AuditEntry.objects.count()
        self.review(self.leader)
        self.client.get(staff_url(self.teacher))
        assert AuditEntry.objects.count() == before

    def test_the_home_page_links_leaders_to_the_review(self) -> None:
        self.login(self.leader)
        self.assertContains(self.client.get(reverse("home")), URL)
        self.login(self.teacher)
        self.assertNotContains(self.client.get(reverse("home")), URL)
