"""API for FIT: the scales, a plan's ratings and progress, and recording a rating.

The same rules as the web pages: a plan the user may not see is 404, a plan
they may see but not rate in is 403, and a refused rating is 422 with the
message a user would see beside the field.

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from helhed import policy
from helhed.feedback.actions import do_record_rating
from helhed.feedback.models import Rating, Scale, ScaleActivation
from helhed.feedback.progress import plan_progress
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.lib.pagination import BoundedPages
from helhed.lib.validity import today

router = Router(tags=["feedback"])


class ScaleItemOut(Schema):
    position: int
    label: str
    label_da: str
    low_anchor: str
    high_anchor: str


class ScaleOut(Schema):
    code: str
    name: str
    name_da: str
    kind: str
    item_min: int
    item_max: int
    total_max: int
    clinical_cutoff: Decimal | None
    reliable_change: Decimal | None
    age_min: int | None
    age_max: int | None
    source: str
    items: list[ScaleItemOut]
    enabled: bool = Field(..., description="Enabled in the caller's municipality.")


class RatingOut(Schema):
    id: int
    plan_id: int
    scale: str = Field(..., alias="scale.code")
    citizen_id: int
    rated_on: dt.date
    scores: list[float]
    total: Decimal
    given_by: str
    recorded_by_id: int | None
    comment: str


class RatingIn(Schema):
    scale: str = Field(..., max_length=30, pattern=NO_NUL_PATTERN, description="A scale code.")
    citizen_id: int = Field(..., description="A member of the plan the rating is about.")
    # Any JSON values: the rules answer a non-number with the same message as the web form.
    scores: list[Any] = Field(
        ...,
        max_length=50,
        description="One number per item, in the scale's order.",
        json_schema_extra={"items": {"type": "number"}},
    )
    rated_on: dt.date | None = Field(None, description="Defaults to today; not in the future.")
    given_by: str = Field(..., min_length=1, max_length=100, pattern=NO_NUL_PATTERN)
    comment: str = Field("", max_length=500, pattern=NO_NUL_PATTERN)


class PointOut(Schema):
    rated_on: dt.date
    total: Decimal
    change: Decimal
    classification: str | None = Field(
        ..., description="improved, deteriorated, no_reliable_change; null without a threshold."
    )
    clinical: bool | None = Field(..., description="Below the cut-off (null without one).")


class SeriesOut(Schema):
    scale: str
    clinical_cutoff: Decimal | None
    reliable_change: Decimal | None
    band: list[Decimal] | None = Field(..., description="First total ± reliable change.")
    not_improving: bool
    not_improving_after: int
    points: list[PointOut]


class MemberProgressOut(Schema):
    citizen_id: int
    first_name: str
    not_improving: bool
    series: list[SeriesOut]


@router.get("/scales", response=list[ScaleOut])
def list_scales(request: HttpRequest) -> list[dict[str, Any]]:
    """The scale definitions, each with whether the caller's municipality has enabled it."""
    municipality = policy.scale_municipality(request.user)
    enabled = set(
        ScaleActivation.objects.filter(municipality=municipality).values_list("scale_id", flat=True)
        if municipality is not None
        else []
    )
    return [
        {
            **{
                name: getattr(scale, name)
                for name in ScaleOut.model_fields
                if name not in ("items", "enabled")
            },
            "items": list(scale.item_list),
            "enabled": scale.pk in enabled,
        }
        for scale in Scale.objects.prefetch_related("items")
    ]


@router.get("/plans/{plan_id}/ratings", response=list[RatingOut])
@paginate(BoundedPages, page_size=100)
def list_ratings(request: HttpRequest, plan_id: int) -> QuerySet[Rating]:
    """The plan's ratings, oldest first."""
    plan = policy.get_plan_for_user(request.user, plan_id)
    return Rating.objects.filter(plan=plan).select_related("scale").order_by("rated_on", "pk")


@router.post("/plans/{plan_id}/ratings", response={201: RatingOut})
def record_rating(request: HttpRequest, plan_id: int, payload: RatingIn) -> tuple[int, Rating]:
    """Record a rating (the family themselves, or staff who work on the plan)."""
    plan = policy.get_plan_for_user(request.user, plan_id)
    # As on the web: the right to rate is checked before the input is.
    if not policy.can_rate_in_plan(request.user, plan):
        raise PermissionDenied(
            _("Only the family and those who work on the plan can record ratings in it.")
        )
    scale = Scale.objects.prefetch_related("items").filter(code=payload.scale).first()
    if scale is None:
        raise ValidationError({"scale": _("There is no scale with that code.")})
    member = plan.members.select_related("citizen").filter(citizen_id=payload.citizen_id).first()
    if member is None:
        raise ValidationError({"citizen_id": _("The rating must be about a member of this plan.")})
    rating = do_record_rating(
        user=request.user,
        plan=plan,
        scale=scale,
        citizen=member.citizen,
        scores=payload.scores,
        rated_on=payload.rated_on or today(),
        given_by=payload.given_by,
        comment=payload.comment,
    )
    return 201, rating


@router.get("/plans/{plan_id}/progress", response=list[MemberProgressOut])
def get_progress(request: HttpRequest, plan_id: int) -> list[dict[str, Any]]:
    """Per member and scale: the totals over time, the reading and the "not improving" flag."""
    plan = policy.get_plan_for_user(request.user, plan_id)
    return [
        {
            "citizen_id": member.citizen.pk,
            "first_name": member.citizen.first_name,
            "not_improving": member.not_improving,
            "series": [
                {
                    "scale": s.scale.code,
                    "clinical_cutoff": s.series.cutoff,
                    "reliable_change": s.series.reliable_change,
                    "band": list(s.series.band) if s.series.band else None,
                    "not_improving": s.series.not_improving,
                    "not_improving_after": s.series.after,
                    "points": [
                        {
                            "rated_on": p.rated_on,
                            "total": p.total,
                            "change": p.change,
                            "classification": p.classification.value if p.classification else None,
                            "clinical": p.clinical,
                        }
                        for p in s.series.points
                    ],
                }
                for s in member.series
            ],
        }
        for member in plan_progress(plan)
    ]
