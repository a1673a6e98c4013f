"""Admin for the forums app: read-only views of the meeting structure and its records.

Forums, meetings, decisions and follow-ups are kept through the app's own
pages, where the rules (mandate, grant limit, budget left, who records) are
checked (``helhed.forums.actions``, ``helhed.policy``); the admin lets a
technical administrator look, not change. Nothing is deleted here.
"""

from __future__ import annotations

from django.contrib import admin

from helhed.forums.models import (
    Decision,
    FollowUp,
    Forum,
    ForumMeeting,
    ForumMember,
    Item,
    ItemEvent,
    SelfAssessment,
)
from helhed.lib.admin import ReadOnlyAdmin, ReadOnlyInline

# --------------------------------------------------------------------------- forums


class ForumMemberInline(ReadOnlyInline[ForumMember, Forum]):
    model = ForumMember
    fields = ("staff", "role")
    readonly_fields = fields


@admin.register(Forum)
class ForumAdmin(ReadOnlyAdmin[Forum]):
    """Forums are set up on the forums pages by the director, the chiefs and analysts."""

    list_display = [
        "name",
        "municipality",
        "kind",
        "cadence",
        "escalates_to",
        "yearly_budget",
        "grant_limit",
    ]
    list_filter = ["municipality", "kind", "is_active"]
    search_fields = ["name", "mandate"]
    inlines = [ForumMemberInline]


class FollowUpInline(ReadOnlyInline[FollowUp, Decision]):
    model = FollowUp
    fields = ("title", "owner", "due_on", "done_on")
    readonly_fields = fields


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin[Decision]):
    """The decision log: a grant is checked against the forum's limit and budget when made."""

    list_display = ["decided_on", "forum", "decided_by", "mandate_basis", "grant_amount"]
    list_filter = ["forum"]
    search_fields = ["text", "mandate_basis", "grant_purpose"]
    inlines = [FollowUpInline]


@admin.register(ForumMeeting)
class ForumMeetingAdmin(ReadOnlyAdmin[ForumMeeting]):
    list_display = ["forum", "held_on", "status"]
    list_filter = ["forum", "status"]


# --------------------------------------------------------------- board and self-assessment


class ItemEventInline(ReadOnlyInline[ItemEvent, Item]):
    model = ItemEvent
    fields = ("at", "kind", "forum", "to_forum", "by", "note")
    readonly_fields = fields


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin[Item]):
    """The obstacle board: items move between forums only through the board's pages."""

    list_display = ["title", "forum", "category", "status", "raised_on", "closed_on"]
    list_filter = ["forum", "status", "category"]
    search_fields = ["title", "description", "affected"]
    inlines = [ItemEventInline]


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(ReadOnlyAdmin[SelfAssessment]):
    """Rounds only: the members' answers are not shown here either, only their spread in the app."""

    list_display = ["title", "forum", "meeting_on", "status"]
    list_filter = ["forum", "status"]
