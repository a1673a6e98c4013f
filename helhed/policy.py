"""The one place that decides who may see and do what.

Deny by default. Every view, API endpoint, admin screen and export asks this
module; none of them filters citizens on its own. The rules so far:

* A citizen's personal data is visible to a staff member only through an
  engagement that is valid today: with the staff member personally, or with a
  unit where the staff member holds a front-line role today. An engagement
  that rests on the family's consent counts only while the consent is in
  force, and only within its scope: the sectors it names must include the
  sector the access is for (``_consent_covers_q``).
* Leaders, analysts and politicians do not see citizens through their role;
  they see aggregates (later issues add those views, suppressed for politicians).
* The organisation (units, roles, leaders) is visible to every signed-in user
  of the municipality: it is not personal data about citizens.
* Registering a citizen is for front-line staff.

* A plan is visible to staff who may see one of its citizens, and to its
  coordinator and participants (taking part in an active plan is itself a
  relation that opens the plan's citizens). It may be changed only by its
  coordinator and participants; an action also by its owner.
* A concern is visible to whoever raised it and to its follow-up owner; a
  leader sees the concerns and actions of their units as a list without the
  child's name or the text.
* A referral is visible to the sending staff member and to staff of the two
  units; the receiving unit decides on it. Accepting opens a time-limited
  engagement, which is what then gives access.
* A family login (``Citizen.user``) sees the plans of the citizen and of the
  children in their care, and can give ratings there; nothing else.
* Results (indicator values, targets, status reports) are aggregates about
  units. A leader sees the results of the units they lead, everything beneath
  them and two levels above; front-line staff their own units and two above;
  analysts and politicians every unit of their municipality. Draft status
  reports are for leaders and analysts; approved ones for all staff.

A user without a staff record (a technical administrator) sees no citizens.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from helhed.audit import codes as audit_codes
from helhed.audit import trail
from helhed.citizens.models import Citizen, CitizenQuerySet, Consent, Engagement
from helhed.forums.models import (
    Decision,
    FollowUp,
    Forum,
    ForumMeeting,
    ForumMember,
    Item,
    SelfAssessment,
)
from helhed.leadership.models import (
    BurdenProposal,
    BurdenTheme,
    DataUse,
    Dilemma,
    DocumentationRequirement,
    LeaderTeam,
    LocalDecision,
    Method,
    Principle,
    ReflectionAnswer,
    ReflectionQuestion,
    Reform,
    ReformElement,
    Rule,
    SpanTarget,
    TeamReflection,
)
from helhed.lib.validity import today, valid_on_q
from helhed.organisation.models import (
    ContactPoint,
    Municipality,
    Role,
    RoleAssignment,
    Staff,
    Unit,
    UnitQuerySet,
)
from helhed.plans.models import (
    Action,
    Concern,
    Contact,
    Contradiction,
    Effort,
    Handover,
    Meeting,
    Notification,
    Plan,
    PlanMember,
    Referral,
    Story,
)
from helhed.results.models import (
    Ambition,
    Committee,
    CurveAction,
    CurvePlan,
    Indicator,
    Marker,
    Reflection,
    StatusReport,
    Target,
)
from helhed.trials.models import Application, Trial

M = TypeVar("M", bound=Model)

# None stands for "no user" (treated as anonymous), which keeps callers simple.
AnyUser = User | AnonymousUser | None


def staff_for(user: AnyUser) -> Staff | None:
    if not isinstance(user, User) or not user.is_authenticated:
        return None
    try:
        return user.staff
    except Staff.DoesNotExist:
        return None


def staff_or_404(user: AnyUser) -> Staff:
    """Return the user's staff record, or raise 404 for a family login or a technical admin.

    For pages that are only for the municipality's professionals, whatever
    their role; ``staff_with_role_or_404`` when a current role is needed too.
    """
    staff = staff_for(user)
    if staff is None:
        raise Http404("No staff record")
    return staff


def role_kinds(staff: Staff, on: dt.date | None = None) -> set[str]:
    return set(
        RoleAssignment.objects.valid_on(on).filter(staff=staff).values_list("role__kind", flat=True)
    )


def _own_roles(staff: Staff, on: dt.date, *kinds: str) -> QuerySet[RoleAssignment]:
    """The staff member's role assignments of these kinds, valid on ``on``, at home.

    A role in another municipality's unit never opens anything of this one,
    however the assignment came to exist.
    """
    return RoleAssignment.objects.valid_on(on).filter(
        staff=staff, role__kind__in=kinds, unit__municipality_id=staff.municipality_id
    )


def _frontline_unit_ids(staff: Staff, on: dt.date) -> QuerySet[RoleAssignment, Any]:
    return _own_roles(staff, on, Role.Kind.FRONTLINE).values("unit_id")


def _consent_in_force_q(on: dt.date) -> Q:
    """An engagement on a legal basis, or on a consent that is in force on ``on``.

    A withdrawn consent closes the access it gave on the day it is withdrawn:
    the check runs on every request, so nothing has to be revoked by hand.
    """
    return Q(consent__isnull=True) | (
        Q(consent__given_on__lte=on)
        & (Q(consent__withdrawn_on__isnull=True) | Q(consent__withdrawn_on__gt=on))
        & (Q(consent__expires_on__isnull=True) | Q(consent__expires_on__gte=on))
    )


def access_engagements(staff: Staff, on: dt.date | None = None) -> QuerySet[Engagement]:
    """The engagements that open citizens to ``staff`` on ``on``: the basis of all access."""
    on = on or today()
    return (
        Engagement.objects.filter(valid_on_q(on))
        .filter(_consent_in_force_q(on))
        .filter(_consent_covers_q(staff, on))
        .filter(Q(staff=staff) | Q(unit_id__in=_frontline_unit_ids(staff, on)))
    )


def visible_citizens(user: AnyUser, on: dt.date | None = None) -> CitizenQuerySet:
    """Citizens whose personal data ``user`` may see today."""
    staff = staff_for(user)
    if staff is None:
        return Citizen.objects.none()
    engaged = access_engagements(staff, on)
    in_plans = PlanMember.objects.filter(plan__in=_plans_taken_part_in(staff)).values("citizen_id")
    return Citizen.objects.filter(Q(pk__in=engaged.values("citizen_id")) | Q(pk__in=in_plans))


def can_view_citizen(user: AnyUser, citizen: Citizen) -> bool:
    return visible_citizens(user).filter(pk=citizen.pk).exists()


def get_citizen_for_user(user: AnyUser, citizen_id: int) -> Citizen:
    """The citizen, or 404 when it does not exist *or* the user may not see it.

    The same answer in both cases, so that probing ids reveals nothing. Every
    citizen handed out is logged as looked at, with the basis of the access.
    """
    citizen = (
        visible_citizens(user)
        .select_related("municipality", "current_unit")
        .filter(pk=citizen_id)
        .first()
    )
    if citizen is None:
        raise Http404("No such citizen")
    audit_read(user, citizen, [citizen.pk])
    return citizen


# --------------------------------------------------------------------------- audit of look-ups


@dataclass(frozen=True)
class AccessBasis:
    """Why a user may see a citizen: what the audit entry and the citizen's insight page say."""

    purpose: str
    break_glass: bool = False


def access_basis(user: AnyUser, citizen_id: int) -> AccessBasis:
    """The relation that opens ``citizen_id`` to ``user`` today, in words for the log.

    Written in the municipality's language, like every stored text, because a
    citizen reads it on the insight page whatever language the viewer used.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return _access_basis(user, citizen_id)


def _access_basis(user: AnyUser, citizen_id: int) -> AccessBasis:
    staff = staff_for(user)
    if staff is None:
        family = family_citizen(user)
        if family is not None and family.pk == citizen_id:
            return AccessBasis(str(_("Your own login")))
        return AccessBasis(str(_("Guardian's login")))
    engagements = access_engagements(staff).filter(citizen_id=citizen_id).order_by("valid_from")
    # An ordinary relation names the access even when the glass was broken too.
    engagement = engagements.exclude(kind=Engagement.Kind.EMERGENCY).select_related("unit").first()
    if engagement is not None:
        if engagement.unit is not None:
            return AccessBasis(f"{engagement.get_kind_display()} ({engagement.unit.name})")
        return AccessBasis(str(engagement.get_kind_display()))
    if _plans_taken_part_in(staff).filter(members__citizen_id=citizen_id).exists():
        return AccessBasis(str(_("Takes part in the shared plan")))
    emergency = engagements.filter(kind=Engagement.Kind.EMERGENCY).first()
    if emergency is not None:
        reason = emergency.purpose
        return AccessBasis(str(_("Break the glass: %(reason)s") % {"reason": reason}), True)
    return AccessBasis("")


def audit_read(
    user: AnyUser, obj: Any, citizen_ids: list[int], action: str = audit_codes.VIEW
) -> None:
    """Log that ``user`` was handed ``obj``, which holds personal data about these citizens."""
    if not citizen_ids:
        return
    basis = access_basis(user, citizen_ids[0])
    trail.log_read(
        user,
        obj,
        citizen_ids,
        action=action,
        purpose=basis.purpose,
        break_glass=basis.break_glass,
    )


def can_break_glass(user: AnyUser, on: dt.date | None = None) -> bool:
    """On-call front-line staff (a role marked for it) may open a citizen in an emergency."""
    staff = staff_for(user)
    if staff is None:
        return False
    return (
        _own_roles(staff, on or today(), Role.Kind.FRONTLINE)
        .filter(role__emergency_access=True)
        .exists()
    )


def can_register_citizen(user: AnyUser) -> bool:
    staff = staff_for(user)
    return staff is not None and Role.Kind.FRONTLINE in role_kinds(staff)


def can_register_citizen_in(user: AnyUser, municipality: Municipality) -> bool:
    """Front-line staff register citizens of their own municipality only."""
    staff = staff_for(user)
    return (
        can_register_citizen(user)
        and staff is not None
        and (staff.municipality_id == municipality.pk)
    )


def can_view_organisation(user: AnyUser) -> bool:
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    return staff_for(user) is not None or user.is_staff


def visible_units(user: AnyUser) -> UnitQuerySet:
    """Units of the user's own municipality (all municipalities for administrators)."""
    if not can_view_organisation(user):
        return Unit.objects.none()
    staff = staff_for(user)
    if staff is None:
        return Unit.objects.all()
    return Unit.objects.filter(municipality_id=staff.municipality_id)


def visible_staff(user: AnyUser) -> QuerySet[Staff]:
    if not can_view_organisation(user):
        return Staff.objects.none()
    staff = staff_for(user)
    if staff is None:
        return Staff.objects.all()
    return Staff.objects.filter(municipality_id=staff.municipality_id)


# --------------------------------------------------------------------------- granting roles
#
# A role is access: a front-line role in a unit opens the citizens engaged
# with the unit (``access_engagements``). So an administrator grants, changes
# and ends roles only of staff and in units the admin's scoping lets them see
# (``visible_staff``, ``visible_units``), and never their own: the roles of
# the staff record linked to an administrator's login are given by another
# administrator, two people instead of one. The same holds for the link
# itself: whoever logs in with a staff record's login holds its roles, so no
# one links their own login to a staff record, or changes the record that is
# theirs (its municipality decides which of its roles count).


def _administrator(user: AnyUser) -> User | None:
    if isinstance(user, User) and user.is_authenticated and user.is_active and user.is_staff:
        return user
    return None


def may_assign_role(user: AnyUser, staff: Staff, unit: Unit | None = None) -> bool:
    """Whether ``user`` may grant, change or end a role of ``staff`` (in ``unit``)."""
    admin = _administrator(user)
    if admin is None or staff.pk is None or staff.user_id == admin.pk:
        return False
    if not visible_staff(admin).filter(pk=staff.pk).exists():
        return False
    return unit is None or visible_units(admin).filter(pk=unit.pk).exists()


def may_change_staff(user: AnyUser, stored: Staff | None, login: AnyUser) -> bool:
    """Whether ``user`` may save a staff record (``stored``, or a new one) linked to ``login``.

    ``stored`` is the record as it is in the database, before the change.
    """
    admin = _administrator(user)
    if admin is None:
        return False
    if isinstance(login, User) and login.pk == admin.pk:
        return False
    if stored is None or stored.pk is None:
        return True
    return stored.user_id != admin.pk and visible_staff(admin).filter(pk=stored.pk).exists()


@dataclass(frozen=True)
class Capabilities:
    """What the home page offers a user; each flag mirrors a rule above."""

    sees_citizens: bool
    registers_citizens: bool
    leads_units: bool
    analyses_data: bool
    reads_committee_reports: bool
    administers: bool


def capabilities(user: AnyUser) -> Capabilities:
    staff = staff_for(user)
    kinds = role_kinds(staff) if staff else set()
    return Capabilities(
        sees_citizens=Role.Kind.FRONTLINE in kinds,
        registers_citizens=Role.Kind.FRONTLINE in kinds,
        leads_units=Role.Kind.LEADER in kinds,
        analyses_data=Role.Kind.ANALYST in kinds,
        reads_committee_reports=Role.Kind.POLITICIAN in kinds,
        administers=isinstance(user, User) and user.is_staff,
    )


def get_unit_for_user(user: AnyUser, unit_id: int) -> Unit:
    """The unit registration, or 404 when it does not exist or lies outside the user's reach."""
    unit = (
        visible_units(user)
        .select_related("municipality", "unit_type", "sector", "parent")
        .filter(pk=unit_id)
        .first()
    )
    if unit is None:
        raise Http404("No such unit")
    return unit


# --------------------------------------------------------------------------- family logins


def family_citizen(user: AnyUser) -> Citizen | None:
    """The citizen a family login belongs to (``None`` for staff and anonymous users)."""
    if not isinstance(user, User) or not user.is_authenticated:
        return None
    try:
        return user.citizen
    except Citizen.DoesNotExist:
        return None


def family_members_in_care(user: AnyUser) -> CitizenQuerySet:
    """The family login's own citizen and the children in their care."""
    citizen = family_citizen(user)
    if citizen is None:
        return Citizen.objects.none()
    return Citizen.objects.filter(
        Q(pk=citizen.pk) | Q(pk__in=citizen.children_in_care().values("pk"))
    )


# --------------------------------------------------------------------------- plans


def _plans_taken_part_in(staff: Staff) -> QuerySet[Plan]:
    return Plan.objects.filter(status=Plan.Status.ACTIVE).filter(
        Q(coordinator=staff) | Q(participants__staff=staff)
    )


def visible_plans(user: AnyUser) -> QuerySet[Plan]:
    """Plans ``user`` may open: through a citizen they may see, or by taking part."""
    staff = staff_for(user)
    if staff is not None:
        members = PlanMember.objects.filter(citizen__in=visible_citizens(user))
        return Plan.objects.filter(
            Q(pk__in=members.values("plan_id")) | Q(pk__in=_plans_taken_part_in(staff).values("pk"))
        )
    members = PlanMember.objects.filter(citizen__in=family_members_in_care(user))
    return Plan.objects.filter(pk__in=members.values("plan_id"))


def get_plan_for_user(user: AnyUser, plan_id: int) -> Plan:
    """The plan, or 404 when it does not exist or the user may not see it."""
    plan = (
        visible_plans(user)
        .select_related("coordinator", "municipality", "created_by")
        .filter(pk=plan_id)
        .first()
    )
    if plan is None:
        raise Http404("No such plan")
    audit_read(user, plan, plan_citizen_ids(plan.pk))
    return plan


def plan_citizen_ids(plan_id: int) -> list[int]:
    return list(PlanMember.objects.filter(plan_id=plan_id).values_list("citizen_id", flat=True))


def can_view_plan(user: AnyUser, plan: Plan) -> bool:
    return visible_plans(user).filter(pk=plan.pk).exists()


def can_edit_plan(user: AnyUser, plan: Plan) -> bool:
    """Coordinator and participants change an active plan; other viewers only read it."""
    staff = staff_for(user)
    if staff is None or not plan.is_active:
        return False
    return plan.coordinator_id == staff.pk or plan.participants.filter(staff=staff).exists()


def works_with_named_children(staff: Staff, on: dt.date | None = None) -> bool:
    """Front-line staff and leaders coordinate a plan or own a concern's follow-up.

    Analysts and politicians work with aggregates, never with a named child, so
    they are never handed one (which would open the child to them).
    """
    return _own_roles(staff, on or today(), Role.Kind.FRONTLINE, Role.Kind.LEADER).exists()


def can_start_plan(user: AnyUser, citizen: Citizen) -> bool:
    """Front-line staff who work with the citizen start their plan (the action checks the rest)."""
    return can_register_citizen(user) and can_view_citizen(user, citizen)


def get_plan_for_staff(user: AnyUser, plan_id: int) -> Plan:
    """The plan for the professionals' pages and API; 404 for family logins as well.

    A family reads its plan in the family view, in plain language.
    """
    if staff_for(user) is None:
        raise Http404("No such plan")
    return get_plan_for_user(user, plan_id)


def is_family_of_plan(user: AnyUser, plan: Plan) -> bool:
    return plan.members.filter(citizen__in=family_members_in_care(user)).exists()


def can_rate_in_plan(user: AnyUser, plan: Plan) -> bool:
    """Ratings are given by the family, or recorded by those who work on the plan."""
    if not plan.is_active:
        return False
    return is_family_of_plan(user, plan) or can_edit_plan(user, plan)


def can_update_action(user: AnyUser, action: Action) -> bool:
    staff = staff_for(user)
    if staff is None:
        return False
    return action.owner_id == staff.pk or can_edit_plan(user, action.plan)


def visible_meetings(user: AnyUser) -> QuerySet[Meeting]:
    return Meeting.objects.filter(plan__in=visible_plans(user))


def get_meeting_for_user(user: AnyUser, meeting_id: int) -> Meeting:
    meeting = (
        visible_meetings(user).select_related("plan", "created_by").filter(pk=meeting_id).first()
    )
    if meeting is None:
        raise Http404("No such meeting")
    audit_read(user, meeting, plan_citizen_ids(meeting.plan_id))
    return meeting


def visible_actions(user: AnyUser) -> QuerySet[Action]:
    staff = staff_for(user)
    condition = Q(plan__in=visible_plans(user))
    if staff is not None:
        condition |= Q(owner=staff)
    return Action.objects.filter(condition)


def get_action_for_user(user: AnyUser, action_id: int) -> Action:
    action = (
        visible_actions(user)
        .select_related("plan", "owner", "meeting")
        .filter(pk=action_id)
        .first()
    )
    if action is None:
        raise Http404("No such action")
    audit_read(user, action, plan_citizen_ids(action.plan_id))
    return action


# --------------------------------------------------------------------------- leaders' lists


def led_units(user: AnyUser, on: dt.date | None = None) -> UnitQuerySet:
    """The units a leader leads today, with every unit beneath them."""
    staff = staff_for(user)
    if staff is None:
        return Unit.objects.none()
    on = on or today()
    led = Unit.objects.filter(pk__in=_own_roles(staff, on, Role.Kind.LEADER).values("unit_id"))
    condition = Q(pk__in=[])
    for path in led.values_list("path", flat=True):
        condition |= Q(path__startswith=path)
    return Unit.objects.filter(condition)


def staff_in_led_units(user: AnyUser, on: dt.date | None = None) -> QuerySet[Staff]:
    on = on or today()
    return Staff.objects.filter(
        pk__in=RoleAssignment.objects.valid_on(on)
        .filter(unit__in=led_units(user, on))
        .values("staff_id")
    )


def led_overdue_actions(user: AnyUser, on: dt.date | None = None) -> QuerySet[Action]:
    """Overdue actions owned by staff in the leader's units (shown without citizen data)."""
    on = on or today()
    return Action.objects.overdue(on).filter(owner__in=staff_in_led_units(user, on))


def led_overdue_concerns(user: AnyUser, on: dt.date | None = None) -> QuerySet[Concern]:
    on = on or today()
    return Concern.objects.filter(
        status=Concern.Status.OPEN, follow_up_on__lt=on, unit__in=led_units(user, on)
    )


# --------------------------------------------------------------------------- worklist


def editable_plans(user: AnyUser) -> QuerySet[Plan]:
    """Active plans the user may change (coordinator or participant), as ``can_edit_plan``."""
    staff = staff_for(user)
    if staff is None:
        return Plan.objects.none()
    return Plan.objects.filter(pk__in=_plans_taken_part_in(staff).values("pk"))


def can_edit_needs_rule(user: AnyUser) -> bool:
    """Leaders of the municipality's root unit or of an administration set the worklist rule.

    The root unit has depth 1, an administration depth 2 (``Unit.depth``).
    """
    staff = staff_for(user)
    if staff is None:
        return False
    return _own_roles(staff, today(), Role.Kind.LEADER).filter(unit__depth__lte=2).exists()


# --------------------------------------------------------------------------- concerns


def can_log_concern(user: AnyUser, citizen: Citizen) -> bool:
    """Any staff member who works with the child may log a concern about them."""
    return staff_for(user) is not None and can_view_citizen(user, citizen)


def visible_concerns(user: AnyUser) -> QuerySet[Concern]:
    staff = staff_for(user)
    if staff is None:
        return Concern.objects.none()
    return Concern.objects.filter(Q(raised_by=staff) | Q(follow_up_owner=staff))


def get_concern_for_user(user: AnyUser, concern_id: int) -> Concern:
    concern = (
        visible_concerns(user)
        .select_related("citizen", "unit", "raised_by", "follow_up_owner", "plan")
        .filter(pk=concern_id)
        .first()
    )
    if concern is None:
        raise Http404("No such concern")
    audit_read(user, concern, [concern.citizen_id])
    return concern


def can_follow_up_concern(user: AnyUser, concern: Concern) -> bool:
    """The follow-up owner (and the one who raised it) act on an open concern."""
    staff = staff_for(user)
    return (
        staff is not None
        and concern.is_open
        and staff.pk in (concern.follow_up_owner_id, concern.raised_by_id)
    )


# --------------------------------------------------------------------------- referrals


def _unit_ids_with_role(staff: Staff, on: dt.date) -> QuerySet[RoleAssignment, Any]:
    return _own_roles(staff, on, Role.Kind.FRONTLINE, Role.Kind.LEADER).values("unit_id")


def staff_units(user: AnyUser, on: dt.date | None = None) -> UnitQuerySet:
    """Units where the user holds a front-line or leader role today."""
    staff = staff_for(user)
    if staff is None:
        return Unit.objects.none()
    return Unit.objects.filter(pk__in=_unit_ids_with_role(staff, on or today()))


def visible_referrals(user: AnyUser) -> QuerySet[Referral]:
    staff = staff_for(user)
    if staff is None:
        return Referral.objects.none()
    units = _unit_ids_with_role(staff, today())
    return Referral.objects.filter(
        Q(sent_by=staff) | Q(from_unit_id__in=units) | Q(to_unit_id__in=units)
    )


def get_referral_for_user(user: AnyUser, referral_id: int) -> Referral:
    referral = (
        visible_referrals(user)
        .select_related("citizen", "from_unit", "to_unit", "sent_by", "decided_by", "consent")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        raise Http404("No such referral")
    audit_read(user, referral, [referral.citizen_id])
    return referral


def can_refer(user: AnyUser, citizen: Citizen) -> bool:
    return can_log_concern(user, citizen)


def can_decide_referral(user: AnyUser, referral: Referral) -> bool:
    """Staff of the receiving unit answer a referral that is still open."""
    staff = staff_for(user)
    if staff is None or not referral.is_open:
        return False
    return _unit_ids_with_role(staff, today()).filter(unit_id=referral.to_unit_id).exists()


def can_withdraw_referral(user: AnyUser, referral: Referral) -> bool:
    """The sender, or staff of the sending unit, withdraw a referral that is still open."""
    staff = staff_for(user)
    if staff is None or not referral.is_open:
        return False
    return (
        referral.sent_by_id == staff.pk
        or _unit_ids_with_role(staff, today()).filter(unit_id=referral.from_unit_id).exists()
    )


def readable_referrals(user: AnyUser) -> QuerySet[Referral]:
    """Referrals whose child and question the user may read, not only count.

    The sender, front-line staff of either unit, and whoever may still decide
    on it (the receiving unit's leader included: visitation). Other leaders of
    the two units see the referral as a row in their units' numbers, without
    the child's name or the question.
    """
    staff = staff_for(user)
    if staff is None:
        return Referral.objects.none()
    on = today()
    frontline = _frontline_unit_ids(staff, on)
    return Referral.objects.filter(
        Q(sent_by=staff)
        | Q(from_unit_id__in=frontline)
        | Q(to_unit_id__in=frontline)
        | Q(status__in=Referral.OPEN_STATUSES, to_unit_id__in=_unit_ids_with_role(staff, on))
    )


# --------------------------------------------------------------------------- feedback (FIT)


def scale_municipality(user: AnyUser) -> Municipality | None:
    """The municipality whose enabled rating scales apply to ``user`` (staff or family)."""
    staff = staff_for(user)
    if staff is not None:
        return staff.municipality
    citizen = family_citizen(user)
    return citizen.municipality if citizen is not None else None


def can_manage_scales(user: AnyUser, municipality: Municipality) -> bool:
    """A leader of the municipality enables the scales it holds a licence for."""
    staff = staff_for(user)
    return (
        staff is not None
        and staff.municipality_id == municipality.pk
        and Role.Kind.LEADER in role_kinds(staff)
    )


# --------------------------------------------------------------------------- stories


def stories_to_decide(user: AnyUser) -> QuerySet[Story]:
    """Stories proposed for sharing from the units a leader leads."""
    return Story.objects.filter(sharing=Story.Sharing.PROPOSED, sharing_unit__in=led_units(user))


def can_decide_story(user: AnyUser, story: Story) -> bool:
    return stories_to_decide(user).filter(pk=story.pk).exists()


def get_story_for_user(user: AnyUser, story_id: int) -> Story:
    """A story in full (names and all) for staff who may see its plan; 404 otherwise."""
    if staff_for(user) is None:
        raise Http404("No such story")
    story = (
        Story.objects.filter(plan__in=visible_plans(user), pk=story_id)
        .select_related("plan", "goal", "written_by", "sharing_unit")
        .first()
    )
    if story is None:
        raise Http404("No such story")
    audit_read(user, story, plan_citizen_ids(story.plan_id))
    return story


def get_story_to_decide(user: AnyUser, story_id: int) -> Story:
    """A proposed story for the leader who decides on it (read its anonymised text only)."""
    story = stories_to_decide(user).filter(pk=story_id).first()
    if story is None:
        raise Http404("No such story")
    return story


def shared_stories(user: AnyUser) -> QuerySet[Story]:
    """Anonymised stories shared in the user's municipality (read the anonymised text only)."""
    staff = staff_for(user)
    if staff is None:
        return Story.objects.none()
    return Story.objects.filter(
        sharing=Story.Sharing.SHARED, plan__municipality_id=staff.municipality_id
    )


# --------------------------------------------------------------------------- results
#
# Results are aggregates about units; no rule here opens a citizen. Who sees a
# unit's results follows Hjørring's "two levels up and two down": a leader sees
# the units they lead, everything beneath them, and the two levels above each
# (what their chief and her chief are measured on); front-line staff see their
# own units and the two levels above; analysts and politicians see every unit
# of their municipality (every value shown anywhere is already suppressed
# below five persons).


def results_units(user: AnyUser, on: dt.date | None = None) -> UnitQuerySet:
    """Units whose results the user may see."""
    staff = staff_for(user)
    if staff is None:
        return Unit.objects.none()
    on = on or today()
    home = Unit.objects.filter(municipality_id=staff.municipality_id)
    roles = list(
        _own_roles(
            staff,
            on,
            Role.Kind.LEADER,
            Role.Kind.FRONTLINE,
            Role.Kind.ANALYST,
            Role.Kind.POLITICIAN,
        ).select_related("unit", "role")
    )
    if any(r.role.kind in (Role.Kind.ANALYST, Role.Kind.POLITICIAN) for r in roles):
        return home
    condition = Q(pk__in=[])
    for assignment in roles:
        unit = assignment.unit
        condition |= Q(pk__in=[unit.pk, *unit.ancestor_ids()[-2:]])
        if assignment.role.kind == Role.Kind.LEADER:
            condition |= Q(path__startswith=unit.path)
    return home.filter(condition)


def get_unit_for_results(user: AnyUser, unit_id: int) -> Unit:
    """The unit registration if the user may see its results, else 404."""
    unit = (
        results_units(user)
        .select_related("municipality", "unit_type", "sector", "parent")
        .filter(pk=unit_id)
        .first()
    )
    if unit is None:
        raise Http404("No such unit")
    # Values follow the unit's identity (key), so a closed registration shows the
    # unit's data of today: it opens only to those who may see today's registration.
    current = Unit.objects.valid_on(today()).filter(key=unit.key).exclude(pk=unit.pk).first()
    if current is not None and not results_units(user).filter(pk=current.pk).exists():
        raise Http404("No such unit")
    return unit


def can_manage_results(user: AnyUser, municipality: Municipality | None = None) -> bool:
    """Analysts and the municipal director keep the catalogue, committees and ambitions."""
    staff = staff_for(user)
    if staff is None or (municipality is not None and staff.municipality_id != municipality.pk):
        return False
    on = today()
    roles = _own_roles(staff, on, Role.Kind.ANALYST, Role.Kind.LEADER).select_related(
        "unit", "role"
    )
    return any(r.role.kind == Role.Kind.ANALYST or r.unit.parent_id is None for r in roles)


def leads_unit(user: AnyUser, unit: Unit) -> bool:
    """Whether the user leads the unit or a unit above it, today."""
    return led_units(user).filter(pk=unit.pk).exists()


def can_edit_ambition(user: AnyUser, ambition: Ambition) -> bool:
    staff = staff_for(user)
    return staff is not None and (
        ambition.owner_id == staff.pk or can_manage_results(user, ambition.municipality)
    )


def can_edit_marker(user: AnyUser, marker: Marker) -> bool:
    staff = staff_for(user)
    return staff is not None and (
        marker.owner_id == staff.pk or can_edit_ambition(user, marker.ambition)
    )


def can_set_target(user: AnyUser, unit: Unit) -> bool:
    """The unit's leaders (at any level above) and the results managers set targets."""
    return leads_unit(user, unit) or can_manage_results(user, unit.municipality)


def can_record_measurement(user: AnyUser, unit: Unit) -> bool:
    return can_set_target(user, unit)


def visible_reports(user: AnyUser) -> QuerySet[StatusReport]:
    """Leaders and analysts see every report of their municipality; others the approved ones."""
    staff = staff_for(user)
    if staff is None:
        return StatusReport.objects.none()
    reports = StatusReport.objects.filter(committee__municipality_id=staff.municipality_id)
    # Roles at home only: a role in another municipality's unit opens no draft here.
    if _own_roles(staff, today(), Role.Kind.LEADER, Role.Kind.ANALYST).exists():
        return reports
    return reports.filter(status=StatusReport.Status.APPROVED)


def get_report_for_user(user: AnyUser, report_id: int) -> StatusReport:
    report = (
        visible_reports(user)
        .select_related("committee", "committee__municipality", "submitted_by", "approved_by")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        raise Http404("No such report")
    return report


def _report_scope_units(report: StatusReport) -> UnitQuerySet:
    return Unit.objects.filter(
        Q(ambitions__committee=report.committee, ambitions__is_active=True)
        | Q(markers__ambition__committee=report.committee)
    )


# Each report right comes twice: ``may_*`` is the right whatever the report's
# state (a page answers 403 without it), ``can_*`` adds the state the change
# needs (offered as a button only then; the action explains a wrong state, 422).


def may_write_narrative(user: AnyUser, report: StatusReport, marker: Marker) -> bool:
    """The marker's responsible leader (or the ambition's owner) writes its narrative."""
    staff = staff_for(user)
    if staff is None or marker.ambition.committee_id != report.committee_id:
        return False
    return marker.owner_id == staff.pk or marker.ambition.owner_id == staff.pk


def can_write_narrative(user: AnyUser, report: StatusReport, marker: Marker) -> bool:
    return report.status == StatusReport.Status.DRAFT and may_write_narrative(user, report, marker)


def may_submit_report(user: AnyUser, report: StatusReport) -> bool:
    """A leader of a unit the committee's ambitions cover, or an owner of one, submits."""
    staff = staff_for(user)
    if staff is None or staff.municipality_id != report.committee.municipality_id:
        return False
    owns = Ambition.objects.filter(committee=report.committee).filter(
        Q(owner=staff) | Q(markers__owner=staff)
    )
    return owns.exists() or led_units(user).filter(pk__in=_report_scope_units(report)).exists()


def can_submit_report(user: AnyUser, report: StatusReport) -> bool:
    return report.status == StatusReport.Status.DRAFT and may_submit_report(user, report)


def may_approve_report(user: AnyUser, report: StatusReport) -> bool:
    """The municipal director (leader of the municipality's root unit) approves or returns."""
    staff = staff_for(user)
    if staff is None or staff.municipality_id != report.committee.municipality_id:
        return False
    return _own_roles(staff, today(), Role.Kind.LEADER).filter(unit__parent__isnull=True).exists()


def can_approve_report(user: AnyUser, report: StatusReport) -> bool:
    return report.status == StatusReport.Status.SUBMITTED and may_approve_report(user, report)


def visible_curves(user: AnyUser) -> QuerySet[CurvePlan]:
    return CurvePlan.objects.filter(unit__in=results_units(user))


def get_curve_for_user(user: AnyUser, curve_id: int) -> CurvePlan:
    curve = (
        visible_curves(user)
        .select_related("indicator", "unit", "owner")
        .filter(pk=curve_id)
        .first()
    )
    if curve is None:
        raise Http404("No such plan")
    return curve


def can_edit_curve(user: AnyUser, curve: CurvePlan) -> bool:
    staff = staff_for(user)
    return staff is not None and (curve.owner_id == staff.pk or leads_unit(user, curve.unit))


def can_start_curve(user: AnyUser, unit: Unit) -> bool:
    return leads_unit(user, unit)


def visible_reflections(user: AnyUser) -> QuerySet[Reflection]:
    """A reflection is read by its leader team: those who took part and the unit's leaders."""
    staff = staff_for(user)
    if staff is None:
        return Reflection.objects.none()
    return Reflection.objects.filter(
        Q(unit__in=led_units(user))
        | Q(led_by=staff)
        | Q(participants=staff)
        | Q(follow_up_owner=staff)
    ).distinct()


def get_reflection_for_user(user: AnyUser, reflection_id: int) -> Reflection:
    reflection = (
        visible_reflections(user).select_related("unit", "led_by").filter(pk=reflection_id).first()
    )
    if reflection is None:
        raise Http404("No such reflection")
    return reflection


def can_record_reflection(user: AnyUser, unit: Unit) -> bool:
    return leads_unit(user, unit)


def can_edit_reflection(user: AnyUser, reflection: Reflection) -> bool:
    staff = staff_for(user)
    return staff is not None and (
        reflection.led_by_id == staff.pk
        or reflection.follow_up_owner_id == staff.pk
        or leads_unit(user, reflection.unit)
    )


# results: chain and units
#
# Committees, ambitions and markers are the municipality's political goals and
# how they are followed: every staff member of the municipality reads them (no
# value and no citizen is in them). Changing them is asked of
# ``can_manage_results``, ``can_edit_ambition`` and ``can_edit_marker`` above.


def visible_committees(user: AnyUser) -> QuerySet[Committee]:
    """The committees of the staff member's municipality."""
    staff = staff_for(user)
    if staff is None:
        return Committee.objects.none()
    return Committee.objects.filter(municipality_id=staff.municipality_id)


def get_committee_for_user(user: AnyUser, committee_id: int) -> Committee:
    committee = visible_committees(user).filter(pk=committee_id).first()
    if committee is None:
        raise Http404("No such committee")
    return committee


def visible_ambitions(user: AnyUser) -> QuerySet[Ambition]:
    """The ambitions of the staff member's municipality, active or not (they stay readable)."""
    staff = staff_for(user)
    if staff is None:
        return Ambition.objects.none()
    return Ambition.objects.filter(municipality_id=staff.municipality_id)


def get_ambition_for_user(user: AnyUser, ambition_id: int) -> Ambition:
    ambition = (
        visible_ambitions(user)
        .select_related("committee", "owner", "municipality")
        .filter(pk=ambition_id)
        .first()
    )
    if ambition is None:
        raise Http404("No such ambition")
    return ambition


def get_marker_for_user(user: AnyUser, marker_id: int) -> Marker:
    marker = (
        Marker.objects.filter(ambition__in=visible_ambitions(user))
        .select_related("ambition", "ambition__committee", "ambition__municipality", "owner")
        .filter(pk=marker_id)
        .first()
    )
    if marker is None:
        raise Http404("No such marker")
    return marker


# results: curves


def can_update_curve_action(user: AnyUser, action: CurveAction) -> bool:
    """A curve action is marked done or cancelled by its owner or by those who edit the curve."""
    staff = staff_for(user)
    if staff is None or not action.curve.is_active:
        return False
    return action.owner_id == staff.pk or can_edit_curve(user, action.curve)


def get_curve_action_for_user(user: AnyUser, action_id: int) -> CurveAction:
    """A curve action its owner, or anyone who may see its plan, may open; else 404."""
    staff = staff_for(user)
    action = (
        CurveAction.objects.filter(Q(curve__in=visible_curves(user)) | Q(owner=staff))
        .select_related("curve", "curve__unit", "curve__indicator", "owner")
        .filter(pk=action_id)
        .first()
        if staff is not None
        else None
    )
    if action is None:
        raise Http404("No such action")
    return action


def can_view_freshness(user: AnyUser) -> bool:
    """Freshness scores are a leadership tool: leaders and analysts of the municipality."""
    staff = staff_for(user)
    return (
        staff is not None
        and _own_roles(staff, today(), Role.Kind.LEADER, Role.Kind.ANALYST).exists()
    )


# results: catalogue
#
# The indicator catalogue is the municipality's own, readable by all its staff
# (definitions are not personal data); measurements and targets are shown for
# the units whose results the user may see (``results_units``).


def visible_indicators(user: AnyUser) -> QuerySet[Indicator]:
    """The indicators of the user's municipality; none for a user without a staff record."""
    staff = staff_for(user)
    if staff is None:
        return Indicator.objects.none()
    return Indicator.objects.filter(municipality_id=staff.municipality_id)


def get_indicator_for_user(user: AnyUser, indicator_id: int) -> Indicator:
    """The indicator, or 404 when it belongs to another municipality (or does not exist)."""
    indicator = (
        visible_indicators(user).select_related("municipality").filter(pk=indicator_id).first()
    )
    if indicator is None:
        raise Http404("No such indicator")
    return indicator


def target_units(user: AnyUser, on: dt.date | None = None) -> UnitQuerySet:
    """Units (valid on ``on``) the user may set targets and record values for.

    Results managers: every unit of the municipality; leaders: the units they
    lead and everything beneath them (``can_set_target``, as a query).
    """
    staff = staff_for(user)
    if staff is None:
        return Unit.objects.none()
    on = on or today()
    if can_manage_results(user):
        units = Unit.objects.filter(municipality_id=staff.municipality_id)
    else:
        units = led_units(user).filter(municipality_id=staff.municipality_id)
    return units.valid_on(on)


def can_import_measurements(user: AnyUser) -> bool:
    """Results managers and leaders import values (each row only for units they may record)."""
    return can_manage_results(user) or led_units(user).exists()


def get_target_for_user(user: AnyUser, target_id: int) -> Target:
    """A target of a visible indicator for a unit whose results the user sees, else 404."""
    target = (
        Target.objects.filter(
            indicator__in=visible_indicators(user),
            unit_key__in=results_units(user).values("key"),
        )
        .select_related("indicator", "unit", "unit__municipality")
        .filter(pk=target_id)
        .first()
    )
    if target is None:
        raise Http404("No such target")
    return target


# --------------------------------------------------------------------------- audit
#
# The audit log's own pages. A family login reads the entries about its own
# citizen and the children in its care (the GDPR right of access), never
# about a sibling it has no right to; staff read no one's insight page. A
# leader reviews unusual access by the staff who held a role, during the
# period reviewed, in a unit the leader leads today or beneath it; the
# municipal director (leader of the root unit) reviews every staff member of
# the municipality. Front-line staff, analysts and politicians review nothing.
# The review names staff and shows citizens by number only: reading the log
# opens no citizen, so nothing here is logged as a look-up.


def is_family_login(user: AnyUser) -> bool:
    """A citizen's own login and not a staff member's: the one who has an insight page."""
    return family_citizen(user) is not None and staff_for(user) is None


def insight_citizens(user: AnyUser) -> CitizenQuerySet:
    """Citizens whose audit entries a family login may read: itself and its children in care."""
    if not is_family_login(user):
        return Citizen.objects.none()
    return family_members_in_care(user)


def can_review_access(user: AnyUser, on: dt.date | None = None) -> bool:
    """Leaders (a leader role at home today) review the look-ups made by their staff."""
    staff = staff_for(user)
    return staff is not None and _own_roles(staff, on or today(), Role.Kind.LEADER).exists()


def access_reviewable_staff(
    user: AnyUser, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[Staff]:
    """Staff whose audit entries a leader reviews for the period ``start``..``end``.

    A staff member who held a role in a led unit at any time in the period is
    included (someone who moved on last week is still reviewed for what they
    did before). Without a period, today's roles (``staff_in_led_units``).
    """
    staff = staff_for(user)
    if staff is None:
        return Staff.objects.none()
    on = today()
    if _own_roles(staff, on, Role.Kind.LEADER).filter(unit__parent__isnull=True).exists():
        return Staff.objects.filter(municipality_id=staff.municipality_id)
    if start is None and end is None:
        return staff_in_led_units(user, on)
    first, last = start or end or on, end or start or on
    held = RoleAssignment.objects.filter(
        Q(valid_from__lte=last) & (Q(valid_to__isnull=True) | Q(valid_to__gte=first)),
        unit__in=led_units(user, on),
    )
    return Staff.objects.filter(pk__in=held.values("staff_id"))


def role_review_unit_ids(user: AnyUser, on: dt.date | None = None) -> list[int]:
    """Units whose role grants a leader reviews: every registration of the units they lead.

    The units led today and beneath them (``led_units``), and their earlier
    registrations too (same ``key``), so that a role granted before a
    reorganisation is still reviewed by the unit's leader. The director's
    reach is the whole municipality, as for the rest of the review.
    """
    if not can_review_access(user, on):
        return []
    led = led_units(user, on).values("key")
    return list(Unit.objects.filter(key__in=led).values_list("pk", flat=True))


def get_reviewable_staff(
    user: AnyUser, staff_id: int, start: dt.date | None = None, end: dt.date | None = None
) -> Staff:
    """The staff member for a leader's drill-down, or 404 when outside the leader's reach."""
    found = access_reviewable_staff(user, start, end).filter(pk=staff_id).first()
    if found is None:
        raise Http404("No such staff member")
    return found


def staff_unit_names(staff_ids: list[int], on: dt.date | None = None) -> dict[int, str]:
    """Where each staff member works today, in one query: "who looked" on the insight page.

    Unit names only; a staff member with roles in several units gets them all.
    """
    names: dict[int, list[str]] = {}
    rows = (
        RoleAssignment.objects.valid_on(on)
        .filter(staff_id__in=set(staff_ids))
        .order_by("staff_id", "unit__name")
        .values_list("staff_id", "unit__name")
    )
    for staff_id, unit_name in rows:
        if unit_name not in names.setdefault(staff_id, []):
            names[staff_id].append(unit_name)
    return {staff_id: ", ".join(units) for staff_id, units in names.items()}


def family_login_ids(user_ids: list[int]) -> set[int]:
    """Which of these users are family logins: their names are citizens' and never shown."""
    return set(Citizen.objects.filter(user_id__in=set(user_ids)).values_list("user_id", flat=True))


# ---------------------------------------------------------- citizens: consent and emergency access
#
# A consent is read by whoever may see its citizen, and recorded or withdrawn
# by the front-line staff among them (a leader who takes part in a plan reads
# it but does not act for the family). A family login reads and withdraws the
# consents about itself and the children in its care, and those it gave
# itself. A withdrawal closes access at once through ``access_engagements``.
#
# Breaking the glass looks the CPR number up in the user's own municipality
# only, so a miss says nothing about whether the person lives elsewhere.


def can_manage_consents(user: AnyUser, citizen: Citizen) -> bool:
    """Front-line staff who may see the citizen record and withdraw their consents."""
    return can_register_citizen(user) and can_view_citizen(user, citizen)


def visible_consents(user: AnyUser) -> QuerySet[Consent]:
    """Consents ``user`` may read: of visible citizens (staff), or the family's own."""
    if staff_for(user) is not None:
        return Consent.objects.filter(citizen__in=visible_citizens(user))
    citizen = family_citizen(user)
    if citizen is None:
        return Consent.objects.none()
    return Consent.objects.filter(Q(citizen__in=family_members_in_care(user)) | Q(given_by=citizen))


def get_consent_for_user(user: AnyUser, consent_id: int) -> Consent:
    """The consent, or 404 when it does not exist or the user may not read it."""
    consent = (
        visible_consents(user)
        .select_related("citizen", "given_by", "recorded_by")
        .filter(pk=consent_id)
        .first()
    )
    if consent is None:
        raise Http404("No such consent")
    audit_read(user, consent, [consent.citizen_id])
    return consent


def may_withdraw_consent(user: AnyUser, consent: Consent) -> bool:
    """Whether ``user`` may withdraw the consent, whatever its state (the action checks that)."""
    if staff_for(user) is not None:
        return can_manage_consents(user, consent.citizen)
    return visible_consents(user).filter(pk=consent.pk).exists()


def find_citizen_for_break_glass(user: AnyUser, cpr: str) -> Citizen | None:
    """The citizen of the user's own municipality with this CPR number, for breaking the glass.

    ``None`` when the user may not break the glass, or nobody in their
    municipality has the number. Raises ValidationError for a malformed number.
    """
    staff = staff_for(user)
    if staff is None or not can_break_glass(user):
        return None
    return Citizen.objects.filter(municipality_id=staff.municipality_id).by_cpr(cpr)


def rests_on_emergency_access(user: AnyUser, citizen: Citizen) -> bool:
    """Whether the user sees the citizen today only because they broke the glass."""
    return access_basis(user, citizen.pk).break_glass


# accounts: login hardening
#
# Two-factor login is open to every user. HELHED_REQUIRE_2FA_FOR_STAFF makes it
# required for everyone who can reach citizens' data or run the system: staff
# members and technical administrators (Django staff or superusers). Family
# logins are not held to it: they see only their own family's plans.


def two_factor_required(user: AnyUser) -> bool:
    """Whether this user must set up two-factor login before using Helhed."""
    if not settings.HELHED_REQUIRE_2FA_FOR_STAFF:
        return False
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or staff_for(user) is not None


# --------------------------------------------------------------------------- access matrix
#
# Found by the access matrix (tests/security/test_access_matrix.py): an
# engagement resting on a consent opened the citizen to any sector, though the
# family consented to sharing with the sectors it named only. A referral
# accepted on a consent for school and social services gave a health unit
# full access, for example.


def _consent_covers_q(staff: Staff, on: dt.date) -> Q:
    """An engagement on a legal basis, or on a consent whose sectors cover the access.

    A unit's engagement is covered when the consent names the unit's sector; a
    personal one when it names the sector of a unit where ``staff`` holds a
    front-line role on ``on`` (the sector the staff member works in).
    """
    named = Consent.sectors.through.objects.filter(consent_id=OuterRef("consent_id"))
    own_sectors = Unit.objects.filter(pk__in=_frontline_unit_ids(staff, on)).values("sector_id")
    return (
        Q(consent__isnull=True)
        | (Q(unit__isnull=False) & Exists(named.filter(sector_id=OuterRef("unit__sector_id"))))
        | (Q(unit__isnull=True) & Exists(named.filter(sector_id__in=own_sectors)))
    )


# --------------------------------------------------------------------------- leadership
#
# Room to lead: the municipality's rules, documentation requirements, burden
# proposals, principles, methods, reforms and management spans. None of it is
# personal data about citizens, so every staff member of the municipality
# reads the registers (they are meant to be seen: a rule nobody can read
# cannot be questioned). Who may *decide* follows the management chain: the
# leader of the owning unit, or a leader above it. Anyone on the staff may
# propose removing a burden or record who uses a requirement's data.
#
# Management spans name leaders and count their staff: leaders see the spans
# of the units they lead, analysts and the director the whole municipality.
# A leader team's open reflection (each member's own answers) is read by its
# members only; the agenda it becomes, and the team's dilemma log, also by
# the leaders above the team's unit (the dialogue along the management chain).


def _own_municipality(user: AnyUser, queryset: QuerySet[M]) -> QuerySet[M]:
    """Rows of the staff member's municipality; nothing for anyone else."""
    staff = staff_for(user)
    if staff is None:
        return queryset.none()
    return queryset.filter(municipality_id=staff.municipality_id)


def _one_or_404(queryset: QuerySet[M], pk: int, what: str) -> M:
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404(f"No such {what}")
    return found


def leads_at_or_above(user: AnyUser, unit: Unit, on: dt.date | None = None) -> bool:
    """Whether the user leads ``unit`` or a unit above it, today (the right level to decide)."""
    staff = staff_for(user)
    if staff is None or staff.municipality_id != unit.municipality_id:
        return False
    return (
        _own_roles(staff, on or today(), Role.Kind.LEADER)
        .filter(unit_id__in=[*unit.ancestor_ids(), unit.pk])
        .exists()
    )


def is_leader(user: AnyUser, on: dt.date | None = None) -> bool:
    staff = staff_for(user)
    return staff is not None and _own_roles(staff, on or today(), Role.Kind.LEADER).exists()


def is_analyst(user: AnyUser, on: dt.date | None = None) -> bool:
    staff = staff_for(user)
    return staff is not None and _own_roles(staff, on or today(), Role.Kind.ANALYST).exists()


def is_director(user: AnyUser, on: dt.date | None = None) -> bool:
    """The leader of the municipality's root unit."""
    staff = staff_for(user)
    return (
        staff is not None
        and _own_roles(staff, on or today(), Role.Kind.LEADER)
        .filter(unit__parent__isnull=True)
        .exists()
    )


def has_staff_role(user: AnyUser, on: dt.date | None = None) -> bool:
    """Any role in the own municipality today: what it takes to read the registers and propose."""
    staff = staff_for(user)
    return (
        staff is not None
        and RoleAssignment.objects.valid_on(on or today())
        .filter(staff=staff, unit__municipality_id=staff.municipality_id)
        .exists()
    )


def staff_with_role_or_404(user: AnyUser) -> Staff:
    """Return the user's staff record when they hold a role in their municipality; else 404.

    What the registers, forums, trials, settlements and the directory ask of
    every page: a professional without a current role (moved, retired) sees
    them no more than a stranger does.
    """
    staff = staff_for(user)
    if staff is None or not has_staff_role(user):
        raise Http404("No staff role")
    return staff


def visible_rules(user: AnyUser) -> QuerySet[Rule]:
    return (
        _own_municipality(user, Rule.objects.all()) if has_staff_role(user) else Rule.objects.none()
    )


def get_rule_for_user(user: AnyUser, rule_id: int) -> Rule:
    return _one_or_404(visible_rules(user).select_related("owner", "owning_unit"), rule_id, "rule")


def can_register_rule(user: AnyUser) -> bool:
    """Leaders register rules (for the units they lead); analysts keep the register."""
    return is_leader(user) or is_analyst(user)


def can_decide_rule(user: AnyUser, rule: Rule) -> bool:
    """The owner, or a leader of the owning unit or above, keeps, changes or repeals a rule."""
    staff = staff_for(user)
    if staff is None or rule.status != Rule.Status.IN_FORCE:
        return False
    return rule.owner_id == staff.pk or leads_at_or_above(user, rule.owning_unit)


# leadership: rules


def rule_owning_units(user: AnyUser, on: dt.date | None = None) -> UnitQuerySet:
    """Units a rule may be registered for: those the user leads and beneath; all for analysts."""
    staff = staff_for(user)
    if staff is None:
        return Unit.objects.none()
    on = on or today()
    units = (Unit.objects.all() if is_analyst(user, on) else led_units(user, on)).filter(
        municipality_id=staff.municipality_id
    )
    return units.valid_on(on)


def rule_owner_candidates(user: AnyUser) -> QuerySet[Staff]:
    """Who may own a rule: any staff member of the user's own municipality."""
    return _own_municipality(user, Staff.objects.all())


def rules_owned_or_led(user: AnyUser) -> QuerySet[Rule]:
    """Rules in force the user owns, or whose owning unit the user leads or leads above.

    The owner's list of rules to review: a chief sees the rules of the
    schools beneath the administration as well as her own.
    """
    staff = staff_for(user)
    if staff is None:
        return Rule.objects.none()
    return visible_rules(user).filter(
        Q(owner_id=staff.pk) | Q(owning_unit__in=led_units(user)),
        status=Rule.Status.IN_FORCE,
    )


def visible_requirements(user: AnyUser) -> QuerySet[DocumentationRequirement]:
    if not has_staff_role(user):
        return DocumentationRequirement.objects.none()
    return _own_municipality(user, DocumentationRequirement.objects.all())


def get_requirement_for_user(user: AnyUser, requirement_id: int) -> DocumentationRequirement:
    return _one_or_404(
        visible_requirements(user).select_related("owner", "owning_unit"),
        requirement_id,
        "requirement",
    )


# leadership: documentation
#
# A use of data is read with what it is a use of: a requirement of the
# municipality, or an indicator of its results catalogue. Whoever recorded a
# use may end it; so may an analyst (who keeps the registers) and, for a
# requirement, a leader of its owning unit or above. For an indicator, which
# has no owning unit, the municipal director stands in for that leader.


def documentation_indicators(user: AnyUser) -> QuerySet[Indicator]:
    """The results catalogue's indicators, as the documentation register shows them."""
    if not has_staff_role(user):
        return Indicator.objects.none()
    return visible_indicators(user)


def get_documentation_indicator_for_user(user: AnyUser, indicator_id: int) -> Indicator:
    return _one_or_404(documentation_indicators(user), indicator_id, "indicator")


def visible_data_uses(user: AnyUser) -> QuerySet[DataUse]:
    if not has_staff_role(user):
        return DataUse.objects.none()
    return DataUse.objects.filter(
        Q(requirement__in=visible_requirements(user).values("pk"))
        | Q(indicator__in=documentation_indicators(user).values("pk"))
    )


def get_data_use_for_user(user: AnyUser, use_id: int) -> DataUse:
    return _one_or_404(
        visible_data_uses(user).select_related(
            "requirement", "requirement__owning_unit", "indicator", "recorded_by"
        ),
        use_id,
        "data use",
    )


def can_end_data_use(user: AnyUser, use: DataUse) -> bool:
    """The recorder, an analyst, or the leader level of what the data belongs to."""
    staff = staff_for(user)
    if staff is None or use.ended_on is not None or not has_staff_role(user):
        return False
    if use.recorded_by_id == staff.pk or is_analyst(user):
        return True
    if use.requirement is not None:
        return leads_at_or_above(user, use.requirement.owning_unit)
    return is_director(user)


def can_register_requirement(user: AnyUser) -> bool:
    return is_leader(user) or is_analyst(user)


def can_record_data_use(user: AnyUser) -> bool:
    """Anyone on the staff may say they use a requirement's data, or an indicator."""
    return has_staff_role(user)


def can_drop_requirement(user: AnyUser, requirement: DocumentationRequirement) -> bool:
    """A leader of the owning unit or above drops a requirement (the owner alone may not)."""
    return requirement.status == DocumentationRequirement.Status.ACTIVE and leads_at_or_above(
        user, requirement.owning_unit
    )


def visible_proposals(user: AnyUser) -> QuerySet[BurdenProposal]:
    if not has_staff_role(user):
        return BurdenProposal.objects.none()
    return _own_municipality(user, BurdenProposal.objects.all())


def get_proposal_for_user(user: AnyUser, proposal_id: int) -> BurdenProposal:
    return _one_or_404(
        visible_proposals(user).select_related(
            "theme", "rule", "requirement", "decision_unit", "proposed_by", "decided_by"
        ),
        proposal_id,
        "proposal",
    )


def can_propose(user: AnyUser) -> bool:
    return has_staff_role(user)


def can_decide_proposal(user: AnyUser, proposal: BurdenProposal) -> bool:
    """The right level: a leader of the unit the proposal is decided at, or above it."""
    return proposal.status == BurdenProposal.Status.PROPOSED and leads_at_or_above(
        user, proposal.decision_unit
    )


def can_complete_proposal(user: AnyUser, proposal: BurdenProposal) -> bool:
    """Whoever decided it (or a leader at that level) follows an accepted proposal to done."""
    return proposal.status == BurdenProposal.Status.ACCEPTED and leads_at_or_above(
        user, proposal.decision_unit
    )


# leadership: proposals


def visible_themes(user: AnyUser) -> QuerySet[BurdenTheme]:
    """The municipality's burden themes: every staff member picks from them."""
    if not has_staff_role(user):
        return BurdenTheme.objects.none()
    return _own_municipality(user, BurdenTheme.objects.all())


def can_add_theme(user: AnyUser) -> bool:
    """Leaders and analysts add a theme; others pick one, so the grouping stays usable."""
    return is_leader(user) or is_analyst(user)


def decides_proposals_at(user: AnyUser, proposal: BurdenProposal) -> bool:
    """Whether the user is at the right level for the proposal, whatever its status.

    Tells "not yours to decide" (403) from "already decided" (a clear error).
    """
    return leads_at_or_above(user, proposal.decision_unit)


def proposals_to_decide(user: AnyUser) -> QuerySet[BurdenProposal]:
    """Proposals waiting for a decision at a unit the user leads, or beneath one."""
    return visible_proposals(user).filter(
        status=BurdenProposal.Status.PROPOSED, decision_unit__in=led_units(user)
    )


def proposal_units(user: AnyUser) -> UnitQuerySet:
    """Units a procedure's proposal may be decided at: the municipality's units of today."""
    staff = staff_for(user)
    if staff is None or not has_staff_role(user):
        return Unit.objects.none()
    return Unit.objects.filter(municipality_id=staff.municipality_id).valid_on(today())


def span_units(user: AnyUser) -> UnitQuerySet:
    """The units whose management spans the user sees: led units, or all for analysts."""
    staff = staff_for(user)
    if staff is None:
        return Unit.objects.none()
    if is_analyst(user) or is_director(user):
        return Unit.objects.filter(municipality_id=staff.municipality_id)
    return led_units(user)


def can_set_span_target(user: AnyUser) -> bool:
    """The municipal director sets the municipality's target span."""
    return is_director(user)


# leadership: span


def get_span_unit_for_user(user: AnyUser, unit_id: int | None = None) -> Unit:
    """A unit (valid today) whose spans the user sees; without an id, the top one. Else 404."""
    units = span_units(user).valid_on(today()).select_related("unit_type")
    found = (
        units.order_by("depth", "path").first()
        if unit_id is None
        else units.filter(pk=unit_id).first()
    )
    if found is None:
        raise Http404("No such unit")
    return found


def visible_span_targets(user: AnyUser) -> QuerySet[SpanTarget]:
    """The municipality's target history, read by whoever sees any management span."""
    if not span_units(user).exists():
        return SpanTarget.objects.none()
    return _own_municipality(user, SpanTarget.objects.all())


def visible_principles(user: AnyUser) -> QuerySet[Principle]:
    if not has_staff_role(user):
        return Principle.objects.none()
    return _own_municipality(user, Principle.objects.all())


def get_principle_for_user(user: AnyUser, principle_id: int) -> Principle:
    return _one_or_404(visible_principles(user).select_related("owner"), principle_id, "principle")


def can_create_principle(user: AnyUser) -> bool:
    return is_leader(user)


def can_edit_principle(user: AnyUser, principle: Principle) -> bool:
    staff = staff_for(user)
    return staff is not None and principle.owner_id == staff.pk


def can_sign_principle(user: AnyUser, unit: Unit) -> bool:
    """A unit signs through its own leader, not a leader above it."""
    staff = staff_for(user)
    return (
        staff is not None
        and _own_roles(staff, today(), Role.Kind.LEADER).filter(unit_id=unit.pk).exists()
    )


# leadership: principles


def signing_units(user: AnyUser) -> UnitQuerySet:
    """The units the user may sign principles for: those they lead themselves, today."""
    staff = staff_for(user)
    if staff is None:
        return Unit.objects.none()
    return Unit.objects.filter(
        pk__in=_own_roles(staff, today(), Role.Kind.LEADER).values("unit_id")
    ).order_by("path")


def visible_methods(user: AnyUser) -> QuerySet[Method]:
    if not has_staff_role(user):
        return Method.objects.none()
    return _own_municipality(user, Method.objects.all())


def get_method_for_user(user: AnyUser, method_id: int) -> Method:
    return _one_or_404(visible_methods(user).select_related("owner"), method_id, "method")


def can_manage_methods(user: AnyUser) -> bool:
    return is_leader(user) or is_analyst(user)


def visible_reforms(user: AnyUser) -> QuerySet[Reform]:
    """The national catalogue: every staff member reads it."""
    return Reform.objects.all() if has_staff_role(user) else Reform.objects.none()


def get_reform_for_user(user: AnyUser, reform_id: int) -> Reform:
    return _one_or_404(visible_reforms(user), reform_id, "reform")


# leadership: reforms


def get_reform_element_for_user(user: AnyUser, element_id: int) -> ReformElement:
    """An element of a reform the user may read (the catalogue is national)."""
    return _one_or_404(
        ReformElement.objects.filter(reform__in=visible_reforms(user)).select_related("reform"),
        element_id,
        "reform element",
    )


def visible_local_decisions(user: AnyUser) -> QuerySet[LocalDecision]:
    if not has_staff_role(user):
        return LocalDecision.objects.none()
    return _own_municipality(user, LocalDecision.objects.all())


def get_local_decision_for_user(user: AnyUser, decision_id: int) -> LocalDecision:
    return _one_or_404(
        visible_local_decisions(user).select_related("element__reform", "owner", "owning_unit"),
        decision_id,
        "local decision",
    )


def can_assign_local_decision(user: AnyUser) -> bool:
    """Leaders name who owns a decision a reform leaves to the municipality."""
    return is_leader(user)


def can_update_local_decision(user: AnyUser, decision: LocalDecision) -> bool:
    staff = staff_for(user)
    return staff is not None and (
        decision.owner_id == staff.pk or leads_at_or_above(user, decision.owning_unit)
    )


def visible_teams(user: AnyUser) -> QuerySet[LeaderTeam]:
    """Teams the user is a member of, and teams of units the user leads or leads above."""
    staff = staff_for(user)
    if staff is None or not has_staff_role(user):
        return LeaderTeam.objects.none()
    led = _own_roles(staff, today(), Role.Kind.LEADER).values_list("unit__path", flat=True)
    condition = Q(members=staff)
    for path in led:
        condition |= Q(unit__path__startswith=path)
    return LeaderTeam.objects.filter(
        pk__in=LeaderTeam.objects.filter(municipality_id=staff.municipality_id)
        .filter(condition)
        .values("pk")
    )


def get_team_for_user(user: AnyUser, team_id: int) -> LeaderTeam:
    return _one_or_404(visible_teams(user).select_related("unit"), team_id, "team")


def is_team_member(user: AnyUser, team: LeaderTeam) -> bool:
    staff = staff_for(user)
    return staff is not None and team.members.filter(pk=staff.pk).exists()


def can_create_team(user: AnyUser, unit: Unit) -> bool:
    return leads_at_or_above(user, unit)


def get_reflection_round_for_user(user: AnyUser, reflection_id: int) -> TeamReflection:
    """A team's reflection round: members always; leaders above once it is an agenda."""
    reflection = _one_or_404(
        TeamReflection.objects.filter(team__in=visible_teams(user)).select_related("team"),
        reflection_id,
        "reflection",
    )
    if not is_team_member(user, reflection.team) and reflection.status != "closed":
        raise Http404("No such reflection")
    return reflection


def can_answer_reflection(user: AnyUser, reflection: TeamReflection) -> bool:
    return reflection.status == TeamReflection.Status.OPEN and is_team_member(user, reflection.team)


def can_record_dilemma(user: AnyUser, team: LeaderTeam) -> bool:
    return is_team_member(user, team)


def visible_dilemmas(user: AnyUser) -> QuerySet[Dilemma]:
    return Dilemma.objects.filter(team__in=visible_teams(user))


# leadership: teams
#
# A round's answers are the members' own until the round is closed; the agenda
# it becomes shows the leaders above only the answers marked for the meeting.
# The reflection questions are the municipality's: every staff member reads
# them, and those who keep the methods library add or retire questions.


def visible_team_rounds(user: AnyUser, team: LeaderTeam) -> QuerySet[TeamReflection]:
    """A team's rounds as the user may see them: all for members, agendas for leaders above."""
    rounds = TeamReflection.objects.filter(team__in=visible_teams(user)).filter(team=team)
    if is_team_member(user, team):
        return rounds
    return rounds.filter(status=TeamReflection.Status.CLOSED)


def visible_answers(user: AnyUser, reflection: TeamReflection) -> QuerySet[ReflectionAnswer]:
    """The answers of a round the user may read (after ``get_reflection_round_for_user``).

    Members read every answer; others only the answers marked for the agenda
    of a closed round, never an answer a member kept to the team.
    """
    answers = ReflectionAnswer.objects.filter(reflection=reflection)
    if is_team_member(user, reflection.team):
        return answers
    if reflection.status != TeamReflection.Status.CLOSED:
        return answers.none()
    return answers.filter(for_agenda=True)


def can_open_reflection(user: AnyUser, team: LeaderTeam) -> bool:
    return has_staff_role(user) and is_team_member(user, team)


def can_close_reflection(user: AnyUser, reflection: TeamReflection) -> bool:
    return can_answer_reflection(user, reflection)


def visible_reflection_questions(user: AnyUser) -> QuerySet[ReflectionQuestion]:
    if not has_staff_role(user):
        return ReflectionQuestion.objects.none()
    return _own_municipality(user, ReflectionQuestion.objects.all())


def get_reflection_question_for_user(user: AnyUser, question_id: int) -> ReflectionQuestion:
    return _one_or_404(visible_reflection_questions(user), question_id, "question")


def can_manage_reflection_questions(user: AnyUser) -> bool:
    """Leaders and analysts, as for the methods library."""
    return can_manage_methods(user)


# --------------------------------------------------------------------------- forums
#
# The municipality's meeting structure (steering group, chiefs' group, advisory
# meeting ...): forums, members, mandates, meetings, decisions and follow-ups.
# None of it names a citizen, so every staff member of the municipality reads
# the forums, their members, mandates, meetings and the decision log; nobody
# outside the municipality sees them (404).
#
# Who sets up the structure (creates and edits forums, their members, mandate,
# cadence, escalation, budget and grant limit): the municipal director, the
# chiefs (leaders of the root unit or of a unit directly under it) and
# analysts. Who records in a forum (plans meetings, writes minutes, records
# decisions and their follow-ups): its chair or secretary; an ordinary member
# or any other staff member sees but may not (403). A follow-up is marked done
# by its owner or by the forum's chair or secretary.


def is_chief(user: AnyUser, on: dt.date | None = None) -> bool:
    """A leader of the municipality's root unit or of a unit directly under it, today."""
    staff = staff_for(user)
    return (
        staff is not None
        and _own_roles(staff, on or today(), Role.Kind.LEADER)
        .filter(Q(unit__parent__isnull=True) | Q(unit__parent__parent__isnull=True))
        .exists()
    )


def can_manage_forums(user: AnyUser) -> bool:
    """The director, the chiefs and analysts set up forums and their members."""
    return is_chief(user) or is_analyst(user)


def visible_forums(user: AnyUser) -> QuerySet[Forum]:
    """The forums of the user's municipality, for any staff member with a role there."""
    if not has_staff_role(user):
        return Forum.objects.none()
    return _own_municipality(user, Forum.objects.all())


def get_forum_for_user(user: AnyUser, forum_id: int) -> Forum:
    return _one_or_404(visible_forums(user).select_related("escalates_to"), forum_id, "forum")


def forum_role(user: AnyUser, forum: Forum) -> str | None:
    """The user's role in the forum (chair, secretary, member), or None."""
    staff = staff_for(user)
    if staff is None:
        return None
    return (
        ForumMember.objects.filter(forum=forum, staff=staff).values_list("role", flat=True).first()
    )


def can_record_in_forum(user: AnyUser, forum: Forum) -> bool:
    """The chair or secretary plans meetings, writes minutes and records decisions."""
    staff = staff_for(user)
    return (
        staff is not None
        and staff.municipality_id == forum.municipality_id
        and has_staff_role(user)
        and forum_role(user, forum) in (ForumMember.Role.CHAIR, ForumMember.Role.SECRETARY)
    )


def forum_staff_candidates(user: AnyUser) -> QuerySet[Staff]:
    """Who may be a forum member or own a follow-up: staff of the user's municipality."""
    return _own_municipality(user, Staff.objects.all())


def visible_forum_meetings(user: AnyUser) -> QuerySet[ForumMeeting]:
    return ForumMeeting.objects.filter(forum__in=visible_forums(user))


def get_forum_meeting_for_user(user: AnyUser, meeting_id: int) -> ForumMeeting:
    return _one_or_404(
        visible_forum_meetings(user).select_related("forum"), meeting_id, "forum meeting"
    )


def visible_decisions(user: AnyUser) -> QuerySet[Decision]:
    """The decision log of the user's municipality: every forum's decisions."""
    return Decision.objects.filter(forum__in=visible_forums(user))


def get_decision_for_user(user: AnyUser, decision_id: int) -> Decision:
    return _one_or_404(
        visible_decisions(user).select_related("forum", "decided_by", "meeting"),
        decision_id,
        "decision",
    )


def visible_follow_ups(user: AnyUser) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(decision__forum__in=visible_forums(user))


def get_follow_up_for_user(user: AnyUser, follow_up_id: int) -> FollowUp:
    return _one_or_404(
        visible_follow_ups(user).select_related("decision__forum", "owner"),
        follow_up_id,
        "follow-up",
    )


def can_complete_follow_up(user: AnyUser, follow_up: FollowUp) -> bool:
    """Its owner, or the forum's chair or secretary, marks a follow-up done."""
    staff = staff_for(user)
    if staff is None or follow_up.done_on is not None:
        return False
    return (follow_up.owner_id == staff.pk and has_staff_role(user)) or can_record_in_forum(
        user, follow_up.decision.forum
    )


# --------------------------------------------------------------------------- trials
#
# Trial actions (prøvehandlinger) name no citizen: every staff member of the
# municipality reads the trials, the portfolio and the grant applications;
# nobody outside it sees them (404). A leader creates a trial. Its owner and
# participants change it (details, expenses, evaluations, stories) while it
# is undecided; the rest of the staff see but may not (403). The owner applies
# to a forum that may grant; only that forum's chair or secretary decides the
# application (``can_record_in_forum``). The decision to scale, adjust or
# stop is the owner's or a leader's of one of its units or above. Everyday
# stories are linked only when shared anonymised in the municipality, and
# only their anonymised text is ever shown.


def visible_trials(user: AnyUser) -> QuerySet[Trial]:
    """The trials of the user's municipality, for any staff member with a role there."""
    if not has_staff_role(user):
        return Trial.objects.none()
    return _own_municipality(user, Trial.objects.all())


def get_trial_for_user(user: AnyUser, trial_id: int) -> Trial:
    return _one_or_404(visible_trials(user).select_related("owner"), trial_id, "trial")


def can_create_trial(user: AnyUser) -> bool:
    """Leaders start trials (for their own units or across sectors)."""
    return has_staff_role(user) and is_leader(user)


def can_edit_trial(user: AnyUser, trial: Trial) -> bool:
    """The owner and the participants change an undecided trial."""
    staff = staff_for(user)
    if staff is None or trial.status == Trial.Status.CLOSED or not has_staff_role(user):
        return False
    if staff.municipality_id != trial.municipality_id:
        return False
    return trial.owner_id == staff.pk or trial.participants.filter(pk=staff.pk).exists()


def can_apply_for_grant(user: AnyUser, trial: Trial) -> bool:
    """Only the owner applies for money for an undecided trial."""
    staff = staff_for(user)
    return (
        staff is not None
        and trial.owner_id == staff.pk
        and trial.status != Trial.Status.CLOSED
        and has_staff_role(user)
    )


def granting_forums(user: AnyUser) -> QuerySet[Forum]:
    """Active forums of the municipality with a budget and a grant limit: those that may grant."""
    return visible_forums(user).filter(is_active=True, yearly_budget__gt=0, grant_limit__gt=0)


def visible_applications(user: AnyUser) -> QuerySet[Application]:
    return Application.objects.filter(trial__in=visible_trials(user))


def get_application_for_user(user: AnyUser, application_id: int) -> Application:
    return _one_or_404(
        visible_applications(user).select_related("trial", "forum", "applied_by", "decision"),
        application_id,
        "application",
    )


def can_decide_application(user: AnyUser, application: Application) -> bool:
    """The chair or secretary of the forum applied to decides a pending application."""
    return application.status == Application.Status.PENDING and can_record_in_forum(
        user, application.forum
    )


def applications_to_decide(user: AnyUser) -> QuerySet[Application]:
    """Pending applications to the forums where the user is chair or secretary."""
    staff = staff_for(user)
    if staff is None or not has_staff_role(user):
        return Application.objects.none()
    forums = ForumMember.objects.filter(
        staff=staff,
        role__in=[ForumMember.Role.CHAIR, ForumMember.Role.SECRETARY],
        forum__municipality_id=staff.municipality_id,
    ).values("forum_id")
    return visible_applications(user).filter(status=Application.Status.PENDING, forum_id__in=forums)


def can_decide_trial_outcome(user: AnyUser, trial: Trial) -> bool:
    """The owner, or a leader of one of the trial's units or above, decides its outcome."""
    staff = staff_for(user)
    if staff is None or trial.status == Trial.Status.CLOSED or not has_staff_role(user):
        return False
    if staff.municipality_id != trial.municipality_id:
        return False
    return trial.owner_id == staff.pk or any(
        leads_at_or_above(user, unit) for unit in trial.units.all()
    )


def trial_staff_candidates(user: AnyUser) -> QuerySet[Staff]:
    """Who may own or take part in a trial: staff of the user's municipality."""
    return _own_municipality(user, Staff.objects.all())


def trial_stories(user: AnyUser, trial: Trial) -> QuerySet[Story]:
    """The trial's stories that are shared anonymised (read the anonymised text only)."""
    return shared_stories(user).filter(pk__in=trial.stories.values("story_id"))


# --------------------------------------------------------------------------- forums: board
#
# The obstacle board. Any staff member of the municipality raises an obstacle
# (or a matter) on an active forum's board; an item names no citizen (the
# actions refuse a CPR-like number). "Everyone can see the board of their
# forum": a forum's board and its items are read by the forum's members and by
# staff with a role today in one of the forum's units or a unit beneath them;
# the one who raised an item reads it wherever it has moved. Everyone else
# gets 404. A leader who is a member of the item's current forum takes an
# open item; the one who took it, or the forum's chair, resolves, declines or
# escalates it (to the forum's ``escalates_to``), always with a reason. The
# rest of those who see it get 403.
#
# The leadership self-assessment of a forum is its members' own: only members
# open a round, answer it (while it is open) and see its results and the
# rounds over time; everyone else gets 404. A round is closed by the member
# who opened it or by the chair. Results are counts, means and ranges per
# statement, never one member's answers (``forums.actions.assessments``).


def _covering_unit_ids(staff: Staff, on: dt.date) -> set[int]:
    """The units where the staff member holds a role today, with every unit above them."""
    ids: set[int] = set()
    for unit_path in _own_roles(staff, on, *Role.Kind.values).values_list("unit__path", flat=True):
        ids.update(int(part) for part in unit_path.split(".") if part)
    return ids


def visible_boards(user: AnyUser) -> QuerySet[Forum]:
    """Forums whose board the user sees: member, or a role in one of its units or beneath."""
    staff = staff_for(user)
    if staff is None or not has_staff_role(user):
        return Forum.objects.none()
    condition = Q(members__staff=staff) | Q(units__in=_covering_unit_ids(staff, today()))
    return Forum.objects.filter(
        pk__in=Forum.objects.filter(municipality_id=staff.municipality_id)
        .filter(condition)
        .values("pk")
    )


def get_board_for_user(user: AnyUser, forum_id: int) -> Forum:
    return _one_or_404(visible_boards(user).select_related("escalates_to"), forum_id, "board")


def can_view_board(user: AnyUser, forum: Forum) -> bool:
    return visible_boards(user).filter(pk=forum.pk).exists()


def visible_items(user: AnyUser) -> QuerySet[Item]:
    """Items on the boards the user sees, and the items the user raised, wherever they are."""
    staff = staff_for(user)
    if staff is None or not has_staff_role(user):
        return Item.objects.none()
    return Item.objects.filter(
        Q(forum__in=visible_boards(user))
        | Q(raised_by=staff, forum__municipality_id=staff.municipality_id)
    )


def get_item_for_user(user: AnyUser, item_id: int) -> Item:
    return _one_or_404(
        visible_items(user).select_related("forum__escalates_to", "raised_by", "taken_by"),
        item_id,
        "item",
    )


def can_view_item(user: AnyUser, item: Item) -> bool:
    return visible_items(user).filter(pk=item.pk).exists()


def can_raise_item(user: AnyUser) -> bool:
    return has_staff_role(user)


def raise_forums(user: AnyUser) -> QuerySet[Forum]:
    """The forums an item may be raised on: the active forums of the user's municipality."""
    if not can_raise_item(user):
        return Forum.objects.none()
    return _own_municipality(user, Forum.objects.filter(is_active=True))


def _is_member(staff: Staff, forum: Forum) -> bool:
    return (
        staff.municipality_id == forum.municipality_id
        and ForumMember.objects.filter(forum=forum, staff=staff).exists()
    )


def can_take_item(user: AnyUser, item: Item) -> bool:
    """A leader who is a member of the item's current forum takes an item nobody has taken."""
    staff = staff_for(user)
    return (
        staff is not None
        and item.status == Item.Status.OPEN
        and has_staff_role(user)
        and is_leader(user)
        and _is_member(staff, item.forum)
    )


def can_settle_item(user: AnyUser, item: Item) -> bool:
    """The one who took the item, or the chair of its forum, resolves, declines or escalates it."""
    staff = staff_for(user)
    if staff is None or not item.is_open or not has_staff_role(user):
        return False
    if staff.municipality_id != item.forum.municipality_id:
        return False
    return item.taken_by_id == staff.pk or forum_role(user, item.forum) == ForumMember.Role.CHAIR


def assessment_forums(user: AnyUser) -> QuerySet[Forum]:
    """The forums whose self-assessment the user takes part in: those they are a member of."""
    staff = staff_for(user)
    if staff is None or not has_staff_role(user):
        return Forum.objects.none()
    return Forum.objects.filter(
        municipality_id=staff.municipality_id,
        pk__in=ForumMember.objects.filter(staff=staff).values("forum_id"),
    )


def get_assessment_forum_for_user(user: AnyUser, forum_id: int) -> Forum:
    return _one_or_404(assessment_forums(user), forum_id, "forum")


def visible_assessments(user: AnyUser) -> QuerySet[SelfAssessment]:
    return SelfAssessment.objects.filter(forum__in=assessment_forums(user))


def get_assessment_for_user(user: AnyUser, assessment_id: int) -> SelfAssessment:
    return _one_or_404(
        visible_assessments(user).select_related("forum", "created_by"),
        assessment_id,
        "self-assessment",
    )


def can_open_assessment(user: AnyUser, forum: Forum) -> bool:
    return forum.is_active and assessment_forums(user).filter(pk=forum.pk).exists()


def can_answer_assessment(user: AnyUser, assessment: SelfAssessment) -> bool:
    return (
        assessment.status == SelfAssessment.Status.OPEN
        and assessment_forums(user).filter(pk=assessment.forum_id).exists()
    )


def can_close_assessment(user: AnyUser, assessment: SelfAssessment) -> bool:
    """The member who opened the round, or the forum's chair, closes it."""
    staff = staff_for(user)
    if staff is None or not can_answer_assessment(user, assessment):
        return False
    return (
        assessment.created_by_id == staff.pk
        or forum_role(user, assessment.forum) == ForumMember.Role.CHAIR
    )


# --------------------------------------------------------------------------- payments
#
# Who pays ("solve first, settle later"). The plan's editors propose an
# effort's payer on the effort (``can_edit_plan``); an effort may start before
# the payer is agreed, and until then its responsible unit fronts the cost.
# Settlements name no citizen: the lists show an effort's title, units and
# amounts, never who it is for, so they are read along the management chain
# rather than through an engagement:
# * Open settlements: a leader sees the open settlements of the efforts whose
#   responsible unit they lead (or lead above), and those proposed to a budget
#   they lead; the director (leader of the root unit) sees them all.
# * The ledger: a leader sees the budgets they lead: efforts paid by a unit
#   they lead, and efforts paid by an external authority or with no payer
#   proposed yet whose responsible unit they lead (it fronts the cost).
#   Analysts and the director see every budget of the municipality.
# * A payer is agreed by a leader of the paying unit or above; when another
#   municipality or the region pays, a leader of the responsible unit or above
#   records that authority's agreement. Nobody else agrees (403).
# * One effort's settlement is visible to those who see it in these lists and
#   to those who may see its plan; 404 for everyone else.


def _is_overview_reader(user: AnyUser) -> bool:
    """Analysts and the director read every budget of the municipality."""
    return is_analyst(user) or is_director(user)


def _municipality_efforts(user: AnyUser) -> QuerySet[Effort]:
    staff = staff_for(user)
    if staff is None:
        return Effort.objects.none()
    return Effort.objects.filter(plan__municipality_id=staff.municipality_id)


def open_settlements(user: AnyUser) -> QuerySet[Effort]:
    """Efforts without an agreed payer whose responsible unit the user leads (no names shown)."""
    return _municipality_efforts(user).filter(
        payer_agreed_on__isnull=True, responsible_unit__in=led_units(user)
    )


def settlements_to_agree(user: AnyUser) -> QuerySet[Effort]:
    """Open settlements the user may agree: proposed to a budget they lead, or external ones."""
    led = led_units(user)
    return _municipality_efforts(user).filter(
        Q(paying_unit__in=led)
        | (Q(paying_unit__isnull=True, responsible_unit__in=led) & ~Q(paying_authority="")),
        payer_agreed_on__isnull=True,
    )


def can_view_settlements(user: AnyUser) -> bool:
    """The open settlements page is for leaders."""
    return is_leader(user)


def can_view_ledger(user: AnyUser) -> bool:
    return is_leader(user) or is_analyst(user)


def ledger_efforts(user: AnyUser) -> QuerySet[Effort]:
    """Efforts whose cost falls on budgets the user sees in the settlement ledger."""
    if _is_overview_reader(user):
        return _municipality_efforts(user)
    if not is_leader(user):
        return Effort.objects.none()
    led = led_units(user)
    return _municipality_efforts(user).filter(
        Q(paying_unit__in=led) | Q(paying_unit__isnull=True, responsible_unit__in=led)
    )


def ledger_units(user: AnyUser) -> UnitQuerySet:
    """Units the ledger may be narrowed to: all for analysts and the director, else led units."""
    staff = staff_for(user)
    if staff is None:
        return Unit.objects.none()
    if _is_overview_reader(user):
        return Unit.objects.filter(municipality_id=staff.municipality_id)
    return led_units(user)


def get_ledger_unit_for_user(user: AnyUser, unit_id: int) -> Unit:
    return _one_or_404(ledger_units(user), unit_id, "unit")


def visible_settlements(user: AnyUser) -> QuerySet[Effort]:
    """Efforts whose settlement the user sees: in their lists, or through the plan."""
    led = led_units(user)
    return _municipality_efforts(user).filter(
        Q(responsible_unit__in=led) | Q(paying_unit__in=led) | Q(plan__in=visible_plans(user))
    )


def get_settlement_for_user(user: AnyUser, effort_id: int) -> Effort:
    return _one_or_404(
        visible_settlements(user).select_related(
            "plan", "responsible_unit", "paying_unit", "payer_agreed_by"
        ),
        effort_id,
        "effort",
    )


def can_agree_payer(user: AnyUser, effort: Effort) -> bool:
    """A leader of the paying unit or above; for an external payer, of the responsible unit."""
    if effort.payer_agreed_on is not None:
        return False
    if effort.paying_unit is not None:
        return leads_at_or_above(user, effort.paying_unit)
    if effort.paying_authority:
        return leads_at_or_above(user, effort.responsible_unit)
    return False


# --------------------------------------------------------------------------- contradictions
#
# Contradicting efforts in one plan (two efforts that need the family in two
# places at once, a goal one sector works against). They are part of the
# plan: whoever may see the plan on the professionals' pages sees them (the
# read is audited as the plan's), whoever may change the plan (coordinator
# and participants) flags and resolves them (403 for the other readers). A
# contradiction is resolved in a network meeting of the same plan.


def visible_contradictions(user: AnyUser) -> QuerySet[Contradiction]:
    if staff_for(user) is None:
        return Contradiction.objects.none()
    return Contradiction.objects.filter(plan__in=visible_plans(user))


def get_contradiction_for_user(user: AnyUser, contradiction_id: int) -> Contradiction:
    found = _one_or_404(
        visible_contradictions(user).select_related("plan", "raised_by", "meeting"),
        contradiction_id,
        "contradiction",
    )
    audit_read(user, found, plan_citizen_ids(found.plan_id))
    return found


def can_flag_contradiction(user: AnyUser, plan: Plan) -> bool:
    return can_edit_plan(user, plan)


def can_resolve_contradiction(user: AnyUser, contradiction: Contradiction) -> bool:
    """The plan's editors resolve it (the action refuses one already resolved)."""
    return can_edit_plan(user, contradiction.plan)


# --------------------------------------------------------------------------- handovers
#
# A handover (plans.Handover) names a citizen, so it is read like a referral:
# by its creator, by staff with a front-line or leader role today in the
# sending or the receiving unit, and by staff who may see the citizen. Every
# handover handed out is logged as a read of the citizen's data.
# It is started by staff who may see the citizen and hold a role in the
# sending unit. The sending unit keeps the responsibility until the receiving
# unit accepts (``Handover.responsible_unit``): only staff with a role in the
# receiving unit accept or return it; staff of either unit tick and add
# checklist points while it is pending. A leader sees the overdue handovers
# whose responsible unit they lead (or lead above) as rows without the
# citizen: kind, units, deadline, days overdue.


def visible_handovers(user: AnyUser) -> QuerySet[Handover]:
    staff = staff_for(user)
    if staff is None:
        return Handover.objects.none()
    units = _unit_ids_with_role(staff, today())
    return Handover.objects.filter(
        Q(created_by=staff)
        | Q(from_unit_id__in=units)
        | Q(to_unit_id__in=units)
        | Q(citizen__in=visible_citizens(user))
    )


def get_handover_for_user(user: AnyUser, handover_id: int) -> Handover:
    """The handover, or 404 when it does not exist or the user may not see it (read logged)."""
    handover = _one_or_404(
        visible_handovers(user).select_related(
            "citizen", "plan", "from_unit", "to_unit", "created_by", "decided_by"
        ),
        handover_id,
        "handover",
    )
    audit_read(user, handover, [handover.citizen_id])
    return handover


def can_start_handover(user: AnyUser, citizen: Citizen, from_unit: Unit) -> bool:
    """Staff who may see the citizen and hold a role in the sending unit today."""
    staff = staff_for(user)
    if staff is None or from_unit.municipality_id != staff.municipality_id:
        return False
    return _unit_ids_with_role(staff, today()).filter(
        unit_id=from_unit.pk
    ).exists() and can_view_citizen(user, citizen)


def handover_units(user: AnyUser) -> UnitQuerySet:
    """Units the user may hand over from: where they hold a role today (as ``staff_units``)."""
    return staff_units(user).valid_on(today())


def decides_handover_at(user: AnyUser, handover: Handover) -> bool:
    """Whether the user is staff of the receiving unit, whatever the handover's status."""
    staff = staff_for(user)
    return (
        staff is not None
        and _unit_ids_with_role(staff, today()).filter(unit_id=handover.to_unit_id).exists()
    )


def can_decide_handover(user: AnyUser, handover: Handover) -> bool:
    """Staff of the receiving unit accept or return a pending handover."""
    return handover.status == Handover.Status.PENDING and decides_handover_at(user, handover)


def can_work_on_handover(user: AnyUser, handover: Handover) -> bool:
    """Staff of either unit tick and add checklist points while the handover is pending."""
    staff = staff_for(user)
    if staff is None or handover.status != Handover.Status.PENDING:
        return False
    return (
        _unit_ids_with_role(staff, today())
        .filter(unit_id__in=[handover.from_unit_id, handover.to_unit_id])
        .exists()
    )


def led_overdue_handovers(user: AnyUser, on: dt.date | None = None) -> QuerySet[Handover]:
    """Overdue handovers whose responsible unit the leader leads (shown without the citizen).

    Only a pending handover is overdue, and until it is accepted the sending
    unit holds the responsibility, so the receiving unit's leader does not see it.
    """
    on = on or today()
    return Handover.objects.filter(
        status=Handover.Status.PENDING, deadline__lt=on, from_unit__in=led_units(user, on)
    )


# --------------------------------------------------------------------------- plans: contacts
#
# A contact with a citizen is logged by staff who may see the citizen
# (``can_view_citizen``), on behalf of one of the units where they hold a
# front-line or leader role today. A contact is read with its citizen: by
# whoever may see the citizen, and by the coordinator it was sent to. The
# coordinator of record is the coordinator of the citizen's active plan; a
# contact made from a unit where that coordinator holds no role today is sent
# to them, and only they mark it seen (403 for others who see it, 404 for the
# rest). The contact map ("the red thread") is a read of the citizen: it goes
# through ``get_citizen_for_user`` (audited, 404 otherwise) and is for staff
# only, never for family logins.
#
# The directory of contact points names units, phone numbers and opening
# hours, not citizens: every staff member of the municipality reads it; a
# leader of the unit or above keeps the unit's contact points and capacity.


def can_log_contact(user: AnyUser, citizen: Citizen) -> bool:
    return staff_for(user) is not None and can_view_citizen(user, citizen)


def contact_units(user: AnyUser, on: dt.date | None = None) -> UnitQuerySet:
    """The units a contact may be logged for: where the user works today."""
    on = on or today()
    return staff_units(user, on).valid_on(on)


def coordinators_of_record(citizen: Citizen) -> QuerySet[Staff]:
    """The coordinators of the citizen's active plans (one, as a citizen has one active plan)."""
    plans = Plan.objects.filter(status=Plan.Status.ACTIVE, members__citizen=citizen)
    return Staff.objects.filter(pk__in=plans.values("coordinator_id"))


def works_in_unit(staff: Staff, unit: Unit, on: dt.date | None = None) -> bool:
    """Whether ``staff`` holds any role today in ``unit`` (any registration of it)."""
    return (
        RoleAssignment.objects.valid_on(on or today())
        .filter(staff=staff, unit__key=unit.key)
        .exists()
    )


def visible_contacts(user: AnyUser) -> QuerySet[Contact]:
    staff = staff_for(user)
    if staff is None:
        return Contact.objects.none()
    return Contact.objects.filter(Q(citizen__in=visible_citizens(user)) | Q(coordinator=staff))


def get_contact_for_user(user: AnyUser, contact_id: int) -> Contact:
    """The contact, or 404; handing it out is a read of its citizen."""
    contact = _one_or_404(
        visible_contacts(user).select_related("citizen", "staff", "unit", "coordinator"),
        contact_id,
        "contact",
    )
    audit_read(user, contact, [contact.citizen_id])
    return contact


def contacts_sent_to(user: AnyUser) -> QuerySet[Contact]:
    """Contacts by other units with the families the user coordinates ("to see")."""
    staff = staff_for(user)
    if staff is None:
        return Contact.objects.none()
    return Contact.objects.filter(coordinator=staff)


def contacts_to_see(user: AnyUser) -> QuerySet[Contact]:
    return contacts_sent_to(user).filter(coordinator_seen_on__isnull=True)


def can_mark_contact_seen(user: AnyUser, contact: Contact) -> bool:
    """Only the coordinator the contact was sent to."""
    staff = staff_for(user)
    return staff is not None and contact.coordinator_id == staff.pk


def get_citizen_for_contact_map(user: AnyUser, citizen_id: int) -> Citizen:
    """The citizen for the contact map: staff who may see them (audited); 404 otherwise."""
    if staff_for(user) is None:
        raise Http404("No such citizen")
    return get_citizen_for_user(user, citizen_id)


def visible_contact_points(user: AnyUser) -> QuerySet[ContactPoint]:
    staff = staff_for(user)
    if staff is None or not has_staff_role(user):
        return ContactPoint.objects.none()
    return ContactPoint.objects.filter(unit__municipality_id=staff.municipality_id)


def get_contact_point_for_user(user: AnyUser, point_id: int) -> ContactPoint:
    return _one_or_404(
        visible_contact_points(user).select_related("unit", "unit__sector"),
        point_id,
        "contact point",
    )


def can_edit_contact_points(user: AnyUser, unit: Unit) -> bool:
    """A leader of the unit or above keeps its contact points and capacity."""
    return leads_at_or_above(user, unit)


def contact_point_units(user: AnyUser) -> UnitQuerySet:
    """Units (valid today) whose contact points the user keeps."""
    staff = staff_for(user)
    if staff is None:
        return Unit.objects.none()
    return led_units(user).filter(municipality_id=staff.municipality_id).valid_on(today())


# --------------------------------------------------------------------------- journey
#
# The citizen's journey (plans/actions/journey.py) is a timeline assembled only
# from what the viewer may already see, through the querysets above; it opens
# nothing new. For staff: the citizen through ``get_citizen_for_user`` (404
# otherwise, every view audited as a read of the citizen), and of that citizen
# the concerns in ``visible_concerns``, the notifications (underretninger) the
# viewer reported or whose concern they see, the referrals in
# ``visible_referrals``, the plans in ``visible_plans`` with their efforts (for
# the citizen or the whole family) and meetings, the handovers in
# ``visible_handovers`` and the contacts in ``visible_contacts``. So a
# colleague who sees the citizen but not a concern does not see it on the
# journey either.
# For a family login: the journey of itself or a child in its care
# (``family_members_in_care``; 404 for anyone else, a sibling not in care
# included), audited like the family view. It holds what the family view
# shows: the plans they see, their efforts, meetings that were not cancelled
# (with the summary for the family, never the minutes) and the handovers of
# those plans; never concerns, notifications, referrals or contacts.
# Whoever sees an event may mark it green or red: each staff member once, the
# family once together. Staff who see the citizen only because they broke the
# glass read the journey but do not mark it (403).


@dataclass(frozen=True)
class JourneyScope:
    """What one viewer may see of one citizen's course, source by source."""

    family: bool
    concerns: QuerySet[Concern]
    notifications: QuerySet[Notification]
    referrals: QuerySet[Referral]
    plans: QuerySet[Plan]
    efforts: QuerySet[Effort]
    meetings: QuerySet[Meeting]
    handovers: QuerySet[Handover]
    contacts: QuerySet[Contact]


def visible_notifications(user: AnyUser) -> QuerySet[Notification]:
    """Notifications the staff member reported, or whose concern they see."""
    staff = staff_for(user)
    if staff is None:
        return Notification.objects.none()
    return Notification.objects.filter(Q(reported_by=staff) | Q(concern__in=visible_concerns(user)))


def journey_scope(user: AnyUser, citizen: Citizen) -> JourneyScope:
    """The sources of ``citizen``'s journey as ``user`` may see them (all empty for others)."""
    staff = staff_for(user)
    family = staff is None and is_family_login(user)
    in_care = family and family_members_in_care(user).filter(pk=citizen.pk).exists()
    if staff is None and not in_care:
        return JourneyScope(
            family=False,
            concerns=Concern.objects.none(),
            notifications=Notification.objects.none(),
            referrals=Referral.objects.none(),
            plans=Plan.objects.none(),
            efforts=Effort.objects.none(),
            meetings=Meeting.objects.none(),
            handovers=Handover.objects.none(),
            contacts=Contact.objects.none(),
        )
    plans = visible_plans(user).filter(members__citizen=citizen)
    efforts = Effort.objects.filter(plan__in=plans).filter(
        Q(citizen=citizen) | Q(citizen__isnull=True)
    )
    if family:
        return JourneyScope(
            family=True,
            concerns=Concern.objects.none(),
            notifications=Notification.objects.none(),
            referrals=Referral.objects.none(),
            plans=plans,
            efforts=efforts,
            meetings=Meeting.objects.filter(plan__in=plans).exclude(
                status=Meeting.Status.CANCELLED
            ),
            handovers=Handover.objects.filter(citizen=citizen, plan__in=plans),
            contacts=Contact.objects.none(),
        )
    return JourneyScope(
        family=False,
        concerns=visible_concerns(user).filter(citizen=citizen),
        notifications=visible_notifications(user).filter(citizen=citizen),
        referrals=visible_referrals(user).filter(citizen=citizen),
        plans=plans,
        efforts=efforts,
        meetings=visible_meetings(user).filter(plan__in=plans),
        handovers=visible_handovers(user).filter(citizen=citizen),
        contacts=visible_contacts(user).filter(citizen=citizen),
    )


def get_journey_citizen_for_staff(user: AnyUser, citizen_id: int) -> Citizen:
    """The citizen for the staff journey: staff who may see them (audited); 404 otherwise."""
    if staff_for(user) is None:
        raise Http404("No such citizen")
    return get_citizen_for_user(user, citizen_id)


def get_journey_citizen_for_family(user: AnyUser, citizen_id: int) -> Citizen:
    """The family login itself or a child in its care (audited); 404 for everyone else."""
    if not is_family_login(user):
        raise Http404("No such citizen")
    citizen = _one_or_404(family_members_in_care(user), citizen_id, "citizen")
    audit_read(user, citizen, [citizen.pk])
    return citizen


def can_mark_journey(user: AnyUser, citizen: Citizen) -> bool:
    """The family of the citizen, or staff who see the citizen through a relation (not glass)."""
    if is_family_login(user):
        return family_members_in_care(user).filter(pk=citizen.pk).exists()
    return (
        staff_for(user) is not None
        and can_view_citizen(user, citizen)
        and not rests_on_emergency_access(user, citizen)
    )


# --------------------------------------------------------------------------- analytics
#
# The dashboards read the analytics engine's published cells: aggregates about
# units, suppressed before they were stored (fewer than five persons, and
# complementary), so a politician sees of a unit exactly what a leader sees.
# Who sees which unit's cells follows the results pages (``results_units``):
# leaders their units, everything beneath and two levels up; front-line staff
# their units and two up; analysts and politicians the whole municipality.
# Only today's registrations: the engine computes over today's unit tree, and
# a unit's cells follow its identity (key) across reorganisations.


def analytics_units(user: AnyUser, on: dt.date | None = None) -> UnitQuerySet:
    """Units whose dashboards the user may see."""
    on = on or today()
    return results_units(user, on).valid_on(on)


def get_unit_for_analytics(user: AnyUser, unit_id: int) -> Unit:
    """The unit if the user may see its dashboard, else 404."""
    unit = (
        analytics_units(user)
        .select_related("municipality", "unit_type", "parent")
        .filter(pk=unit_id)
        .first()
    )
    if unit is None:
        raise Http404("No such unit")
    return unit


def may_compare_municipality(user: AnyUser) -> bool:
    """Leaders, analysts and politicians compare their municipality with comparable ones."""
    staff = staff_for(user)
    return (
        staff is not None
        and _own_roles(
            staff, today(), Role.Kind.LEADER, Role.Kind.ANALYST, Role.Kind.POLITICIAN
        ).exists()
    )


def may_rank_schools(user: AnyUser, municipality: Municipality) -> bool:
    """Those who compare the municipality and see every unit the schools sit in.

    Front-line staff see their own school's results, not a league table of the
    schools: a ranking is a leadership tool.
    """
    staff = staff_for(user)
    if staff is None or staff.municipality_id != municipality.pk:
        return False
    if not may_compare_municipality(user):
        return False
    areas = set(
        Unit.objects.valid_on(today())
        .filter(municipality=municipality, sector__code="school", unit_type__code="institution")
        .values_list("parent_id", flat=True)
    ) - {None}
    return bool(areas) and analytics_units(user).filter(pk__in=areas).count() == len(areas)


def what_works_efforts(user: AnyUser) -> QuerySet[Effort]:
    """Efforts whose outcomes the user may compare (aggregated and suppressed, never persons).

    Analysts, politicians and the director: the municipality's efforts; other
    leaders: the efforts supplied by the units they lead and everything beneath.
    Front-line staff compare nothing here: they see their own citizens' progress
    in the plans.
    """
    staff = staff_for(user)
    if staff is None:
        return Effort.objects.none()
    on = today()
    kinds = set(
        _own_roles(
            staff, on, Role.Kind.LEADER, Role.Kind.ANALYST, Role.Kind.POLITICIAN
        ).values_list("role__kind", flat=True)
    )
    home = Effort.objects.filter(responsible_unit__municipality_id=staff.municipality_id)
    if Role.Kind.ANALYST in kinds or Role.Kind.POLITICIAN in kinds or is_director(user, on):
        return home
    if Role.Kind.LEADER in kinds:
        return home.filter(responsible_unit__in=led_units(user, on))
    return Effort.objects.none()
