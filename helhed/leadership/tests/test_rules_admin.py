"""The rule register in the admin: readable, but never added to, edited or deleted there."""

from __future__ import annotations

from django.urls import reverse

from helhed.leadership.models import Rule
from helhed.leadership.tests.test_rules_actions import RuleCase


class RuleAdminTests(RuleCase):
    def test_an_administrator_reads_a_rule_and_its_history_but_cannot_change_it(self) -> None:
        rule = self.register()
        self.decide(rule, decision="change", new_text="Report absence in the app before 8.")
        self.login(self.admin)
        listing = self.client.get(reverse("admin:leadership_rule_changelist"))
        self.assertContains(listing, rule.title)
        page = self.client.get(reverse("admin:leadership_rule_change", args=[rule.pk]))
        self.assertContains(page, "Parents call the school office before 8")  # previous text
        self.assertNotContains(page, 'name="_save"')
        assert self.client.get(reverse("admin:leadership_rule_add")).status_code == 403
        delete = reverse("admin:leadership_rule_delete", args=[rule.pk])
        assert self.client.post(delete, {"post": "yes"}).status_code == 403
        change = reverse("admin:leadership_rule_change", args=[rule.pk])
        assert self.client.post(change, {"title": "Edited"}).status_code == 403
        rule.refresh_from_db()
        assert rule.title != "Edited"
        assert Rule.objects.filter(pk=rule.pk).exists()
