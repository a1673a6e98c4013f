"""The admin shows board items with their history and self-assessment rounds, read-only."""

from __future__ import annotations

from django.urls import reverse

from helhed.forums.actions.assessments import do_answer, do_open_assessment
from helhed.forums.statements import CODES
from helhed.forums.tests.board_case import ForumCase
from helhed.lib.validity import today


class BoardAdminTests(ForumCase):
    def test_items_and_rounds_are_read_only_and_answers_hidden(self) -> None:
        item = self.raise_item()
        assessment = do_open_assessment(
            actor=self.leader, forum=self.leaders, title="Før mødet", meeting_on=today()
        )
        do_answer(actor=self.chief, assessment=assessment, scores=dict.fromkeys(CODES, 2))
        self.login(self.admin)
        for name, obj in (("item", item), ("selfassessment", assessment)):
            with self.subTest(name):
                listing = self.client.get(reverse(f"admin:forums_{name}_changelist"))
                assert listing.status_code == 200
                change = self.client.get(reverse(f"admin:forums_{name}_change", args=[obj.pk]))
                assert change.status_code == 200
                assert 'name="_save"' not in change.content.decode()
                assert self.client.get(reverse(f"admin:forums_{name}_add")).status_code == 403
        change = self.client.get(reverse("admin:forums_item_change", args=[item.pk]))
        assert "Raised" in change.content.decode() or "Rejst" in change.content.decode()
