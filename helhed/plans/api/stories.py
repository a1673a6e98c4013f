"""API for everyday stories, with the same rules as the web pages.

The shared list holds the anonymised text only (never the plan, the author or
the original text). Writing a story is for the plan's coordinator and
participants (403 otherwise, 404 for a plan the caller may not see).

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from helhed import policy
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.lib.pagination import BoundedPages
from helhed.plans.actions import stories as actions
from helhed.plans.models import Story

router = Router(tags=["stories"])


class SharedStoryOut(Schema):
    id: int
    title: str
    anonymised_text: str
    written_on: dt.date


class StoryOut(Schema):
    id: int
    plan_id: int
    goal_id: int | None
    title: str
    text: str
    told_by: str
    written_by_id: int
    written_on: dt.date
    sharing: str
    anonymised_text: str


class StoryIn(Schema):
    plan_id: int
    title: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL_PATTERN)
    text: str = Field(..., min_length=1, max_length=20000, pattern=NO_NUL_PATTERN)
    told_by: str = Field("", max_length=100, pattern=NO_NUL_PATTERN)
    goal_id: int | None = None


class ProposeIn(Schema):
    anonymised_text: str = Field(..., min_length=1, max_length=20000, pattern=NO_NUL_PATTERN)


class DecideIn(Schema):
    share: bool


@router.get("", response=list[SharedStoryOut])
@paginate(BoundedPages, page_size=50)
def shared_stories(request: HttpRequest) -> QuerySet[Story]:
    """Anonymised stories shared in the caller's municipality, the latest first."""
    return (
        policy.shared_stories(request.user)
        .only("pk", "title", "anonymised_text", "written_on")
        .order_by("-written_on", "-pk")
    )


@router.post("", response={201: StoryOut})
def write_story(request: HttpRequest, payload: StoryIn) -> tuple[int, Story]:
    """Write an everyday story into a plan, optionally about one of its goals."""
    plan = policy.get_plan_for_user(request.user, payload.plan_id)
    staff = policy.staff_for(request.user)
    if staff is None or not policy.can_edit_plan(request.user, plan):
        raise PermissionDenied("Only the plan's coordinator and participants can do this.")
    goal = None
    if payload.goal_id is not None:
        goal = plan.goals.filter(pk=payload.goal_id).first()
        if goal is None:
            raise HttpError(422, f"Goal {payload.goal_id} is not in this plan")
    story = actions.do_write_story(
        actor=staff,
        plan=plan,
        title=payload.title,
        text=payload.text,
        told_by=payload.told_by,
        goal=goal,
    )
    return 201, story


@router.get("/{story_id}", response=StoryOut)
def get_story(request: HttpRequest, story_id: int) -> Story:
    """One story in full, for staff who may see its plan."""
    return policy.get_story_for_user(request.user, story_id)


@router.post("/{story_id}/propose", response=StoryOut)
def propose_story(request: HttpRequest, story_id: int, payload: ProposeIn) -> Story:
    """The author proposes an anonymised version; it must not name the family."""
    story = policy.get_story_for_user(request.user, story_id)
    staff = policy.staff_for(request.user)
    if staff is None or story.written_by_id != staff.pk:
        raise PermissionDenied("Only the author can propose a story for sharing.")
    return actions.do_propose_story_for_sharing(
        actor=staff, story=story, anonymised_text=payload.anonymised_text
    )


@router.post("/{story_id}/decide", response=SharedStoryOut)
def decide_story(request: HttpRequest, story_id: int, payload: DecideIn) -> Story:
    """A leader of the author's unit shares the anonymised story, or declines to."""
    story = policy.get_story_to_decide(request.user, story_id)
    staff = policy.staff_for(request.user)
    if staff is None:  # pragma: no cover - a leader is staff
        raise PermissionDenied
    return actions.do_decide_story(actor=staff, story=story, share=payload.share)
