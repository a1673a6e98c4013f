"""The obstacle board's rules: raising, taking, escalating with history, time to resolution."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from helhed.forums.actions import board as actions
from helhed.forums.models import Item, ItemEvent
from helhed.forums.tests.board_case import ForumCase
from helhed.lib.validity import today
from helhed.test import synthetic_cpr


class RaiseTests(ForumCase):
    def test_raising_starts_the_history_on_the_forum(self) -> None:
        item = self.raise_item()
        assert item.status == Item.Status.OPEN
        assert item.forum == self.leaders
        assert [(e.kind, e.forum, e.by) for e in item.events.all()] == [
            (ItemEvent.Kind.RAISED, self.leaders, self.teacher)
        ]

    def test_it_refuses_a_cpr_number_in_any_text(self) -> None:
        cpr = synthetic_cpr(dt.date(2014, 5, 17))
        for field in ("title", "description", "affected"):
            with self.subTest(field), self.assertRaises(ValidationError) as caught:
                text = f"Drengen {cpr} venter"
                if field == "title":
                    self.raise_item(title=text)
                elif field == "description":
                    self.raise_item(description=text)
                else:
                    self.raise_item(affected=text)
            assert field in caught.exception.message_dict
        assert not Item.objects.exists()

    def test_it_refuses_an_inactive_or_foreign_forum(self) -> None:
        self.steering.is_active = False
        self.steering.save(update_fields=["is_active"])
        with self.assertRaises(ValidationError) as caught:
            self.raise_item(forum=self.steering)
        assert "forum" in caught.exception.message_dict
        with self.assertRaises(ValidationError):
            self.raise_item(by=self.outsider)


class EscalationTests(ForumCase):
    def test_escalation_moves_the_item_and_keeps_one_history(self) -> None:
        item = self.raise_item()
        actions.do_take_item(actor=self.chief, item=item)
        actions.do_escalate_item(
            actor=self.chief, item=item, reason="Kræver en beslutning om budgettet."
        )
        item.refresh_from_db()
        assert item.forum == self.steering
        assert item.status == Item.Status.OPEN
        assert item.taken_by is None
        actions.do_take_item(actor=self.director, item=item)
        actions.do_resolve_item(
            actor=self.director, item=item, reason="Skolen betaler, socialforvaltningen refunderer."
        )
        events = list(item.events.order_by("at", "pk"))
        assert [(e.kind, e.forum, e.to_forum, e.by) for e in events] == [
            (ItemEvent.Kind.RAISED, self.leaders, None, self.teacher),
            (ItemEvent.Kind.TAKEN, self.leaders, None, self.chief),
            (ItemEvent.Kind.ESCALATED, self.leaders, self.steering, self.chief),
            (ItemEvent.Kind.TAKEN, self.steering, None, self.director),
            (ItemEvent.Kind.RESOLVED, self.steering, None, self.director),
        ]
        assert events[2].note == "Kræver en beslutning om budgettet."
        chapters = actions.history_by_forum(item)
        assert [c.forum for c in chapters] == [self.leaders, self.steering]
        assert Item.objects.count() == 1

    def test_escalation_without_a_next_forum_is_refused(self) -> None:
        item = self.raise_item(forum=self.steering)
        with self.assertRaises(ValidationError) as caught:
            actions.do_escalate_item(actor=self.director, item=item, reason="Videre, tak, nu.")
        assert "forum" in caught.exception.message_dict
        item.refresh_from_db()
        assert item.forum == self.steering
        assert item.events.count() == 1

    def test_escalating_needs_a_reason(self) -> None:
        item = self.raise_item()
        with self.assertRaises(ValidationError) as caught:
            actions.do_escalate_item(actor=self.leader, item=item, reason="  ")
        assert "reason" in caught.exception.message_dict
        assert Item.objects.get().forum == self.leaders

    def test_a_closed_item_takes_no_further_steps(self) -> None:
        item = self.raise_item()
        actions.do_decline_item(actor=self.leader, item=item, reason="Ligger uden for mandatet.")
        for step in (actions.do_escalate_item, actions.do_resolve_item, actions.do_decline_item):
            with self.subTest(step.__name__), self.assertRaises(ValidationError):
                step(actor=self.leader, item=item, reason="Endnu et forsøg her.")
        with self.assertRaises(ValidationError):
            actions.do_take_item(actor=self.chief, item=item)

    def test_a_taken_item_cannot_be_taken_again(self) -> None:
        item = self.raise_item()
        actions.do_take_item(actor=self.chief, item=item)
        with self.assertRaises(ValidationError):
            actions.do_take_item(actor=self.leader, item=item)


class TimeToResolutionTests(ForumCase):
    def closed(self, raised_days_ago: int, closed_days_ago: int, status: str) -> Item:
        item = self.raise_item()
        on = today()
        Item.objects.filter(pk=item.pk).update(
            raised_on=on - dt.timedelta(days=raised_days_ago),
            closed_on=on - dt.timedelta(days=closed_days_ago),
            status=status,
        )
        item.refresh_from_db()
        return item

    def test_days_open_counts_to_closing_or_today(self) -> None:
        item = self.closed(30, 20, Item.Status.RESOLVED)
        assert item.days_open() == 10
        open_item = self.raise_item()
        Item.objects.filter(pk=open_item.pk).update(raised_on=today() - dt.timedelta(days=7))
        open_item.refresh_from_db()
        assert open_item.days_open() == 7

    def test_the_median_counts_resolved_items_of_the_last_year(self) -> None:
        self.closed(12, 10, Item.Status.RESOLVED)  # 2 days
        self.closed(10, 4, Item.Status.RESOLVED)  # 6 days
        self.closed(40, 30, Item.Status.RESOLVED)  # 10 days
        self.closed(100, 0, Item.Status.DECLINED)  # declined: not a resolution
        self.closed(500, 400, Item.Status.RESOLVED)  # closed more than a year ago
        waiting = self.raise_item()
        Item.objects.filter(pk=waiting.pk).update(raised_on=today() - dt.timedelta(days=9))
        self.raise_item()
        stats = actions.board_stats(self.leaders)
        assert stats.resolved == 3
        assert stats.median_days == 6
        assert stats.open_count == 2
        assert sorted(stats.open_ages) == [0, 9]
        assert stats.oldest_open == 9
        assert actions.board_stats(self.steering).median_days is None
