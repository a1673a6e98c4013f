"""API for the audit log: a family's insight and a leader's review, as on the web.

The same rules as the pages (``helhed.audit.views``): ``/mine`` is for family
logins (404 for anyone else), the review for leaders (403 for other staff,
404 for family logins), citizens in the review by number only. A bad period
answers 422 naming the field; dates left out default as on the web.

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from helhed import policy
from helhed.audit import review
from helhed.audit.models import AuditEntry
from helhed.lib.pagination import BoundedPages

router = Router(tags=["audit"])


class InsightEntryOut(Schema):
    seq: int
    at: dt.datetime
    actor: str = Field(..., description="The staff member's name; other users are not named.")
    actor_unit: str = Field(..., description="Where the staff member works today.")
    by_you: bool
    action: str
    action_label: str
    object_type: str
    object_label: str
    citizen_id: int | None
    purpose: str
    break_glass: bool


class ReviewEntryOut(Schema):
    seq: int
    at: dt.datetime
    actor_staff_id: int | None
    actor: str
    action: str
    action_label: str
    object_type: str
    object_label: str
    citizen_id: int | None = Field(..., description="Citizens are shown by number only.")
    purpose: str = Field(..., description="The access basis, or the stated reason.")
    break_glass: bool


class HeavyUserOut(Schema):
    staff_id: int
    actor: str
    day: dt.date
    citizens: int = Field(..., description="Distinct citizens looked up that day.")

    @staticmethod
    def resolve_staff_id(obj: dict[str, Any]) -> int:
        return int(obj["actor_staff_id"])


def _reviewer(request: HttpRequest) -> None:
    if policy.family_citizen(request.user) is not None:
        raise Http404("No such page")
    if not policy.can_review_access(request.user):
        raise PermissionDenied("Only leaders review access to citizens' data.")


@router.get("/mine", response=list[InsightEntryOut])
@paginate(BoundedPages, page_size=50)
def my_entries(
    request: HttpRequest,
    citizen_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    include_own: bool = False,
) -> Any:
    """Who has looked at our data: entries about the family login and its children in care."""
    if not policy.is_family_login(request.user):
        raise Http404("This is for family logins")
    family = set(policy.insight_citizens(request.user).values_list("pk", flat=True))
    if citizen_id is not None and citizen_id not in family:
        raise Http404("No such citizen")
    period = review.check_period(date_from, date_to)
    entries = review.entries_about(
        [citizen_id] if citizen_id is not None else family,
        period,
        leave_out_actor=None if include_own else request.user.pk,
    )
    viewer_id = request.user.pk

    def describe(rows: list[AuditEntry]) -> list[review.InsightRow]:
        return review.insight_rows(
            rows,
            viewer_id=viewer_id,
            staff_units=policy.staff_unit_names,
            family_logins=policy.family_login_ids,
        )

    return review.Described(entries, describe)


@router.get("/review/break-glass", response=list[ReviewEntryOut])
@paginate(BoundedPages, page_size=50)
def break_glass(
    request: HttpRequest, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> Any:
    """Break-the-glass entries by the leader's staff; the last 30 days by default."""
    _reviewer(request)
    period = review.review_period(date_from, date_to)
    staff_ids = policy.access_reviewable_staff(request.user, period.start, period.end).values("pk")
    return review.Described(review.break_glass_entries(staff_ids, period), review.review_rows)


@router.get("/review/heavy-users", response=list[HeavyUserOut])
@paginate(BoundedPages, page_size=50)
def heavy_users(
    request: HttpRequest, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> Any:
    """Staff and days with more distinct citizens looked up than HELHED_AUDIT_MANY_LOOKUPS."""
    _reviewer(request)
    period = review.review_period(date_from, date_to)
    staff_ids = policy.access_reviewable_staff(request.user, period.start, period.end).values("pk")
    return review.heavy_users(staff_ids, period)
