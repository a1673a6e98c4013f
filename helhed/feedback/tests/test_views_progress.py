"""The progress page: a chart and a table of the same numbers per member and scale."""

from __future__ import annotations

from django.test import override_settings
from django.urls import reverse

from helhed.feedback.tests.base import FeedbackTestCase


class ProgressPageTests(FeedbackTestCase):
    def url(self, plan_id: int | None = None) -> str:
        return reverse("feedback:progress", args=[plan_id or self.plan.pk])

    def flat_series(self) -> None:
        """Three CORS ratings below 28 without a reliable improvement (+4 < 6)."""
        self.add_rating([5, 4, 5, 4], days_ago=60)  # 18
        self.add_rating([5, 5, 5, 5], days_ago=30)  # 20
        self.add_rating([6, 5, 6, 5], days_ago=1)  # 22

    def test_it_shows_the_chart_and_the_table(self) -> None:
        self.flat_series()
        self.add_rating([8, 8, 8, 8], scale=self.samarbejde, days_ago=1, given_by="Mette")
        self.login(self.caseworker)
        response = self.client.get(self.url())
        html = response.content.decode()
        assert response.status_code == 200
        cors = html.split('data-testid="series-cors"')[1].split("</article>")[0]
        assert cors.count("<svg") == 1
        assert 'role="img"' in cors
        assert "<table>" in cors
        rows = cors.split("<tbody>")[1]
        assert rows.count("<tr>") == 3
        for text in ("18.0", "20.0", "22.0", "+2.0", "+4.0", "First rating", "No reliable change"):
            assert text in rows, text
        assert "below cut-off" in rows
        assert "Cut-off 28.0: a total below it is in the clinical range." in cors
        assert "(12.0 to 24.0)" in cors  # the band: 18 ± 6
        # One chart per series: the collaboration scale has its own.
        assert html.count("<svg") == 2
        assert 'data-testid="series-samarbejde"' in html

    def test_it_states_the_not_improving_flag_in_words(self) -> None:
        self.flat_series()
        self.login(self.caseworker)
        html = self.client.get(self.url()).content.decode()
        assert 'data-testid="not-improving"' in html
        assert (
            "After 3 ratings, Alma's total has not improved by 6.0 or more since the first "
            "rating and is still below the cut-off of 28.0." in html
        )

    def test_a_reliable_deterioration_is_flagged(self) -> None:
        self.add_rating([9, 9, 9, 9], days_ago=60)  # 36
        self.add_rating([8, 8, 8, 8], days_ago=30)  # 32
        self.add_rating([7, 7, 8, 7], days_ago=1)  # 29: -7, still above 28
        self.login(self.caseworker)
        html = self.client.get(self.url()).content.decode()
        assert "has fallen by 7.0 points since the first rating" in html
        assert "Reliably deteriorated" in html

    def test_a_reliable_improvement_is_said_and_not_flagged(self) -> None:
        self.add_rating([4, 4, 4, 4], days_ago=60)  # 16
        self.add_rating([5, 5, 5, 5], days_ago=30)
        self.add_rating([6, 6, 5, 6], days_ago=1)  # 23: +7
        self.login(self.caseworker)
        html = self.client.get(self.url()).content.decode()
        assert 'data-testid="not-improving"' not in html
        assert "improved reliably: 7.0 points" in html

    @override_settings(HELHED_FIT_NOT_IMPROVING_AFTER=4)
    def test_the_number_of_sessions_before_the_flag_is_a_setting(self) -> None:
        self.flat_series()
        self.login(self.caseworker)
        assert 'data-testid="not-improving"' not in self.client.get(self.url()).content.decode()

    def test_members_without_ratings_are_listed(self) -> None:
        self.login(self.caseworker)
        html = self.client.get(self.url()).content.decode()
        assert "No ratings yet." in html
        assert "<svg" not in html

    def test_a_reader_sees_progress_but_no_rate_button(self) -> None:
        self.flat_series()
        self.login(self.teacher)
        response = self.client.get(self.url())
        assert response.status_code == 200
        assert reverse("feedback:rate", args=[self.plan.pk]) not in response.content.decode()

    def test_the_family_sees_their_childs_progress(self) -> None:
        self.flat_series()
        self.login(self.guardian)
        response = self.client.get(self.url())
        assert response.status_code == 200
        assert "<svg" in response.content.decode()
        assert self.client.get(self.url(self.other_plan.pk)).status_code == 404

    def test_those_without_a_relation_get_404(self) -> None:
        for user in (self.outsider, self.colleague, self.other_guardian):
            with self.subTest(user=user):
                self.login(user)
                assert self.client.get(self.url()).status_code == 404

    def test_wrong_method_is_405(self) -> None:
        self.login(self.caseworker)
        assert self.client.post(self.url()).status_code == 405
