"""Admin for the leadership app: read-mostly views of the registers.

The registers are kept through the app's own pages, where every change is a
decision with a reason by the right level (``helhed.policy``); the admin lets
a technical administrator look, not decide. Nothing is deleted here.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from helhed.leadership.models import (
    BurdenProposal,
    BurdenTheme,
    DataUse,
    DocumentationRequirement,
    LeaderTeam,
    LocalDecision,
    Method,
    Principle,
    PrincipleSignature,
    ReflectionQuestion,
    Reform,
    ReformElement,
    Rule,
    RuleDecision,
)
from helhed.lib.admin import GuardedAdmin, ReadOnlyAdmin, ReadOnlyInline

# --------------------------------------------------------------------------- rules


class RuleDecisionInline(ReadOnlyInline[RuleDecision, Rule]):
    """A rule's history, read-only: it is never edited, only added to through the rule's page."""

    model = RuleDecision
    fields = ("decided_on", "decision", "decided_by", "reason", "next_review_on", "previous_text")
    readonly_fields = fields
    ordering = ["-decided_on", "-pk"]


@admin.register(Rule)
class RuleAdmin(ReadOnlyAdmin[Rule]):
    """Rules are registered and decided on the rule register's pages, never here.

    A change here would bypass the rule's history of decisions.
    """

    list_display = ["title", "municipality", "kind", "area", "owner", "review_on", "status"]
    list_filter = ["municipality", "kind", "status"]
    search_fields = ["title", "area", "text"]
    inlines = [RuleDecisionInline]


# --------------------------------------------------------------------------- documentation


class DataUseInline(ReadOnlyInline[DataUse, DocumentationRequirement]):
    """Who uses a requirement's data, read-only: uses are recorded and ended on its page."""

    model = DataUse
    fk_name = "requirement"
    fields = ("user_description", "used_for", "recorded_by", "recorded_on", "ended_on")
    readonly_fields = fields


@admin.register(DocumentationRequirement)
class DocumentationRequirementAdmin(ReadOnlyAdmin[DocumentationRequirement]):
    """Requirements are registered and dropped (with a reason) on the register's pages.

    Dropping needs a reason from the right level; the admin would bypass it.
    """

    list_display = [
        "title",
        "municipality",
        "kind",
        "owning_unit",
        "minutes_per_case",
        "cases_per_year",
        "status",
    ]
    list_filter = ["municipality", "kind", "status"]
    search_fields = ["title", "purpose", "system", "legal_basis"]
    inlines = [DataUseInline]


@admin.register(DataUse)
class DataUseAdmin(ReadOnlyAdmin[DataUse]):
    """Uses of requirements' data and of indicators, for looking up; changed on the pages."""

    list_display = ["user_description", "requirement", "indicator", "recorded_on", "ended_on"]
    list_select_related = ["requirement", "indicator"]
    list_filter = ["recorded_on", "ended_on"]
    search_fields = ["user_description", "used_for"]


# --------------------------------------------------------------------------- teams
#
# Teams and the municipality's questions only: the rounds' answers and the
# dilemma log are the leader teams' own reflections, read through the pages
# by those ``helhed.policy`` lets see them, not by a technical administrator.


@admin.register(LeaderTeam)
class LeaderTeamAdmin(ReadOnlyAdmin[LeaderTeam]):
    """Teams are created by a leader of the unit on the teams' pages."""

    list_display = ["name", "unit", "municipality"]
    list_filter = ["municipality"]
    search_fields = ["name", "unit__name"]


@admin.register(ReflectionQuestion)
class ReflectionQuestionAdmin(ReadOnlyAdmin[ReflectionQuestion]):
    """The questions are added and retired by leaders and analysts on the questions page."""

    list_display = ["text", "task", "municipality", "sort_order", "active"]
    list_filter = ["municipality", "task", "active"]
    search_fields = ["text"]


# --------------------------------------------------------------------------- proposals


@admin.register(BurdenTheme)
class BurdenThemeAdmin(GuardedAdmin[BurdenTheme]):
    """Themes are added with proposals by leaders and analysts; a name may be corrected here."""

    list_display = ["name", "municipality"]
    list_filter = ["municipality"]
    search_fields = ["name"]
    fields = ["name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(BurdenProposal)
class BurdenProposalAdmin(ReadOnlyAdmin[BurdenProposal]):
    """Proposals are made and decided (with a reason, by the right level) on their pages.

    A decision needs a reason from the right level; the admin would bypass it.
    """

    list_display = ["title", "municipality", "theme", "decision_unit", "proposed_on", "status"]
    list_filter = ["municipality", "status", "change"]
    search_fields = ["title", "description", "procedure"]


# --------------------------------------------------------------------------- principles, methods


class PrincipleSignatureInline(ReadOnlyInline[PrincipleSignature, Principle]):
    """The units that signed, read-only: a unit signs through its leader on the page."""

    model = PrincipleSignature
    fields = ("unit", "signed_by", "signed_on")
    readonly_fields = fields


@admin.register(Principle)
class PrincipleAdmin(ReadOnlyAdmin[Principle]):
    """Principles are written by leaders and signed by units on their pages.

    A signed text must not change under its signatures.
    """

    list_display = ["title", "municipality", "owner", "review_on"]
    list_filter = ["municipality"]
    search_fields = ["title", "situation", "who_does_what"]
    inlines = [PrincipleSignatureInline]


@admin.register(Method)
class MethodAdmin(ReadOnlyAdmin[Method]):
    """The method library is kept by leaders and analysts on its pages."""

    list_display = ["name", "municipality", "evidence", "owner"]
    list_filter = ["municipality", "evidence"]
    search_fields = ["name", "description", "research_basis"]


# --------------------------------------------------------------------------- reforms


class ReformElementInline(ReadOnlyInline[ReformElement, Reform]):
    """A reform's elements, read-only: they ship with the national catalogue."""

    model = ReformElement
    fields = ("sort_order", "title", "leaves_to_municipality")
    readonly_fields = fields


@admin.register(Reform)
class ReformAdmin(ReadOnlyAdmin[Reform]):
    """The national catalogue ships as data (``data/reforms.json``); look, do not edit."""

    list_display = ["name", "area", "in_force_from"]
    list_filter = ["area"]
    search_fields = ["name", "summary"]
    inlines = [ReformElementInline]


@admin.register(LocalDecision)
class LocalDecisionAdmin(ReadOnlyAdmin[LocalDecision]):
    """Local decisions are assigned and moved on by the right people on their pages."""

    list_display = ["title", "municipality", "element", "owner", "status", "due_on"]
    list_filter = ["municipality", "status"]
    search_fields = ["title", "decision"]
