"""A plan around Alma with the FIT scales enabled, and a second family to keep apart."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import translation

from helhed.citizens.models import Citizen, FamilyLink
from helhed.feedback.actions import do_record_rating
from helhed.feedback.models import Rating, Scale, ScaleActivation
from helhed.lib.validity import today
from helhed.plans.models import Plan
from helhed.test import BaseTestCase, make_citizen, make_family_login, make_plan, municipality


class FeedbackTestCase(BaseTestCase):
    """``plan`` is Alma's (coordinated by the case worker, the teacher a participant's colleague).

    Enabled in Rudersdal: ORS, CORS, SRS and the family's collaboration scale
    (``samarbejde``); CSRS is left disabled. ``other_plan`` belongs to another
    family (Karla and her mother, ``other_guardian``).
    """

    plan: Plan
    other_plan: Plan
    ors: Scale
    cors: Scale
    srs: Scale
    csrs: Scale
    samarbejde: Scale
    karla: Citizen
    other_guardian: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.plan = make_plan(cls.alma, coordinator=cls.caseworker)
        karla = make_citizen("Karla", "Berg", birth_date=dt.date(2015, 2, 3))
        karla_mother = make_citizen("Kirsten", "Berg", birth_date=dt.date(1985, 6, 7))
        FamilyLink.objects.create(
            from_citizen=karla_mother, to_citizen=karla, kind=FamilyLink.Kind.GUARDIAN
        )
        cls.karla = karla
        cls.other_guardian = make_family_login(karla_mother, "other_guardian")
        cls.other_plan = make_plan(karla, coordinator=cls.colleague, title="Karla")
        for code in ("ors", "cors", "srs", "csrs", "samarbejde"):
            setattr(cls, code, Scale.objects.get(code=code))
        for scale in (cls.ors, cls.cors, cls.srs, cls.samarbejde):
            ScaleActivation.objects.create(municipality=municipality(230), scale=scale)

    def setUp(self) -> None:
        super().setUp()
        # Messages are asserted in English (the msgids); Danish is the site's default.
        self.enterContext(translation.override("en"))
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def days_ago(self, days: int) -> dt.date:
        return today() - dt.timedelta(days=days)

    def add_rating(
        self,
        total_items: list[float],
        *,
        scale: Scale | None = None,
        days_ago: int = 0,
        **extra: Any,
    ) -> Rating:
        """A stored rating, without the rules (for pages that show ratings)."""
        scale = scale or self.cors
        fields: dict[str, Any] = {
            "plan": self.plan,
            "scale": scale,
            "citizen": self.alma,
            "rated_on": self.days_ago(days_ago),
            "scores": total_items,
            "total": sum(total_items),
            "given_by": "Alma",
            "recorded_by": self.caseworker,
        }
        fields.update(extra)
        return Rating.objects.create(**fields)

    def record(self, **overrides: Any) -> Rating:
        """A rating through the rules: the case worker's CORS about Alma, unless overridden."""
        arguments: dict[str, Any] = {
            "user": self.caseworker.user,
            "plan": self.plan,
            "scale": self.cors,
            "citizen": self.alma,
            "scores": [5, 6.5, 4, 7],
            "rated_on": self.days_ago(1),
            "given_by": "Alma",
        }
        arguments.update(overrides)
        return do_record_rating(**arguments)
