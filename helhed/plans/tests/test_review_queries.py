"""Review: list pages and list endpoints cost the same number of queries for 3 rows or 15."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.lib.validity import today
from helhed.plans.actions.concerns import do_log_concern
from helhed.plans.actions.meetings import do_add_action, do_schedule_meeting
from helhed.plans.actions.plans import do_add_goal
from helhed.plans.actions.referrals import do_send_referral
from helhed.plans.actions.stories import do_propose_story_for_sharing, do_write_story
from helhed.plans.models import Action, Concern, Goal, LegalBasis
from helhed.test import engage, make_citizen, make_plan, make_staff, make_unit

PAGES = [
    "/plans/",
    "/concerns/",
    "/referrals/?box=sent",
    "/referrals/",
    "/actions/",
    "/stories/",
    "/worklist/",
]
LEADER_PAGES = ["/concerns/", "/actions/", "/stories/", "/referrals/?box=sent"]
ENDPOINTS = [
    "/api/plans",
    "/api/concerns",
    "/api/referrals?box=outgoing",
    "/api/actions/mine",
    "/api/stories",
]


class ListQueryTests(ApiTestCase):
    def add_rows(self, n: int) -> None:
        ppr = make_unit(f"PPR {n}", parent=self.children_admin, sector="ppr")
        make_staff("Pia", unit=ppr, role="psychologist")
        for i in range(n):
            child = make_citizen(
                f"Barn{n}x{i}", birth_date=dt.date(2012, 1, 1) + dt.timedelta(days=37 * i + n)
            )
            engage(child, staff=self.caseworker)
            plan = make_plan(child, coordinator=self.caseworker, title=f"Plan {n} {i}")
            goal = do_add_goal(
                actor=self.caseworker,
                plan=plan,
                expected_version=plan.version,
                text="Mål",
                formulated_by=Goal.FormulatedBy.CITIZEN,
                formulated_by_name="Barn",
                target_date=today() + dt.timedelta(days=30),
            )
            meeting = do_schedule_meeting(
                actor=self.caseworker,
                plan=plan,
                starts_at=timezone.now() + dt.timedelta(days=3),
                place="Rådhuset",
                agenda="Mål",
                staff_participants=[(self.caseworker, "")],
                family_participants=[(child, "Barnet")],
            )
            action = do_add_action(
                actor=self.caseworker,
                plan=plan,
                description="Ring",
                owner=self.caseworker,
                due_on=today() + dt.timedelta(days=3),
                meeting=meeting,
            )
            Action.objects.filter(pk=action.pk).update(due_on=today() - dt.timedelta(days=2))
            concern = do_log_concern(
                actor=self.caseworker,
                citizen=child,
                unit=self.family_dept,
                observation="Set",
                category=Concern.Category.WELLBEING,
                severity=Concern.Severity.HIGH,
                parents_informed=True,
                follow_up_owner=self.caseworker,
                follow_up_on=today() + dt.timedelta(days=7),
            )
            Concern.objects.filter(pk=concern.pk).update(
                follow_up_on=today() - dt.timedelta(days=1)
            )
            do_send_referral(
                actor=self.caseworker,
                citizen=child,
                from_unit=self.family_dept,
                to_unit=ppr,
                question="Vurdering",
                legal_basis=LegalBasis.BARNETS_LOV,
            )
            story = do_write_story(
                actor=self.caseworker, plan=plan, title="Uge", text="En god uge", goal=goal
            )
            do_propose_story_for_sharing(
                actor=self.caseworker, story=story, anonymised_text="Et barn havde en god uge"
            )

    def count(self, url: str, api: bool) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = self.api("get", url, as_=self.caseworker) if api else self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return len(queries)

    def test_query_counts_do_not_grow_with_the_rows(self) -> None:
        self.login(self.caseworker)
        self.add_rows(3)
        few = {u: self.count(u, u.startswith("/api")) for u in PAGES + ENDPOINTS}
        self.add_rows(12)
        many = {u: self.count(u, u.startswith("/api")) for u in PAGES + ENDPOINTS}
        grown = {u: (few[u], many[u]) for u in few if many[u] > few[u]}
        assert not grown, grown

    def test_the_leaders_lists_do_not_grow_with_the_rows(self) -> None:
        self.login(self.chief)
        self.add_rows(3)
        few = {u: self.count(u, False) for u in LEADER_PAGES}
        self.add_rows(12)
        many = {u: self.count(u, False) for u in LEADER_PAGES}
        # The lists are filled: 15 proposed stories and 15 overdue actions to look at.
        self.assertContains(self.client.get("/stories/"), "Et barn havde en god uge", count=15)
        assert len(self.client.get("/actions/").context["led_overdue"]) == 15
        grown = {u: (few[u], many[u]) for u in few if many[u] > few[u]}
        assert not grown, grown
