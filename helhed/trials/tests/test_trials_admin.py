"""The trials admin: a technical administrator looks, never changes or deletes."""

from __future__ import annotations

from django.urls import reverse

from helhed.trials.tests.trial_case import TrialCase


class AdminTests(TrialCase):
    def test_the_admin_shows_trials_read_only(self) -> None:
        trial = self.make_trial()
        self.login(self.admin)
        listing = self.client.get(reverse("admin:trials_trial_changelist"))
        self.assertContains(listing, trial.title)
        change = reverse("admin:trials_trial_change", args=[trial.pk])
        assert self.client.get(change).status_code == 200
        assert self.client.get(reverse("admin:trials_trial_add")).status_code == 403
        assert self.client.post(change, {"title": "Changed"}).status_code == 403
        delete = reverse("admin:trials_trial_delete", args=[trial.pk])
        assert self.client.get(delete).status_code == 403
        trial.refresh_from_db()
        assert trial.title != "Changed"
