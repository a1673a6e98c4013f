"""The obstacle board's pages: who sees a board, who raises, takes, settles and escalates."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse

from helhed.forums.actions import board as actions
from helhed.forums.models import Item, ItemEvent
from helhed.forums.tests.board_case import ForumCase
from helhed.test import synthetic_cpr


class BoardPageTests(ForumCase):
    def url(self) -> str:
        return reverse("forums:board", args=[self.leaders.pk])

    def test_members_and_staff_of_its_units_see_the_board(self) -> None:
        item = self.raise_item()
        for staff in (self.caseworker, self.teacher, self.colleague, self.chief):
            with self.subTest(staff.first_name):
                self.login(staff)
                response = self.client.get(self.url())
                assert response.status_code == 200
                assert item.title in response.content.decode()

    def test_staff_outside_its_units_and_outsiders_get_404(self) -> None:
        for staff in (self.nurse, self.outsider, self.politician):
            with self.subTest(staff.first_name):
                self.login(staff)
                assert self.client.get(self.url()).status_code == 404
        self.login(self.admin)
        assert self.client.get(self.url()).status_code == 404

    def test_it_shows_open_items_by_status_and_the_closed_ones(self) -> None:
        waiting = self.raise_item(title="Venter på en leder")
        taken = self.raise_item(title="Er taget af chefen")
        done = self.raise_item(title="Er løst for længst")
        actions.do_take_item(actor=self.chief, item=taken)
        actions.do_resolve_item(actor=self.leader, item=done, reason="Aftalt i ledergruppen.")
        self.login(self.teacher)
        response = self.client.get(self.url())
        assert [i.title for i in response.context["waiting"]] == [waiting.title]
        assert [i.title for i in response.context["taken"]] == [taken.title]
        assert [i.title for i in response.context["page"]] == [done.title]
        assert response.context["stats"].median_days == 0
        filtered = self.client.get(self.url(), {"status": "declined"})
        assert list(filtered.context["page"]) == []
        searched = self.client.get(self.url(), {"q": "løst"})
        assert [i.title for i in searched.context["page"]] == [done.title]

    def test_wrong_method_is_405(self) -> None:
        self.login(self.teacher)
        assert self.client.post(self.url()).status_code == 405


class RaiseTests(ForumCase):
    def form(self, **changes: object) -> dict[str, object]:
        data: dict[str, object] = {
            "forum": self.leaders.pk,
            "kind": "obstacle",
            "title": "Ingen betaler for transport",
            "description": "Skole og socialforvaltning er uenige om betalingen.",
            "category": "budget",
            "affected": "Børn i dagbehandling",
        }
        data.update(changes)
        return data

    def test_any_staff_member_raises_an_item(self) -> None:
        self.login(self.nurse)  # does not see the board, may still raise on it
        response = self.client.post(reverse("forums:item_raise"), self.form())
        item = Item.objects.get()
        self.assertRedirects(response, reverse("forums:item", args=[item.pk]))
        assert item.raised_by == self.nurse
        assert self.client.get(reverse("forums:item", args=[item.pk])).status_code == 200

    def test_the_form_warns_and_a_cpr_number_is_refused(self) -> None:
        self.login(self.teacher)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the warning in English
        page = self.client.get(reverse("forums:board", args=[self.leaders.pk]))
        assert "Never name a citizen" in page.content.decode()
        assert f'<input type="hidden" name="forum" value="{self.leaders.pk}">' in (
            page.content.decode()
        )
        cpr = synthetic_cpr(dt.date(2012, 1, 3), "M")
        response = self.client.post(
            reverse("forums:item_raise"), self.form(affected=f"Drengen {cpr}")
        )
        assert response.status_code == 422
        assert "CPR" in response.content.decode()
        assert not Item.objects.exists()

    def test_bad_input_is_an_error_not_a_crash(self) -> None:
        self.login(self.teacher)
        bad = [
            self.form(title=""),
            self.form(forum=2**70),
            self.form(forum="x"),
            self.form(category="weather"),
            self.form(description="\x00"),
        ]
        for data in bad:
            with self.subTest(data):
                # A NUL character is refused by the middleware (400) before the form.
                status = self.client.post(reverse("forums:item_raise"), data).status_code
                assert status in (400, 422)
        assert not Item.objects.exists()

    def test_an_outsider_cannot_raise_on_our_forums(self) -> None:
        self.login(self.outsider)
        page = self.client.get(reverse("forums:item_raise"))
        assert self.leaders.name not in page.content.decode()
        assert self.client.post(reverse("forums:item_raise"), self.form()).status_code == 422
        assert not Item.objects.exists()
        self.login(self.admin)  # no staff record
        assert self.client.get(reverse("forums:item_raise")).status_code == 404


class TakeAndSettleTests(ForumCase):
    def test_only_a_leader_who_is_a_member_takes(self) -> None:
        item = self.raise_item()
        url = reverse("forums:item_take", args=[item.pk])
        for staff in (self.teacher, self.caseworker, self.director):
            with self.subTest(staff.first_name):
                self.login(staff)
                expected = 404 if staff == self.director else 403
                assert self.client.post(url).status_code == expected
        self.login(self.chief)
        assert self.client.get(url).status_code == 405
        self.assertRedirects(self.client.post(url), reverse("forums:item", args=[item.pk]))
        item.refresh_from_db()
        assert (item.status, item.taken_by) == (Item.Status.TAKEN, self.chief)

    def test_only_the_taker_or_the_chair_settles(self) -> None:
        item = self.raise_item()
        actions.do_take_item(actor=self.chief, item=item)
        url = reverse("forums:item_settle", args=[item.pk])
        data = {"outcome": "resolve", "reason": "Aftalt: skolen betaler i år."}
        for staff in (self.caseworker, self.teacher):
            with self.subTest(staff.first_name):
                self.login(staff)
                assert self.client.post(url, data).status_code == 403
        self.login(self.leader)  # the chair
        self.assertRedirects(self.client.post(url, data), reverse("forums:item", args=[item.pk]))
        item.refresh_from_db()
        assert item.status == Item.Status.RESOLVED
        assert item.outcome == "Aftalt: skolen betaler i år."

    def test_a_reason_is_required(self) -> None:
        item = self.raise_item()
        actions.do_take_item(actor=self.chief, item=item)
        self.login(self.chief)
        url = reverse("forums:item_settle", args=[item.pk])
        for data in ({"outcome": "decline", "reason": ""}, {"outcome": "nope", "reason": "x" * 20}):
            with self.subTest(data):
                assert self.client.post(url, data).status_code == 422
        assert Item.objects.get().status == Item.Status.TAKEN

    def test_escalating_moves_the_item_and_the_page_shows_both_forums(self) -> None:
        item = self.raise_item()
        actions.do_take_item(actor=self.chief, item=item)
        self.login(self.chief)
        response = self.client.post(
            reverse("forums:item_settle", args=[item.pk]),
            {"outcome": "escalate", "reason": "Kræver styregruppens budget."},
        )
        self.assertRedirects(response, reverse("forums:item", args=[item.pk]))
        item.refresh_from_db()
        assert item.forum == self.steering
        page = self.client.get(reverse("forums:item", args=[item.pk]))
        chapters = page.context["chapters"]
        assert [c.forum for c in chapters] == [self.leaders, self.steering]
        html = page.content.decode()
        assert "Kræver styregruppens budget." in html
        assert "Styregruppen" in html and "Daglig ledergruppe" in html

    def test_escalating_from_a_forum_without_a_next_one_is_refused(self) -> None:
        item = self.raise_item(forum=self.steering, by=self.director)
        self.login(self.director)  # the chair
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the message in English
        response = self.client.post(
            reverse("forums:item_settle", args=[item.pk]),
            {"outcome": "escalate", "reason": "Videre til byrådet."},
        )
        assert response.status_code == 422
        assert "escalates to no other forum" in response.content.decode()
        item.refresh_from_db()
        assert (item.forum, item.status) == (self.steering, Item.Status.OPEN)


class VisibilityTests(ForumCase):
    def escalated(self) -> Item:
        item = self.raise_item()  # by the teacher
        actions.do_escalate_item(actor=self.leader, item=item, reason="Kræver styregruppen.")
        return item

    def test_the_raiser_still_sees_the_item_after_escalation(self) -> None:
        item = self.escalated()
        self.login(self.teacher)
        response = self.client.get(reverse("forums:item", args=[item.pk]))
        assert response.status_code == 200
        assert response.context["item"].forum == self.steering
        assert self.client.get(reverse("forums:board", args=[self.steering.pk])).status_code == 404
        mine = self.client.get(reverse("forums:obstacles_mine"))
        assert [i.pk for i in mine.context["raised"]] == [item.pk]

    def test_others_outside_the_new_forum_get_404(self) -> None:
        item = self.escalated()
        for staff in (self.colleague, self.nurse, self.outsider):
            with self.subTest(staff.first_name):
                self.login(staff)
                assert self.client.get(reverse("forums:item", args=[item.pk])).status_code == 404
        self.login(self.director)
        assert self.client.get(reverse("forums:item", args=[item.pk])).status_code == 200

    def test_my_obstacles_lists_what_i_took(self) -> None:
        item = self.raise_item()
        actions.do_take_item(actor=self.chief, item=item)
        self.login(self.chief)
        mine = self.client.get(reverse("forums:obstacles_mine"))
        assert mine.status_code == 200
        assert [i.pk for i in mine.context["taken"]] == [item.pk]
        assert list(mine.context["raised"]) == []
        self.login(self.outsider)
        assert self.client.get(reverse("forums:obstacles_mine")).status_code == 200
        assert self.client.post(reverse("forums:obstacles_mine")).status_code == 405
        assert ItemEvent.objects.filter(kind=ItemEvent.Kind.TAKEN).count() == 1
