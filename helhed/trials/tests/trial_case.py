"""A shared base for the trial tests: a granting forum, a trial and a shared story."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from helhed.forums.models import Forum, ForumMember
from helhed.lib.validity import today
from helhed.plans.models import Story
from helhed.results.models import Indicator
from helhed.test import BaseTestCase, indicator, make_plan
from helhed.trials.actions import trials as actions
from helhed.trials.models import Application, Evaluation, Trial


class TrialCase(BaseTestCase):
    """The advisory meeting (chair: director, secretary: analyst, member: chief) grants
    up to DKK 250,000 at a time from DKK 400,000 a year; the leader owns a trial
    across school and family department with the teacher taking part."""

    forum: Forum
    absence: Indicator
    grades: Indicator

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.forum = Forum.objects.create(
            municipality=cls.root.municipality,
            name="Rådgivende møde",
            kind=Forum.Kind.ADVISORY_MEETING,
            cadence=Forum.Cadence.MONTHLY,
            mandate="Grants up to DKK 250,000 to a trial action.",
            yearly_budget=Decimal(400_000),
            grant_limit=Decimal(250_000),
        )
        ForumMember.objects.create(forum=cls.forum, staff=cls.director, role="chair")
        ForumMember.objects.create(forum=cls.forum, staff=cls.analyst, role="secretary")
        ForumMember.objects.create(forum=cls.forum, staff=cls.chief, role="member")
        cls.absence = indicator("fravaer-over-10")
        cls.grades = indicator("karakter-02-dansk-matematik")

    def make_trial(self, **changes: Any) -> Trial:
        data: dict[str, Any] = {
            "actor": self.leader,
            "title": "Skole og familie sammen",
            "hypothesis": "If school and family department meet weekly, absence falls.",
            "owner": self.leader,
            "units": [self.school, self.family_dept],
            "participants": [self.teacher],
            "indicators": [self.absence, self.grades],
            "starts_on": today() - dt.timedelta(days=200),
            "ends_on": today() + dt.timedelta(days=165),
            "comparison": "Two schools with the usual course",
            "budget": Decimal(300_000),
        }
        data.update(changes)
        return actions.do_create_trial(**data)

    def apply(
        self, trial: Trial, amount: int | str = 200_000, forum: Forum | None = None
    ) -> Application:
        return actions.do_apply_for_grant(
            actor=trial.owner,
            trial=trial,
            forum=forum or self.forum,
            amount=Decimal(amount),
            reason="Two coordinators for a year.",
        )

    def grant(self, application: Application, actor: Any = None) -> Application:
        return actions.do_decide_application(
            actor=actor or self.director,
            application=application,
            grant=True,
            text="",
            mandate_basis="Grants to trial actions",
        )

    def evaluate(
        self, trial: Trial, kind: str = Evaluation.Kind.FINAL, **changes: Any
    ) -> Evaluation:
        data: dict[str, Any] = {
            "actor": trial.owner,
            "trial": trial,
            "kind": kind,
            "evaluated_on": today(),
            "summary": "Absence fell in the trial, not in the comparison schools.",
            "persons_in_trial": 62,
            "persons_compared": 60,
            "estimated_saving": Decimal(100_000),
            "results": [actions.ResultIn(self.absence, Decimal("8.5"), Decimal("12.0"), None)],
        }
        data.update(changes)
        return actions.do_write_evaluation(**data)

    def shared_story(
        self,
        sharing: str = Story.Sharing.SHARED,
        anonymised: str = "A girl in fifth grade came to school every day in May.",
    ) -> Story:
        plan = getattr(self, "_plan", None) or make_plan(self.alma, coordinator=self.caseworker)
        self._plan = plan
        return Story.objects.create(
            plan=plan,
            title="Alma Jensen kom i skole",
            text="Alma Jensen from Bakkeskolen came to school every day in May.",
            anonymised_text=anonymised,
            sharing=sharing,
            written_by=self.caseworker,
        )
