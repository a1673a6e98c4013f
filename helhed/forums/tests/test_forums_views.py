"""The forums' pages: list, forum, setting one up, members, meetings, decisions, follow-ups."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.urls import reverse

from helhed.forums.actions import forums as actions
from helhed.forums.models import Decision, FollowUp, Forum, ForumMeeting, ForumMember
from helhed.forums.tests.test_forums_actions import ForumCase
from helhed.lib.validity import today

LIST = reverse("forums:list")
CREATE = reverse("forums:create")


def url(name: str, *args: int) -> str:
    return reverse(f"forums:{name}", args=args)


class ListTests(ForumCase):
    def test_every_staff_member_reads_the_list_and_another_municipality_does_not(self) -> None:
        for staff in (self.teacher, self.caseworker, self.politician, self.leader):
            with self.subTest(staff.full_name):
                self.login(staff)
                response = self.client.get(LIST)
                self.assertContains(response, "Styregruppen")
                self.assertContains(response, f'href="{url("detail", self.chiefs.pk)}"')
                self.assertNotContains(response, "Hvidovres styregruppe")
        self.login(self.outsider)
        response = self.client.get(LIST)
        self.assertNotContains(response, "Styregruppen")
        self.assertContains(response, "Hvidovres styregruppe")

    def test_search_and_kind_filter(self) -> None:
        self.login(self.teacher)

        def names(**params: Any) -> set[str]:
            response = self.client.get(LIST, params)
            assert response.status_code == 200
            return {forum.name for forum in response.context["page"]}

        assert names() == {"Styregruppen", "Chefgruppen", "Daglig ledergruppe"}
        assert names(q="who pays") == {"Chefgruppen"}  # the mandate
        assert names(kind="steering_group") == {"Styregruppen"}
        assert names(kind="nonsense") == names()

    def test_only_managers_see_the_set_up_link_and_no_staff_role_is_404(self) -> None:
        self.login(self.teacher)
        self.assertNotContains(self.client.get(LIST), f'href="{CREATE}"')
        self.login(self.chief)
        self.assertContains(self.client.get(LIST), f'href="{CREATE}"')
        self.login(self.admin)
        assert self.client.get(LIST).status_code == 404

    def test_wrong_method(self) -> None:
        self.login(self.teacher)
        assert self.client.post(LIST).status_code == 405


class DetailTests(ForumCase):
    def test_the_page_shows_members_mandate_chain_and_the_budget_left(self) -> None:
        # Budget 500,000, granted 200,000 this year and 100,000 last year: 300,000 left.
        self.grant(200_000)
        self.grant(100_000, on=today().replace(year=today().year - 1, day=1))
        self.login(self.teacher)
        response = self.client.get(url("detail", self.steering.pk))
        assert response.status_code == 200
        assert response.context["used"] == Decimal(200_000)
        assert response.context["left"] == Decimal(300_000)
        self.assertContains(response, "Grants to trial actions across sectors")
        self.assertContains(response, self.chief.full_name)
        self.assertContains(response, self.analyst.full_name)
        self.assertContains(response, '<td data-testid="budget-left">DKK 300,000</td>', html=True)
        self.assertContains(response, '<td data-testid="budget-used">DKK 200,000</td>', html=True)
        self.assertContains(response, "<progress")
        self.assertContains(response, f'href="{url("detail", self.chiefs.pk)}"')  # from
        self.assertContains(response, f'href="{url("board", self.steering.pk)}"')
        # The teacher may read but not change or record.
        self.assertNotContains(response, f'href="{url("edit", self.steering.pk)}"')
        self.assertNotContains(response, f'action="{url("meeting_create", self.steering.pk)}"')

    def test_the_chain_lists_the_forums_above(self) -> None:
        self.login(self.teacher)
        response = self.client.get(url("detail", self.leaders.pk))
        assert response.context["chain"] == [self.chiefs, self.steering]
        self.assertContains(response, "The forum has no budget")

    def test_another_municipality_gets_404(self) -> None:
        self.login(self.outsider)
        assert self.client.get(url("detail", self.steering.pk)).status_code == 404
        self.login(self.teacher)
        assert self.client.get(url("detail", self.foreign.pk)).status_code == 404
        assert self.client.get("/forums/99999999999999999999/").status_code == 404


class SetUpTests(ForumCase):
    def body(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": "Rådgivende møde",
            "kind": "advisory_meeting",
            "cadence": "monthly",
            "mandate": "Grants up to DKK 250,000 to a trial.",
            "units": [self.school.pk, self.family_dept.pk],
            "escalates_to": self.steering.pk,
            "yearly_budget": "1000000",
            "grant_limit": "250000",
            "is_active": "on",
        }
        data.update(changes)
        return data

    def test_a_chief_sets_up_a_forum(self) -> None:
        self.login(self.chief)
        assert self.client.get(CREATE).status_code == 200
        response = self.client.post(CREATE, self.body())
        forum = Forum.objects.get(name="Rådgivende møde")
        self.assertRedirects(response, url("detail", forum.pk))
        assert forum.escalates_to == self.steering
        assert forum.grant_limit == Decimal(250_000)
        assert set(forum.units.all()) == {self.school, self.family_dept}

    def test_others_may_not(self) -> None:
        for staff in (self.leader, self.teacher, self.outsider):
            with self.subTest(staff.full_name):
                self.login(staff)
                assert self.client.get(CREATE).status_code == 403
                assert self.client.post(CREATE, self.body()).status_code == 403
        assert not Forum.objects.filter(name="Rådgivende møde").exists()

    def test_bad_input_is_shown_on_the_form(self) -> None:
        self.login(self.analyst)
        cases: list[tuple[dict[str, Any], str]] = [
            (self.body(grant_limit="2000000"), "grant_limit"),
            (self.body(grant_limit=""), "grant_limit"),
            (self.body(escalates_to=self.foreign.pk), "escalates_to"),
            (self.body(mandate=""), "mandate"),
            (self.body(units=[2**70]), "units"),
            (self.body(yearly_budget="abc"), "yearly_budget"),
        ]
        for body, field in cases:
            with self.subTest(field):
                response = self.client.post(CREATE, body)
                assert response.status_code == 422
                assert field in response.context["form"].errors
        assert not Forum.objects.filter(name="Rådgivende møde").exists()

    def test_editing_refuses_a_cycle(self) -> None:
        self.login(self.director)
        edit = url("edit", self.steering.pk)
        assert self.client.get(edit).status_code == 200
        body = self.body(name="Styregruppen", escalates_to=self.leaders.pk, units=[])
        response = self.client.post(edit, body)
        assert response.status_code == 422
        assert "escalates_to" in response.context["form"].errors
        response = self.client.post(edit, self.body(name="Styregruppen", escalates_to=""))
        self.assertRedirects(response, url("detail", self.steering.pk))
        self.steering.refresh_from_db()
        assert self.steering.yearly_budget == Decimal(1_000_000)

    def test_editing_access(self) -> None:
        edit = url("edit", self.steering.pk)
        self.login(self.leader)
        assert self.client.get(edit).status_code == 403
        self.login(self.outsider)
        assert self.client.get(edit).status_code == 404
        self.login(self.chief)
        assert self.client.delete(edit).status_code == 405


class MemberTests(ForumCase):
    def test_a_manager_adds_a_member_changes_a_role_and_takes_one_off(self) -> None:
        self.login(self.director)
        add = url("member_set", self.chiefs.pk)
        response = self.client.post(add, {"staff": self.teacher.pk, "role": "member"})
        self.assertRedirects(response, url("detail", self.chiefs.pk))
        member = ForumMember.objects.get(forum=self.chiefs, staff=self.teacher)
        self.client.post(add, {"staff": self.teacher.pk, "role": "secretary"})
        member.refresh_from_db()
        assert member.role == "secretary"
        remove = url("member_remove", self.chiefs.pk, member.pk)
        self.assertRedirects(self.client.post(remove), url("detail", self.chiefs.pk))
        assert not ForumMember.objects.filter(pk=member.pk).exists()

    def test_access_and_bad_input(self) -> None:
        add = url("member_set", self.chiefs.pk)
        self.login(self.leader)
        assert self.client.post(add, {"staff": self.teacher.pk, "role": "chair"}).status_code == 403
        self.login(self.outsider)
        assert self.client.post(add, {"staff": self.teacher.pk}).status_code == 404
        self.login(self.chief)
        assert self.client.get(add).status_code == 405
        response = self.client.post(add, {"staff": self.outsider.pk, "role": "member"})
        assert response.status_code == 422
        response = self.client.post(add, {"staff": self.teacher.pk, "role": "king"})
        assert response.status_code == 422
        assert not ForumMember.objects.filter(staff__in=[self.teacher, self.outsider]).exists()


class MeetingTests(ForumCase):
    def test_the_secretary_plans_a_meeting_and_records_the_minutes(self) -> None:
        self.login(self.analyst)
        response = self.client.post(
            url("meeting_create", self.chiefs.pk),
            {"held_on": today().isoformat(), "agenda": "1. Who pays for the handover"},
        )
        meeting = ForumMeeting.objects.get(forum=self.chiefs)
        self.assertRedirects(response, url("meeting", meeting.pk))
        response = self.client.post(
            url("meeting_minutes", meeting.pk), {"minutes": "The family department pays."}
        )
        self.assertRedirects(response, url("meeting", meeting.pk))
        meeting.refresh_from_db()
        assert meeting.status == "held"
        self.login(self.teacher)
        response = self.client.get(url("meeting", meeting.pk))
        self.assertContains(response, "The family department pays.")
        self.assertNotContains(response, f'action="{url("meeting_minutes", meeting.pk)}"')

    def test_a_member_gets_403_an_outsider_404(self) -> None:
        meeting = actions.do_plan_meeting(
            actor=self.chief, forum=self.chiefs, held_on=today(), agenda="Budget"
        )
        body = {"held_on": today().isoformat(), "agenda": "Mine"}
        self.login(self.leader)
        assert self.client.post(url("meeting_create", self.chiefs.pk), body).status_code == 403
        assert (
            self.client.post(url("meeting_minutes", meeting.pk), {"minutes": "x"}).status_code
            == 403
        )
        assert self.client.post(url("meeting_cancel", meeting.pk)).status_code == 403
        self.login(self.outsider)
        assert self.client.post(url("meeting_create", self.chiefs.pk), body).status_code == 404
        assert self.client.get(url("meeting", meeting.pk)).status_code == 404
        self.login(self.chief)
        assert self.client.get(url("meeting_create", self.chiefs.pk)).status_code == 405
        assert self.client.get(url("meeting_minutes", meeting.pk)).status_code == 405

    def test_bad_input_and_cancelling(self) -> None:
        self.login(self.chief)
        response = self.client.post(
            url("meeting_create", self.chiefs.pk), {"held_on": "31-02-2026", "agenda": ""}
        )
        assert response.status_code == 422
        assert {"held_on", "agenda"} <= set(response.context["meeting_form"].errors)
        later = actions.do_plan_meeting(
            actor=self.chief,
            forum=self.chiefs,
            held_on=today() + dt.timedelta(days=3),
            agenda="Later",
        )
        response = self.client.post(url("meeting_minutes", later.pk), {"minutes": "Too early."})
        assert response.status_code == 422
        self.assertRedirects(
            self.client.post(url("meeting_cancel", later.pk)), url("meeting", later.pk)
        )
        later.refresh_from_db()
        assert later.status == "cancelled"
        assert self.client.post(url("meeting_cancel", later.pk)).status_code == 422


class DecisionTests(ForumCase):
    def body(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "text": "The trial 'School and family together' gets a grant.",
            "mandate_basis": "Grants to trial actions",
            "decided_on": today().isoformat(),
            "grant_amount": "200000",
            "grant_purpose": "School and family together",
        }
        data.update(changes)
        return data

    def test_the_secretary_records_a_grant_and_the_chair_decides(self) -> None:
        create = url("decision_create", self.steering.pk)
        self.login(self.analyst)
        response = self.client.get(create)
        self.assertContains(response, "DKK 250,000")  # the limit per grant
        self.assertContains(response, "DKK 500,000")  # left this year
        response = self.client.post(create, self.body())
        decision = Decision.objects.get(forum=self.steering)
        self.assertRedirects(response, url("decision", decision.pk))
        assert decision.decided_by == self.chief
        assert decision.grant_amount == Decimal(200_000)
        response = self.client.get(url("decision", decision.pk))
        self.assertContains(response, '<dd data-testid="grant">DKK 200,000</dd>', html=True)

    def test_a_grant_beyond_the_limit_or_budget_is_refused_on_the_form(self) -> None:
        create = url("decision_create", self.steering.pk)
        self.login(self.chief)
        response = self.client.post(create, self.body(grant_amount="250001"))
        assert response.status_code == 422
        self.assertContains(response, "DKK 250,000", status_code=422)
        self.grant(250_000)
        self.grant(200_000)
        response = self.client.post(create, self.body(grant_amount="60000"))
        assert response.status_code == 422
        assert "grant_amount" in response.context["form"].errors
        self.assertContains(response, "DKK 50,000", status_code=422)  # what is left
        response = self.client.post(
            url("decision_create", self.chiefs.pk), self.body(grant_amount="1000")
        )
        assert response.status_code == 422
        assert Decision.objects.count() == 2

    def test_the_mandate_basis_is_required(self) -> None:
        self.login(self.chief)
        response = self.client.post(
            url("decision_create", self.steering.pk), self.body(mandate_basis="")
        )
        assert response.status_code == 422
        assert "mandate_basis" in response.context["form"].errors
        response = self.client.post(
            url("decision_create", self.steering.pk),
            self.body(grant_amount="x", decided_on="nope"),
        )
        assert response.status_code == 422
        assert not Decision.objects.exists()

    def test_a_member_gets_403_an_outsider_404_and_get_shows_the_form(self) -> None:
        create = url("decision_create", self.steering.pk)
        for staff in (self.leader, self.teacher, self.director):
            with self.subTest(staff.full_name):
                self.login(staff)
                assert self.client.get(create).status_code == 403
                assert self.client.post(create, self.body()).status_code == 403
        self.login(self.outsider)
        assert self.client.post(create, self.body()).status_code == 404
        self.login(self.chief)
        assert self.client.put(create).status_code == 405
        assert not Decision.objects.exists()


class FollowUpTests(ForumCase):
    def setUp(self) -> None:
        super().setUp()
        self.decision = actions.do_record_decision(
            actor=self.chief,
            forum=self.chiefs,
            text="Map every handover at 18.",
            mandate_basis="Who acts",
            decided_on=today() - dt.timedelta(days=14),
        )

    def test_the_chair_adds_follow_ups_and_an_overdue_one_is_flagged(self) -> None:
        self.login(self.chief)
        add = url("follow_up_create", self.decision.pk)
        response = self.client.post(
            add,
            {
                "title": "Map the handovers",
                "owner": self.leader.pk,
                "due_on": (today() - dt.timedelta(days=1)).isoformat(),
            },
        )
        self.assertRedirects(response, url("decision", self.decision.pk))
        follow_up = FollowUp.objects.get(decision=self.decision)
        self.login(self.teacher)
        page = self.client.get(url("decision", self.decision.pk))
        self.assertContains(page, 'data-overdue="true"', count=1)
        self.assertNotContains(page, f'action="{url("follow_up_done", follow_up.pk)}"')
        assert self.client.post(url("follow_up_done", follow_up.pk)).status_code == 403
        detail = self.client.get(url("detail", self.chiefs.pk))
        self.assertContains(detail, 'data-testid="overdue-follow-ups"')
        # The owner marks it done.
        self.login(self.leader)
        response = self.client.post(url("follow_up_done", follow_up.pk))
        self.assertRedirects(response, url("decision", self.decision.pk))
        follow_up.refresh_from_db()
        assert follow_up.done_on == today()
        self.assertNotContains(
            self.client.get(url("decision", self.decision.pk)), 'data-overdue="true"'
        )

    def test_access_and_bad_input(self) -> None:
        add = url("follow_up_create", self.decision.pk)
        body = {"title": "X", "owner": self.leader.pk, "due_on": today().isoformat()}
        self.login(self.leader)
        assert self.client.post(add, body).status_code == 403
        self.login(self.outsider)
        assert self.client.post(add, body).status_code == 404
        assert self.client.get(url("decision", self.decision.pk)).status_code == 404
        self.login(self.chief)
        assert self.client.get(add).status_code == 405
        response = self.client.post(add, {**body, "due_on": "2000-01-01"})
        assert response.status_code == 422
        assert "due_on" in response.context["form"].errors
        response = self.client.post(add, {**body, "owner": self.outsider.pk})
        assert response.status_code == 422
        assert not FollowUp.objects.exists()
