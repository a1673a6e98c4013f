"""A plan's ratings as series: one per member and scale, in date order.

The queries live here; the arithmetic in ``scoring``; the pictures in
``charts``. The views, the API and the plan page's summary all start here, so
they show the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from helhed.citizens.models import Citizen
from helhed.feedback import scoring
from helhed.feedback.models import Rating, Scale
from helhed.plans.models import Plan

KIND_ORDER: dict[str, int] = {
    Scale.Kind.OUTCOME: 0,
    Scale.Kind.SESSION: 1,
    Scale.Kind.COLLABORATION: 2,
}


def by_kind(scales: list[Scale]) -> list[Scale]:
    """Outcome scales first (progress is judged by them), then session, then collaboration."""
    return sorted(scales, key=lambda s: (KIND_ORDER.get(s.kind, 9), s.code))


def not_improving_after() -> int:
    """Ratings before "not improving" is flagged (``HELHED_FIT_NOT_IMPROVING_AFTER``, default 3)."""
    return int(settings.HELHED_FIT_NOT_IMPROVING_AFTER)


@dataclass
class ScaleSeries:
    """One citizen's ratings on one scale, and their summary."""

    citizen: Citizen
    scale: Scale
    ratings: list[Rating]
    series: scoring.Series

    @property
    def rows(self) -> list[tuple[Rating, scoring.Point]]:
        return list(zip(self.ratings, self.series.points, strict=True))


@dataclass
class MemberProgress:
    """A plan member and the series of ratings about them."""

    citizen: Citizen
    series: list[ScaleSeries] = field(default_factory=list)

    @property
    def outcome(self) -> ScaleSeries | None:
        """The member's outcome series (ORS or CORS), the one progress is judged by."""
        return next((s for s in self.series if s.scale.kind == Scale.Kind.OUTCOME), None)

    @property
    def not_improving(self) -> bool:
        return any(s.series.not_improving for s in self.series)


def plan_progress(plan: Plan, *, after: int | None = None) -> list[MemberProgress]:
    """Every member of the plan (members without ratings too), with their series."""
    after = not_improving_after() if after is None else after
    members = [MemberProgress(citizen=c) for c in plan.citizens()]
    by_citizen = {m.citizen.pk: m for m in members}
    grouped: dict[tuple[int, int], list[Rating]] = {}
    scales: dict[int, Scale] = {}
    for rating in (
        Rating.objects.filter(plan=plan).select_related("scale").order_by("rated_on", "pk")
    ):
        grouped.setdefault((rating.citizen_id, rating.scale_id), []).append(rating)
        scales[rating.scale_id] = rating.scale
    for (citizen_id, scale_id), ratings in grouped.items():
        member = by_citizen.get(citizen_id)
        if member is None:  # a member since removed from the plan: their ratings stay stored
            continue
        scale = scales[scale_id]
        member.series.append(
            ScaleSeries(
                citizen=member.citizen,
                scale=scale,
                ratings=ratings,
                series=scoring.series(
                    [(r.rated_on, r.total) for r in ratings],
                    cutoff=scale.clinical_cutoff,
                    reliable_change=scale.reliable_change,
                    after=after,
                ),
            )
        )
    for member in members:
        member.series.sort(key=lambda s: (KIND_ORDER.get(s.scale.kind, 9), s.scale.code))
    return members
