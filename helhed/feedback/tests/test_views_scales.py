"""The scales page: definitions for everyone, enabling for the municipality's leaders."""

from __future__ import annotations

from django.urls import reverse

from helhed.feedback.models import ScaleActivation
from helhed.feedback.tests.base import FeedbackTestCase

URL = reverse("feedback:scales")


class ScalesPageTests(FeedbackTestCase):
    def section(self, html: str, code: str) -> str:
        return html.split(f'data-testid="scale-{code}"')[1].split("</section>")[0]

    def test_it_shows_the_definitions_and_whether_they_are_enabled(self) -> None:
        self.login(self.caseworker)
        html = self.client.get(URL).content.decode()
        ors = self.section(html, "ors")
        for text in (
            "Individually",
            "0 to 10 per item; total 0 to 40",
            "25.0",
            "5.0",
            "18 and over",
        ):
            assert text in ors, text
        assert "Licensed per user by the authors" in ors
        assert "enabled since" in ors
        cors = self.section(html, "cors")
        assert "28.0" in cors and "6.0" in cors and "6 to 17" in cors
        assert "36.0" in self.section(html, "srs")
        assert "not enabled" in self.section(html, "csrs")
        assert 'name="enabled"' not in html  # read only: no enable or disable buttons

    def test_a_leader_enables_and_disables_a_scale(self) -> None:
        self.login(self.leader)
        html = self.client.get(URL).content.decode()
        assert 'name="enabled" value="1"' in self.section(html, "csrs")
        response = self.client.post(URL, {"scale": "csrs", "enabled": "1"})
        assert response.status_code == 302
        assert ScaleActivation.objects.filter(scale=self.csrs, municipality__code=230).exists()
        self.client.post(URL, {"scale": "csrs", "enabled": "0"})
        assert not ScaleActivation.objects.filter(scale=self.csrs).exists()

    def test_others_read_only_and_get_403_on_post(self) -> None:
        for user in (self.caseworker, self.teacher, self.outsider, self.admin, self.guardian):
            with self.subTest(user=user):
                self.login(user)
                assert self.client.get(URL).status_code == 200
                response = self.client.post(URL, {"scale": "csrs", "enabled": "1"})
                assert response.status_code == 403
        assert not ScaleActivation.objects.filter(scale=self.csrs).exists()

    def test_another_municipality_sees_its_own_activations(self) -> None:
        self.login(self.outsider)
        html = self.client.get(URL).content.decode()
        assert "enabled since" not in html

    def test_wrong_method_is_405(self) -> None:
        self.login(self.leader)
        assert self.client.delete(URL).status_code == 405
