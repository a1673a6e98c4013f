"""The plans app's models that hold personal data: every change is audited.

A row that belongs to a plan is about every citizen of the plan (a family's
plan has several), so its entry names each of them.
"""

from __future__ import annotations

from collections.abc import Iterable

from helhed.audit.tracking import track
from helhed.plans.models import (
    Action,
    Concern,
    ConcernEvent,
    Contact,
    Contradiction,
    Decision,
    Effort,
    Goal,
    Handover,
    HandoverItem,
    JourneyMark,
    Meeting,
    MeetingParticipant,
    Notification,
    Participant,
    Plan,
    PlanMember,
    Referral,
    Story,
)


def plan_citizens(plan_id: int | None) -> Iterable[int]:
    if plan_id is None:
        return []
    return PlanMember.objects.filter(plan_id=plan_id).values_list("citizen_id", flat=True)


def meeting_citizens(meeting_id: int) -> Iterable[int]:
    # A cascading delete may have removed the meeting already.
    plan_id = Meeting.objects.filter(pk=meeting_id).values_list("plan_id", flat=True).first()
    return plan_citizens(plan_id)


track(Plan, lambda plan: plan_citizens(plan.pk))
track(PlanMember, lambda member: [member.citizen_id])
track(Goal, lambda goal: [goal.citizen_id] if goal.citizen_id else plan_citizens(goal.plan_id))
track(
    Effort,
    lambda effort: [effort.citizen_id] if effort.citizen_id else plan_citizens(effort.plan_id),
)
track(Participant, lambda p: plan_citizens(p.plan_id))
track(Meeting, lambda meeting: plan_citizens(meeting.plan_id))
track(MeetingParticipant, lambda p: meeting_citizens(p.meeting_id))
track(Decision, lambda decision: meeting_citizens(decision.meeting_id))
track(Action, lambda action: plan_citizens(action.plan_id))
track(Story, lambda story: plan_citizens(story.plan_id))
track(Concern, lambda concern: [concern.citizen_id])
track(
    ConcernEvent,
    lambda event: Concern.objects.filter(pk=event.concern_id).values_list("citizen_id", flat=True),
)
track(Notification, lambda n: [n.citizen_id])
track(Referral, lambda referral: [referral.citizen_id])
track(Handover, lambda handover: [handover.citizen_id])
track(
    HandoverItem,
    lambda item: Handover.objects.filter(pk=item.handover_id).values_list("citizen_id", flat=True),
)
track(Contradiction, lambda c: plan_citizens(c.plan_id))
track(Contact, lambda contact: [contact.citizen_id])
# A mark on the citizen's journey says how an event worked for them: personal data.
track(JourneyMark, lambda mark: [mark.citizen_id])
