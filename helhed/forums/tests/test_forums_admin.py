"""Forums and decisions in the admin: readable, but never added, changed or deleted there."""

from __future__ import annotations

from django.urls import reverse

from helhed.forums.models import Decision
from helhed.forums.tests.test_forums_actions import ForumCase


class ForumAdminTests(ForumCase):
    def test_an_administrator_reads_forums_and_decisions_but_cannot_change_them(self) -> None:
        decision = self.grant(100_000, text="The trial is funded.")
        self.login(self.admin)
        listing = self.client.get(reverse("admin:forums_forum_changelist"))
        self.assertContains(listing, "Styregruppen")
        page = self.client.get(reverse("admin:forums_forum_change", args=[self.steering.pk]))
        self.assertContains(page, self.chief.full_name)  # the members, read-only
        self.assertNotContains(page, 'name="_save"')
        assert self.client.get(reverse("admin:forums_forum_add")).status_code == 403
        change = reverse("admin:forums_decision_change", args=[decision.pk])
        self.assertContains(self.client.get(change), "The trial is funded.")
        assert self.client.post(change, {"text": "Edited"}).status_code == 403
        delete = reverse("admin:forums_decision_delete", args=[decision.pk])
        assert self.client.post(delete, {"post": "yes"}).status_code == 403
        decision.refresh_from_db()
        assert decision.text == "The trial is funded."
        assert Decision.objects.filter(pk=decision.pk).exists()
