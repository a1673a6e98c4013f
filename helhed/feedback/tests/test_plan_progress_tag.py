"""The plan page's FIT summary: latest totals against the cut-off, the reading, the flag."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helhed.feedback.tests.base import FeedbackTestCase

TEMPLATE = Template("{% load plan_feedback %}{% plan_progress plan %}")


class PlanProgressTagTests(FeedbackTestCase):
    def render(self, user: User | AnonymousUser) -> str:
        request = RequestFactory().get("/")
        request.user = user
        return TEMPLATE.render(Context({"plan": self.plan, "request": request}))

    def test_it_summarises_the_latest_total_and_flags_a_child_not_improving(self) -> None:
        self.add_rating([5, 4, 5, 4], days_ago=60)
        self.add_rating([5, 5, 5, 5], days_ago=30)
        self.add_rating([6, 5, 6, 5], days_ago=1)
        assert self.caseworker.user is not None
        html = self.render(self.caseworker.user)
        assert "22.0" in html
        assert "cut-off 28.0" in html
        assert "below cut-off" in html
        assert "No reliable change" in html
        assert 'data-testid="flag-not-improving"' in html
        assert "Not improving after 3 ratings" in html
        assert reverse("feedback:rate", args=[self.plan.pk]) in html
        assert reverse("feedback:progress", args=[self.plan.pk]) in html

    def test_a_member_without_ratings_says_so(self) -> None:
        assert self.caseworker.user is not None
        assert "No ratings yet." in self.render(self.caseworker.user)

    def test_readers_get_no_rate_link_and_the_family_is_asked_to_give_one(self) -> None:
        assert self.teacher.user is not None
        assert reverse("feedback:rate", args=[self.plan.pk]) not in self.render(self.teacher.user)
        assert "Give a rating" in self.render(self.guardian)

    def test_its_queries_do_not_grow_with_the_ratings(self) -> None:
        assert self.caseworker.user is not None
        user = self.caseworker.user
        self.add_rating([5, 5, 5, 5], days_ago=60)
        self.render(user)  # the user's own records are cached on it after the first time
        with CaptureQueriesContext(connection) as few:
            self.render(user)
        for days in (50, 30, 1):
            self.add_rating([5, 5, 5, 5], days_ago=days)
            self.add_rating([8, 8, 8, 8], scale=self.samarbejde, days_ago=days)
        with CaptureQueriesContext(connection) as many:
            self.render(user)
        assert len(many) == len(few)
