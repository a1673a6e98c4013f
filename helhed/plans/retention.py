"""Retention rules for plans, concerns, notifications and referrals (see ``helhed.lib.retention``).

The periods are defaults for the municipality's data protection officer to
set (``HELHED_RETENTION``); the reasoning for each is in its ``legal_note``.
Helhed is the municipalities' tool for working together around a citizen;
the case files each sector must keep under its own law (and the archives
act) live in that sector's case system, so Helhed keeps what it holds no
longer than the collaboration needs it and the records of access require.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext_lazy as _

from helhed.lib.periods import years
from helhed.lib.retention import AsOf, Delete, RetentionRule, register
from helhed.plans.models import (
    Concern,
    ConcernEvent,
    Notification,
    Plan,
    PlanMember,
    Referral,
)

# --------------------------------------------------------------------------- plans


def _plan_kept(when: AsOf) -> Q:
    """One of the plan's citizens has another active plan or an open referral."""
    member_of_plan = Q(citizen__plan_memberships__plan=OuterRef("pk"))
    active_elsewhere = PlanMember.objects.filter(member_of_plan, is_active=True).exclude(
        plan=OuterRef("pk")
    )
    open_referral = Referral.objects.filter(
        member_of_plan | Q(plan=OuterRef("pk")), status__in=Referral.OPEN_STATUSES
    )
    return Q(Exists(active_elsewhere)) | Q(Exists(open_referral))


def _with_plan(plan: Plan) -> Iterable[models.Model]:
    """What the database would only unlink, but belongs to the plan: its concerns and referrals.

    A concern that led to a notification stays: it goes with the notification.
    An open concern (none should point at a closed plan) is left to be followed up.
    """
    yield from plan.concerns.filter(notification__isnull=True).exclude(status=Concern.Status.OPEN)
    yield from plan.referrals.all()


register(
    RetentionRule(
        code="plans.plan",
        label=_(
            "closed plans, with their goals, efforts, participants, meetings, decisions, "
            "actions, stories, versions, and the concerns and referrals that led to them"
        ),
        model=Plan,
        counts_from="ended_on",
        since=_("the day the plan was closed"),
        period=years(5),
        action=Delete(along=_with_plan),
        records=lambda: Plan.objects.filter(status=Plan.Status.CLOSED),
        # A closed plan always has closed_on; older rows fall back to their last change.
        annotate=lambda: {
            "ended_on": Coalesce(
                "closed_on", TruncDate("updated_at"), output_field=models.DateField()
            )
        },
        keep=_plan_kept,
        kept_when=_("one of its citizens has another active plan or an open referral"),
        legal_note=_(
            "A closed plan is the history of the work with the family: a new worry about the "
            "child within a few years should be met knowing what was tried. Five years after it "
            "closed it goes, with everything in it. While a citizen of the plan has another "
            "active plan or an open referral, the closed plan is part of that ongoing work and "
            "is kept."
        ),
        order=10,
    )
)

# --------------------------------------------------------------------------- concerns


def _concern_closed() -> dict[str, Any]:
    """When the concern was closed or escalated: its last closing event, else when logged."""
    closing = (
        ConcernEvent.objects.filter(
            concern=OuterRef("pk"),
            kind__in=[
                ConcernEvent.Kind.CLOSED,
                ConcernEvent.Kind.PLAN,
                ConcernEvent.Kind.NOTIFIED,
            ],
        )
        .order_by("-at")
        .values("at")[:1]
    )
    return {
        "closed_at": Coalesce(
            Subquery(closing), F("created_at"), output_field=models.DateTimeField()
        )
    }


def _concern_kept(when: AsOf) -> Q:
    """It led to a notification (kept with it) or into a plan (kept with the plan)."""
    return Q(Exists(Notification.objects.filter(concern=OuterRef("pk")))) | Q(plan__isnull=False)


register(
    RetentionRule(
        code="plans.concern",
        label=_("closed concerns that led to no plan and no notification"),
        model=Concern,
        counts_from="closed_at",
        since=_("the day the concern was closed"),
        period=years(2),
        action=Delete(),
        records=lambda: Concern.objects.exclude(status=Concern.Status.OPEN),
        annotate=_concern_closed,
        keep=_concern_kept,
        kept_when=_(
            "it led to a notification (kept as long as the notification) or into a plan "
            "(kept with the plan)"
        ),
        legal_note=_(
            "A worry that came to nothing should not follow a family (GDPR art. 5(1)(c) and "
            "(e): data minimisation and storage limitation). Two years lets professionals see "
            "a pattern of small worries that together call for action; after that it goes."
        ),
        order=20,
    )
)

# --------------------------------------------------------------------------- notifications


def _notification_kept(when: AsOf) -> Q:
    return Q(Exists(PlanMember.objects.filter(citizen=OuterRef("citizen"), is_active=True)))


def _with_notification(notification: Notification) -> Iterable[models.Model]:
    if notification.concern is not None:
        yield notification.concern


register(
    RetentionRule(
        code="plans.notification",
        label=_("notifications (underretninger) and the concerns that led to them"),
        model=Notification,
        counts_from="reported_on",
        since=_("the day the notification was made"),
        period=years(5),
        action=Delete(along=_with_notification),
        keep=_notification_kept,
        kept_when=_("the child has an active plan"),
        legal_note=_(
            "The record shows that a professional met the duty to notify (Barnets Lov § 133); "
            "the social services keep the notification itself in their case. Helhed keeps its "
            "record, and the concern behind it, five years, and longer while the child has an "
            "active plan, where repeated notifications are part of the picture."
        ),
        order=30,
    )
)

# --------------------------------------------------------------------------- referrals

register(
    RetentionRule(
        code="plans.referral_declined",
        label=_("referrals rejected or withdrawn"),
        model=Referral,
        counts_from="decided_on",
        since=_("the day it was rejected or withdrawn"),
        period=years(1),
        action=Delete(),
        records=lambda: Referral.objects.filter(
            status__in=[Referral.Status.REJECTED, Referral.Status.WITHDRAWN]
        ),
        annotate=lambda: {
            "decided_on": Coalesce("decided_at", "sent_at", output_field=models.DateTimeField())
        },
        legal_note=_(
            "A referral that was not taken up gave nobody access. A year lets the sender follow "
            "up on the answer and leaders review waiting times; then it goes."
        ),
        order=40,
    )
)

register(
    RetentionRule(
        code="plans.referral_accepted",
        label=_("accepted referrals without a plan"),
        model=Referral,
        counts_from="access_ended_on",
        since=_("the last day of the access it gave"),
        period=years(5),
        action=Delete(),
        records=lambda: Referral.objects.filter(status=Referral.Status.ACCEPTED),
        annotate=lambda: {
            "access_ended_on": Coalesce(
                "access_until",
                TruncDate("decided_at"),
                TruncDate("sent_at"),
                output_field=models.DateField(),
            )
        },
        keep=lambda when: Q(plan__isnull=False),
        kept_when=_("it belongs to a plan (it goes with the plan)"),
        legal_note=_(
            "An accepted referral opened an engagement, the basis of the receiving unit's "
            "look-ups: it is kept as long as that engagement (five years after the access "
            "ended), or with its plan when it belongs to one."
        ),
        order=40,
    )
)
