"""Everyday stories: writing, the anonymisation check, the leader's decision, pages and API."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.plans.actions.stories import (
    do_decide_story,
    do_propose_story_for_sharing,
    do_write_story,
    names_in_text,
)
from helhed.plans.models import Goal, Story
from helhed.plans.tests.test_meeting_actions import MeetingCase
from helhed.test import make_plan, make_staff

STORY = "Alma came to school on time every day this week, and Mette said mornings are calmer."
ANONYMISED = (
    "A girl came to school on time every day this week; her mother says mornings are calmer."
)


class StoryCase(MeetingCase):
    def write(self, **changes: Any) -> Story:
        arguments: dict[str, Any] = {
            "actor": self.caseworker,
            "plan": self.plan,
            "title": "A calm week",
            "text": STORY,
            "told_by": "Alma's mother",
        }
        arguments.update(changes)
        return do_write_story(**arguments)

    def propose(self, story: Story, text: str = ANONYMISED) -> Story:
        return do_propose_story_for_sharing(
            actor=self.caseworker, story=story, anonymised_text=text
        )


class StoryRuleTests(StoryCase):
    def test_a_story_is_written_into_the_plan_about_a_goal(self) -> None:
        goal = Goal.objects.create(
            plan=self.plan,
            text="Jeg vil komme i skole",
            formulated_by=Goal.FormulatedBy.CHILD,
            formulated_by_name="Alma",
            target_date="2030-01-01",
        )
        story = self.write(goal=goal)
        assert (story.plan, story.goal, story.written_by) == (self.plan, goal, self.caseworker)
        assert story.sharing == Story.Sharing.PRIVATE

    def test_the_anonymised_text_must_not_name_the_family(self) -> None:
        story = self.write()
        for text, names in (
            ("alma was glad", "Alma"),
            ("The JENSEN family", "Jensen"),
            ("Her mother Mette", "Mette"),
            ("Alma and Mette", "Alma, Mette"),
        ):
            with self.subTest(text=text), self.assertRaises(ValidationError) as caught:
                self.propose(story, text)
            message = caught.exception.message_dict["anonymised_text"][0]
            assert f"({names})" in message
        story.refresh_from_db()
        assert (story.sharing, story.anonymised_text) == (Story.Sharing.PRIVATE, "")

    def test_names_are_matched_as_whole_words_only(self) -> None:
        assert names_in_text(self.plan, "Almanakken og Jensens-bageriet") == []
        assert names_in_text(self.plan, "(Alma)") == ["Alma"]

    def test_the_anonymised_text_is_required(self) -> None:
        with self.assertRaises(ValidationError):
            self.propose(self.write(), "   ")

    def test_only_the_author_proposes(self) -> None:
        story = self.write()
        with self.assertRaises(ValidationError):
            do_propose_story_for_sharing(
                actor=self.colleague, story=story, anonymised_text=ANONYMISED
            )

    def test_proposing_records_the_authors_unit_and_its_leader_decides(self) -> None:
        story = self.propose(self.write())
        assert (story.sharing, story.sharing_unit) == (Story.Sharing.PROPOSED, self.family_dept)
        from helhed import policy

        assert policy.can_decide_story(self.chief.user, story)  # leads the administration
        assert not policy.can_decide_story(self.leader.user, story)  # leads the school
        do_decide_story(actor=self.chief, story=story, share=True)
        story.refresh_from_db()
        assert (story.sharing, story.sharing_decided_by) == (Story.Sharing.SHARED, self.chief)
        with self.assertRaises(ValidationError):
            do_decide_story(actor=self.chief, story=story, share=False)

    def test_a_leader_can_decline(self) -> None:
        story = self.propose(self.write())
        do_decide_story(actor=self.chief, story=story, share=False)
        story.refresh_from_db()
        assert story.sharing == Story.Sharing.DECLINED


class StoryPagesTests(StoryCase):
    def test_writing_a_story(self) -> None:
        url = reverse("plans:story_create", args=[self.plan.pk])
        self.login(self.caseworker)
        assert self.client.get(url).status_code == 200
        response = self.client.post(url, {"title": "", "text": STORY})
        assert response.status_code == 400
        assert not Story.objects.exists()
        response = self.client.post(url, {"title": "A calm week", "text": STORY, "told_by": "x"})
        story = Story.objects.get()
        self.assertRedirects(response, reverse("plans:story_detail", args=[story.pk]))

    def test_writing_access(self) -> None:
        url = reverse("plans:story_create", args=[self.plan.pk])
        self.login(self.teacher)  # reads the plan, takes no part
        assert self.client.post(url, {"title": "t", "text": "x"}).status_code == 403
        self.login(self.outsider)
        assert self.client.get(url).status_code == 404
        self.login(self.caseworker)
        assert self.client.put(url).status_code == 405
        assert not Story.objects.exists()

    def test_the_story_is_read_by_plan_readers_only(self) -> None:
        url = reverse("plans:story_detail", args=[self.write().pk])
        self.login(self.teacher)
        self.assertContains(self.client.get(url), "Mette said mornings are calmer")
        for who in (self.outsider, self.leader, self.guardian):
            self.login(who)
            assert self.client.get(url).status_code == 404

    def test_proposing_shows_the_name_error_beside_the_field(self) -> None:
        story = self.write()
        url = reverse("plans:story_propose", args=[story.pk])
        self.login(self.caseworker)
        assert self.client.get(url).status_code == 200
        response = self.client.post(url, {"anonymised_text": "Alma was glad"})
        assert response.status_code == 400
        self.assertContains(response, "still names the family (Alma)", status_code=400)
        self.assertContains(response, 'class="field-error"', status_code=400)
        response = self.client.post(url, {"anonymised_text": ANONYMISED})
        assert response.status_code == 302
        story.refresh_from_db()
        assert story.sharing == Story.Sharing.PROPOSED

    def test_only_the_author_may_propose(self) -> None:
        story = self.write()
        url = reverse("plans:story_propose", args=[story.pk])
        self.login(self.teacher)
        assert self.client.post(url, {"anonymised_text": ANONYMISED}).status_code == 403
        self.login(self.outsider)
        assert self.client.post(url, {"anonymised_text": ANONYMISED}).status_code == 404

    def test_the_leader_sees_only_the_anonymised_text_and_decides(self) -> None:
        story = self.propose(self.write())
        self.login(self.chief)
        response = self.client.get(reverse("plans:stories"))
        assert response.status_code == 200
        self.assertContains(response, "Stories proposed for sharing")
        self.assertContains(response, "her mother says mornings are calmer")
        for hidden in ("Alma", "Mette", "Jensen", self.plan.title):
            self.assertNotContains(response, hidden)
        decide = reverse("plans:story_decide", args=[story.pk])
        assert self.client.get(decide).status_code == 405
        response = self.client.post(decide, {"decision": "share"})
        self.assertRedirects(response, reverse("plans:stories"))
        story.refresh_from_db()
        assert story.sharing == Story.Sharing.SHARED

    def test_another_leader_cannot_decide(self) -> None:
        story = self.propose(self.write())
        decide = reverse("plans:story_decide", args=[story.pk])
        for who in (self.leader, self.caseworker, self.outsider):
            self.login(who)
            assert self.client.post(decide, {"decision": "share"}).status_code == 404
        story.refresh_from_db()
        assert story.sharing == Story.Sharing.PROPOSED

    def test_shared_stories_are_read_anonymised_across_the_municipality(self) -> None:
        story = self.propose(self.write())
        do_decide_story(actor=self.chief, story=story, share=True)
        self.login(self.colleague)
        response = self.client.get(reverse("plans:stories"))
        self.assertContains(response, "her mother says mornings are calmer")
        self.assertNotContains(response, "Mette said")
        self.assertNotContains(response, "Stories proposed for sharing")
        self.login(self.outsider)
        self.assertNotContains(self.client.get(reverse("plans:stories")), "mornings are calmer")
        self.login(self.guardian)
        assert self.client.get(reverse("plans:stories")).status_code == 403

    def test_the_plan_section_lists_the_plans_stories(self) -> None:
        from django.template import Context, Template
        from django.test import RequestFactory

        self.write()
        other_plan = make_plan(self.bror, coordinator=self.colleague, title="Bo's plan")
        do_write_story(actor=self.colleague, plan=other_plan, title="Other", text="Other story")
        request = RequestFactory().get("/")
        request.user = self.caseworker.user  # type: ignore[assignment]
        html = Template("{% load plan_stories %}{% plan_stories plan %}").render(
            Context({"plan": self.plan, "request": request})
        )
        assert "A calm week" in html and "Other story" not in html
        assert reverse("plans:story_create", args=[self.plan.pk]) in html
        assert reverse("plans:story_propose", args=[Story.objects.get(plan=self.plan).pk]) in html


class StoryApiTests(ApiTestCase, StoryCase):
    def test_writing_a_story_through_the_api(self) -> None:
        body = {"plan_id": self.plan.pk, "title": "A calm week", "text": STORY}
        assert self.api("post", "/api/stories", as_=self.teacher, body=body).status_code == 403
        assert self.api("post", "/api/stories", as_=self.outsider, body=body).status_code == 404
        response = self.api("post", "/api/stories", as_=self.caseworker, body=body)
        assert response.status_code == 201
        assert response.json()["sharing"] == "private"

    def test_the_shared_list_holds_anonymised_text_only(self) -> None:
        story = self.propose(self.write())
        assert self.api("get", "/api/stories", as_=self.colleague).json()["count"] == 0
        do_decide_story(actor=self.chief, story=story, share=True)
        body = self.api("get", "/api/stories", as_=self.colleague).json()
        assert body["items"] == [
            {
                "id": story.pk,
                "title": "A calm week",
                "anonymised_text": ANONYMISED,
                "written_on": story.written_on.isoformat(),
            }
        ]
        assert self.api("get", "/api/stories", as_=self.outsider).json()["count"] == 0

    def test_propose_and_decide_through_the_api(self) -> None:
        story = self.write()
        url = f"/api/stories/{story.pk}/propose"
        response = self.api("post", url, as_=self.caseworker, body={"anonymised_text": "Alma"})
        assert response.status_code == 422
        response = self.api("post", url, as_=self.caseworker, body={"anonymised_text": ANONYMISED})
        assert response.status_code == 200
        decide = f"/api/stories/{story.pk}/decide"
        assert self.api("post", decide, as_=self.leader, body={"share": True}).status_code == 404
        response = self.api("post", decide, as_=self.chief, body={"share": True})
        assert response.status_code == 200
        assert "text" not in response.json()


class SharingUnitTests(StoryCase):
    def test_the_unit_the_author_takes_part_in_the_plan_for_comes_first(self) -> None:
        from helhed.plans.models import Participant
        from helhed.test import assign

        author = make_staff("Pia", unit=self.family_dept, role="caseworker", username="pia")
        assign(author, self.school, "teacher")
        Participant.objects.create(plan=self.plan, staff=author, unit=self.school)
        story = self.write(actor=author)
        do_propose_story_for_sharing(actor=author, story=story, anonymised_text=ANONYMISED)
        story.refresh_from_db()
        assert story.sharing_unit == self.school
