"""The world the attacks run against: the test cast, plus a citizen nobody of them may see.

``SecurityCase`` extends the shared ``BaseTestCase`` with

* for ``alma`` (seen by the case worker): a plan with a goal, an effort, a
  participant, a meeting, an action, a story and a rating, a concern, a
  referral and a consent;
* a "secret" citizen with a name and a CPR number that occur nowhere else,
  engaged only with ``keeper`` (a health visitor in Sundhedsplejen), with the
  same set of objects; the referral goes from Sundhedsplejen to PPR, where
  none of the attackers work;
* the results chain of Rudersdal (committee, ambition, marker, indicator,
  target, status report, a curve with an action, a reflection meeting);
* Rudersdal's leadership registers (a rule, a documentation requirement and a
  use of its data, a burden proposal, a principle, a method, a local decision
  on a reform element) and a leader team of Sundhedsplejen with ``keeper`` as
  its member, an open reflection round and a dilemma;
* for each citizen also a handover with a checklist point, a logged contact
  and a contradiction in the plan;
* Rudersdal's cross-sector structure: a forum over Sundhedsplejen with the
  chief as chair and ``keeper`` as member (a meeting, a decision with a
  follow-up, an obstacle ``keeper`` raised on its board, a self-assessment
  round), a trial with a grant application to that forum, and a contact point
  of Sundhedsplejen in the directory;
* the analytics engine's published cells (``make_analytics``): Rudersdal's
  root, its administration, Bakkeskolen and Sundhedsplejen, and Hvidovre's
  root, with the municipalities' profiles so that they compare; among them
  cells the engine hid that nevertheless hold numbers (``HIDDEN_VALUE`` and
  its numerator and denominator, which occur nowhere else) and a cell of
  three persons stored as if shown (``UNDER_FIVE_VALUE``);
* an API token for the case worker.

``path_ids`` gives an existing object's id for each path parameter of a web
URL or an API path (alma's objects or the secret's), and ``web_routes`` lists
the URL patterns, so the tests follow the URL conf and the OpenAPI schema: a
new page or endpoint with a new kind of id fails until it is given one here.

The attackers are ``outsider`` (another municipality), ``colleague`` (same
department as the case worker, no engagement) and ``guardian`` (the family
login of alma's mother).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from helhed.analytics.models import Cell, Profile
from helhed.api.models import ApiToken
from helhed.citizens.models import Citizen, Consent, Engagement
from helhed.feedback.actions import do_record_rating
from helhed.feedback.models import Rating, Scale, ScaleActivation
from helhed.forums.actions.assessments import do_open_assessment
from helhed.forums.actions.board import do_raise_item
from helhed.forums.actions.forums import (
    do_add_follow_up,
    do_create_forum,
    do_plan_meeting,
    do_record_decision,
    do_set_member,
)
from helhed.forums.models import (
    Decision,
    FollowUp,
    Forum,
    ForumMeeting,
    ForumMember,
    Item,
    SelfAssessment,
)
from helhed.leadership.actions.documentation import do_record_data_use, do_register_requirement
from helhed.leadership.actions.principles import do_create_principle, do_register_method
from helhed.leadership.actions.proposals import do_propose
from helhed.leadership.actions.reforms import do_create_local_decision, install_reforms
from helhed.leadership.actions.rules import do_register_rule
from helhed.leadership.actions.teams import do_create_team, do_open_reflection, do_record_dilemma
from helhed.leadership.models import (
    BurdenProposal,
    DataUse,
    Dilemma,
    DocumentationRequirement,
    LeaderTeam,
    LocalDecision,
    Method,
    Principle,
    ReflectionQuestion,
    ReformElement,
    Rule,
    TeamReflection,
)
from helhed.lib.validity import today
from helhed.organisation.actions_directory import do_add_contact_point
from helhed.organisation.models import ContactPoint, Sector, Staff, Unit
from helhed.plans.actions.concerns import do_log_concern
from helhed.plans.actions.contacts import do_log_contact
from helhed.plans.actions.contradictions import do_flag_contradiction
from helhed.plans.actions.handovers import do_start_handover
from helhed.plans.actions.meetings import do_add_action, do_schedule_meeting
from helhed.plans.actions.plans import do_add_effort, do_add_goal, do_add_participant
from helhed.plans.actions.referrals import do_send_referral
from helhed.plans.actions.stories import do_write_story
from helhed.plans.models import (
    Action,
    Concern,
    Contact,
    Contradiction,
    Effort,
    Goal,
    Handover,
    HandoverItem,
    LegalBasis,
    Meeting,
    Participant,
    Plan,
    PlanMember,
    Referral,
    Story,
)
from helhed.results.actions.curves import do_add_curve_action, do_start_curve
from helhed.results.actions.reflections import do_record_reflection
from helhed.results.actions.reports import do_generate_reports
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
from helhed.results.periods import Period
from helhed.test import (
    BaseTestCase,
    engage,
    indicator,
    make_citizen,
    make_plan,
    make_staff,
    make_unit,
    municipality,
    record_value,
    set_target,
)
from helhed.trials.actions.trials import do_apply_for_grant, do_create_trial
from helhed.trials.models import Application, Trial

SECRET_FIRST = "Zenobia"
SECRET_LAST = "Quillfeatherby"
SECRET_BIRTH = dt.date(2015, 7, 23)

# The analytics world (``make_analytics``). ABSENCE is a quarterly indicator, WELLBEING a
# yearly one; the periods lie in the dashboards' default range (the last 20 quarters).
ABSENCE = "fravaer-over-10"
WELLBEING = "trivsel"
PERIODS = ("2025-Q1", "2025-Q2", "2025-Q3")
# Shown, in Bakkeskolen's cell of 2025-Q3: those who may see the school see it (the control).
SHOWN_VALUE = "64.218"
# Stored in cells the engine hid, which should hold no numbers at all (``Cell``'s docstring):
# if they ever are stored, no page, file or API answer may show them, to anyone.
HIDDEN_VALUE = "81.357"
HIDDEN_NUMERATOR = "7331.125"
HIDDEN_DENOMINATOR = "9011.875"
# A cell of three persons stored as if shown (``suppression`` empty): below the
# small-number rule however it came to be stored, so it must not be shown either.
UNDER_FIVE_VALUE = "72.468"
# Sundhedsplejen's shown value of 2025-Q3: a unit the attackers of the IDOR test may not see.
HEALTH_VALUE = "9.750"
UNDER_FIVE_NUMERATOR = "2173.625"


def number_forms(text: str, *, places: tuple[int, ...] = (3, 2, 1)) -> list[str]:
    """A number as a page, a file or the API may write it: 81.357, 81,357, 81.36, 81,4 ..."""
    forms = []
    for count in places:
        rounded = str(Decimal(text).quantize(Decimal(1).scaleb(-count), ROUND_HALF_UP))
        forms += [rounded, rounded.replace(".", ",")]
    return forms


# The values in every rounding a page may use; the numerators and denominators are only
# ever written whole (the API), so as stored.
HIDDEN_MARKERS = [
    *number_forms(HIDDEN_VALUE),
    *number_forms(HIDDEN_NUMERATOR, places=(3,)),
    *number_forms(HIDDEN_DENOMINATOR, places=(3,)),
]
# Settings without a cache: the analytics charts are drawn anew (by a stand-in) every time.
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
UNDER_FIVE_MARKERS = [
    *number_forms(UNDER_FIVE_VALUE),
    *number_forms(UNDER_FIVE_NUMERATOR, places=(3,)),
]


def make_cell(
    unit: Unit,
    period: str,
    value: str | None,
    *,
    code: str = ABSENCE,
    persons: int | None = 40,
    numerator: str | None = None,
    denominator: str | None = None,
    group: str = "all",
    suppression: str = "",
) -> Cell:
    """A published cell as ``helhed compute`` stores it (or, with numbers, as it must not)."""
    return Cell.objects.create(
        indicator_code=code,
        municipality=unit.municipality,
        unit=unit,
        unit_key=unit.key,
        period=period,
        period_start=Period.parse(period).start,
        group=group,
        value=None if value is None else Decimal(value),
        numerator=None if numerator is None else Decimal(numerator),
        denominator=None if denominator is None else Decimal(denominator),
        persons=persons,
        suppression=suppression,
    )


def make_hidden_cell(unit: Unit, period: str, **kwargs: Any) -> Cell:
    """A cell the engine hid, stored with the numbers it must never show."""
    return make_cell(
        unit,
        period,
        HIDDEN_VALUE,
        persons=3,
        numerator=HIDDEN_NUMERATOR,
        denominator=HIDDEN_DENOMINATOR,
        suppression=kwargs.pop("suppression", Cell.Suppression.PRIMARY),
        **kwargs,
    )


def make_profiles(*codes_and_sizes: tuple[int, int, str]) -> None:
    """Size and social profiles, so that the municipalities are each other's comparables."""
    for code, inhabitants, index in codes_and_sizes:
        Profile.objects.create(
            municipality=municipality(code), inhabitants=inhabitants, social_index=Decimal(index)
        )


@dataclass(frozen=True)
class Route:
    """A web URL pattern with path parameters, by its namespaced name."""

    name: str
    pattern: str
    params: tuple[str, ...]


def web_routes(*namespaces: str, with_ids_only: bool = True) -> list[Route]:
    """Every URL pattern with path parameters (ids), or every one, optionally of some namespaces.

    Read from the resolver, so a new page is covered as soon as it exists.
    The admin and the API (see the OpenAPI schema) are left out.
    """
    found: list[Route] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace in ("admin", "api"):
                    continue
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern) and entry.name:
                if with_ids_only and not entry.pattern.converters:
                    continue
                name = namespace + entry.name
                if namespaces and name.split(":")[0] not in namespaces:
                    continue
                pattern = prefix + str(entry.pattern)
                found.append(Route(name, pattern, tuple(entry.pattern.converters)))

    walk(get_resolver().url_patterns, "", "")
    return found


@dataclass
class FormField:
    name: str
    kind: str  # the input type, "select" or "textarea"
    value: str = ""
    options: list[str] = field(default_factory=list)
    maxlength: int | None = None


@dataclass
class Form:
    action: str
    fields: dict[str, FormField] = field(default_factory=dict)


def _length(attrs: dict[str, str]) -> int | None:
    text = attrs.get("maxlength", "")
    return int(text) if text.isdigit() else None


class FormReader(HTMLParser):
    """The POST forms of a page: action, and each field's kind, value and options."""

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: FormField | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            action = urlsplit(a.get("action") or self.page_url)
            self.form = Form(action.path + (f"?{action.query}" if action.query else ""))
            self.forms.append(self.form)
        elif self.form is None or "name" not in a:
            if tag == "option" and self.select is not None:
                self.select.options.append(a.get("value", ""))
            return
        elif tag == "input" and a.get("type") not in ("submit", "button", "file"):
            if a["name"] != "csrfmiddlewaretoken":
                self.form.fields[a["name"]] = FormField(
                    a["name"], a.get("type", "text"), a.get("value", ""), [], _length(a)
                )
        elif tag in ("select", "textarea"):
            self.select = FormField(a["name"], tag, maxlength=_length(a))
            self.form.fields[a["name"]] = self.select
            if tag == "textarea":
                self.select = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None


def read_forms(url: str, html: str) -> list[Form]:
    reader = FormReader(url)
    reader.feed(html)
    return reader.forms


def leak_markers(citizen: Citizen) -> list[str]:
    """What must never reach a user who may not see the citizen: names and CPR, in every form."""
    cpr = citizen.cpr
    return [citizen.first_name, citizen.last_name, cpr, cpr.replace("-", "")]


class CitizenObjects:
    """The objects that carry one citizen's personal data, made through the actions."""

    plan: Plan
    goal: Goal
    effort: Effort
    participant: Participant
    member: PlanMember
    meeting: Meeting
    action: Action
    concern: Concern
    referral: Referral
    story: Story
    rating: Rating
    consent: Consent
    engagement: Engagement
    handover: Handover
    handover_item: HandoverItem
    contact: Contact
    contradiction: Contradiction


def make_citizen_objects(
    citizen: Citizen, *, coordinator: Staff, unit: Unit, helper: Staff, to_unit: Unit
) -> CitizenObjects:
    """A plan and everything hanging on it, a concern and a referral, as staff make them."""
    made = CitizenObjects()
    made.plan = plan = make_plan(
        citizen, coordinator=coordinator, title="Plan " + citizen.first_name
    )
    made.goal = do_add_goal(
        actor=coordinator,
        plan=plan,
        expected_version=plan.version,
        text="Goal of " + citizen.first_name,
        formulated_by=Goal.FormulatedBy.CITIZEN,
        formulated_by_name=citizen.first_name,
        target_date=today() + dt.timedelta(days=30),
    )
    plan.refresh_from_db()
    made.effort = do_add_effort(
        actor=coordinator,
        plan=plan,
        expected_version=plan.version,
        title="Støtte",
        description="",
        citizen=None,
        responsible_unit=unit,
        sector=None,
        legal_basis=LegalBasis.FOLKESKOLELOVEN,
        legal_reference="",
        starts_on=today(),
        ends_on=None,
        monthly_cost=Decimal(100),
        goals=[made.goal],
        paying_unit=unit,
    )
    plan.refresh_from_db()
    made.participant = do_add_participant(
        actor=coordinator, plan=plan, expected_version=plan.version, staff=helper, unit=to_unit
    )
    plan.refresh_from_db()
    made.member = plan.members.get()
    made.meeting = do_schedule_meeting(
        actor=coordinator,
        plan=plan,
        starts_at=timezone.now() + dt.timedelta(days=7),
        place="Rådhuset",
        agenda="Møde om " + citizen.first_name,
        staff_participants=[(coordinator, "")],
        family_participants=[(citizen, citizen.first_name)],
    )
    made.action = do_add_action(
        actor=coordinator,
        plan=plan,
        description="Ring til " + citizen.first_name,
        owner=coordinator,
        due_on=today() + dt.timedelta(days=3),
    )
    made.concern = do_log_concern(
        actor=coordinator,
        citizen=citizen,
        unit=unit,
        observation=citizen.first_name + " græder",
        category=Concern.Category.WELLBEING,
        severity=Concern.Severity.HIGH,
        parents_informed=True,
        follow_up_owner=coordinator,
        follow_up_on=today() + dt.timedelta(days=7),
    )
    made.referral = do_send_referral(
        actor=coordinator,
        citizen=citizen,
        from_unit=unit,
        to_unit=to_unit,
        question="Vurdering af " + citizen.first_name,
        legal_basis=LegalBasis.BARNETS_LOV,
    )
    made.story = do_write_story(
        actor=coordinator, plan=plan, title="En god uge", text=citizen.first_name + " kom i skole"
    )
    made.rating = do_record_rating(
        user=coordinator.user,
        plan=plan,
        scale=Scale.objects.get(code="cors"),
        citizen=citizen,
        scores=[5, 5, 5, 5],
        rated_on=today(),
        given_by=citizen.first_name,
    )
    made.consent = Consent.objects.create(
        citizen=citizen, purpose="Samarbejde om " + citizen.first_name, given_by=citizen
    )
    made.consent.sectors.set(Sector.objects.filter(code__in=["school", "health"]))
    made.engagement = Engagement.objects.filter(citizen=citizen).order_by("pk").first()
    made.handover = do_start_handover(
        actor=coordinator,
        citizen=citizen,
        kind=Handover.Kind.OTHER,
        from_unit=unit,
        to_unit=to_unit,
        deadline=today() + dt.timedelta(days=14),
        note="Overdragelse af " + citizen.first_name,
        items=["Send journalen"],
        plan=plan,
    )
    made.handover_item = made.handover.items.get()
    made.contact = do_log_contact(
        actor=coordinator,
        citizen=citizen,
        unit=unit,
        contacted_on=today(),
        channel=Contact.Channel.PHONE,
        purpose="Talte med " + citizen.first_name,
    )
    made.contradiction = do_flag_contradiction(
        actor=coordinator,
        plan=plan,
        effort=made.effort,
        goal=made.goal,
        description="Støtten ligger samtidig med målet for " + citizen.first_name,
    )
    return made


class SecurityCase(BaseTestCase):
    """The cast of ``BaseTestCase``, alma's objects, a secret citizen's objects, and results."""

    keeper: Staff
    psychologist: Staff
    health: Unit
    ppr: Unit
    secret: Citizen
    secret_cpr: str
    mine: CitizenObjects
    hidden: CitizenObjects
    committee: Committee
    ambition: Ambition
    marker: Marker
    absence: Indicator
    target: Target
    report: StatusReport
    curve: CurvePlan
    curve_action: CurveAction
    reflection: Reflection
    token: str
    rule: Rule
    requirement: DocumentationRequirement
    data_use: DataUse
    proposal: BurdenProposal
    principle: Principle
    method: Method
    element: ReformElement
    local_decision: LocalDecision
    team: LeaderTeam
    team_round: TeamReflection
    question: ReflectionQuestion
    dilemma: Dilemma
    forum: Forum
    forum_member: ForumMember
    forum_meeting: ForumMeeting
    forum_decision: Decision
    follow_up: FollowUp
    board_item: Item
    assessment: SelfAssessment
    trial: Trial
    application: Application
    contact_point: ContactPoint

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        rudersdal = municipality(230)
        for code in ("ors", "cors", "srs", "samarbejde"):
            ScaleActivation.objects.create(
                municipality=rudersdal, scale=Scale.objects.get(code=code)
            )
        cls.health = make_unit("Sundhedsplejen", parent=cls.children_admin, sector="health")
        cls.ppr = make_unit("PPR", parent=cls.children_admin, sector="ppr")
        cls.keeper = make_staff(
            "Hanne", "Holm", unit=cls.health, role="health_visitor", username="keeper"
        )
        cls.psychologist = make_staff(
            "Pia", "Prip", unit=cls.ppr, role="psychologist", username="psychologist"
        )
        secret = make_citizen(SECRET_FIRST, SECRET_LAST, birth_date=SECRET_BIRTH)
        engage(secret, staff=cls.keeper)
        cls.secret = secret
        cls.secret_cpr = secret.cpr
        cls.mine = make_citizen_objects(
            cls.alma,
            coordinator=cls.caseworker,
            unit=cls.family_dept,
            helper=cls.teacher,
            to_unit=cls.school,
        )
        cls.hidden = make_citizen_objects(
            secret,
            coordinator=cls.keeper,
            unit=cls.health,
            helper=cls.psychologist,
            to_unit=cls.ppr,
        )

        committee = Committee.objects.create(municipality=rudersdal, name="Børne- og Skoleudvalget")
        cls.committee = committee
        cls.absence = indicator("fravaer-over-10")
        cls.ambition = Ambition.objects.create(
            municipality=rudersdal,
            committee=committee,
            title="Alle børn lærer mere",
            first_year=2022,
            last_year=2030,
            owner=cls.chief,
        )
        cls.ambition.units.set([cls.children_admin])
        cls.marker = Marker.objects.create(
            ambition=cls.ambition, owner=cls.chief, title="Flere børn går i skole"
        )
        cls.marker.indicators.set([cls.absence])
        cls.target = set_target(cls.absence, cls.children_admin, 8, applies_from="2020")
        for period in ("2025-Q1", "2025-Q2", "2025-Q3"):
            record_value(cls.absence, cls.school, period, 12)
        [cls.report] = do_generate_reports(today(), rudersdal)
        cls.curve = do_start_curve(actor=cls.leader, indicator=cls.absence, unit=cls.school)
        cls.curve_action = do_add_curve_action(
            actor=cls.leader,
            curve=cls.curve,
            description="Ring hjem",
            owner=cls.teacher,
            due_on=today() + dt.timedelta(days=14),
        )
        cls.reflection = do_record_reflection(
            actor=cls.leader,
            unit=cls.school,
            held_on=today(),
            what_we_see="Fraværet stiger",
            participants=[cls.leader, cls.teacher],
            indicators=[cls.absence],
        )
        cls.make_leadership()
        cls.make_across()
        cls.make_analytics()
        assert cls.caseworker.user is not None
        cls.token = ApiToken.issue(cls.caseworker.user, "security tests")[1]

    @classmethod
    def make_leadership(cls) -> None:
        """Rudersdal's leadership registers, and a leader team with ``keeper`` as its member.

        Made through the actions, as leaders make them. The registers are the
        municipality's (every staff member reads them); the team, its open
        round and its dilemma log are its members' (and the leaders' above).
        """
        cls.rule = do_register_rule(
            actor=cls.chief,
            title="Regel om mødeindkaldelser",
            area="Skole",
            text="Indkald altid skriftligt",
            reason="Skriftlige indkaldelser giver forældrene overblik",
            owner=cls.chief,
            owning_unit=cls.children_admin,
        )
        cls.requirement = do_register_requirement(
            actor=cls.chief,
            title="Fraværsskema",
            kind=DocumentationRequirement.Kind.FORM,
            purpose="Opfølgning på fravær",
            owner=cls.chief,
            owning_unit=cls.children_admin,
            minutes_per_case=10,
            cases_per_year=200,
        )
        cls.data_use = do_record_data_use(
            actor=cls.chief,
            user_description="Skolechefen",
            used_for="Fraværsopfølgning",
            requirement=cls.requirement,
        )
        cls.proposal = do_propose(
            actor=cls.keeper,
            title="Drop fraværsskemaet",
            description="Det bruges ikke",
            change=BurdenProposal.Change.REMOVE,
            new_theme="Dokumentation",
            requirement=cls.requirement,
        )
        cls.principle = do_create_principle(
            actor=cls.chief,
            title="Fravær er fælles sag",
            situation="Skolen er bekymret for fravær",
            who_does_what="Skolen ringer, sundhedsplejen følger op",
            review_on=today() + dt.timedelta(days=365),
        )
        cls.method = do_register_method(
            actor=cls.chief,
            name="Fælles børnesyn",
            description="Et fælles sprog om barnet",
            research_basis="Erfaringer fra kommunerne",
            evidence="practice",
        )
        if not ReformElement.objects.filter(leaves_to_municipality=True).exists():
            install_reforms()
        cls.element = ReformElement.objects.filter(leaves_to_municipality=True).order_by("pk")[0]
        cls.local_decision = do_create_local_decision(
            actor=cls.chief,
            element=cls.element,
            title="Hvem visiterer",
            owner=cls.chief,
            owning_unit=cls.children_admin,
        )
        cls.team = do_create_team(
            actor=cls.chief, unit=cls.health, name="Sundhedsplejens ledelse", members=[cls.keeper]
        )
        cls.team_round = do_open_reflection(
            actor=cls.keeper, team=cls.team, title="Før mødet", meeting_on=today()
        )
        cls.question = cls.team_round.questions.order_by("pk")[0]
        cls.dilemma = do_record_dilemma(
            actor=cls.keeper,
            team=cls.team,
            title="Hjemmebesøg eller klinik",
            description="Få ressourcer",
            decision="Klinik først",
            reasoning="Flere familier nås",
        )

    @classmethod
    def make_across(cls) -> None:
        """Rudersdal's forum over Sundhedsplejen, its board and decisions, a trial, the directory.

        Made through the actions. The forum, its meetings, decisions and
        follow-ups, the trial and its application and the directory are the
        municipality's (every staff member reads them); the board's obstacle
        is read by the forum's members, the staff of Sundhedsplejen and the
        one who raised it (``keeper``); the self-assessment by the members.
        """
        cls.forum = do_create_forum(
            actor=cls.chief,
            name="Sundhedsplejens netværk",
            kind=Forum.Kind.LEADERS_GROUP,
            cadence=Forum.Cadence.MONTHLY,
            mandate="Fjerner knaster for sundhedsplejen og bevilger til prøvehandlinger.",
            units=[cls.health],
            yearly_budget=Decimal(400_000),
            grant_limit=Decimal(250_000),
        )
        do_set_member(actor=cls.chief, forum=cls.forum, staff=cls.chief, role="chair")
        cls.forum_member = do_set_member(
            actor=cls.chief, forum=cls.forum, staff=cls.keeper, role="member"
        )
        cls.forum_meeting = do_plan_meeting(
            actor=cls.chief,
            forum=cls.forum,
            held_on=today() + dt.timedelta(days=7),
            agenda="Knaster og bevillinger",
        )
        cls.board_item = do_raise_item(
            actor=cls.keeper,
            forum=cls.forum,
            title="Ingen betaler for tolk",
            description="Sundhedsplejen og skolen er uenige om, hvem der betaler.",
            affected="Familier med tolkebehov",
        )
        cls.forum_decision = do_record_decision(
            actor=cls.chief,
            forum=cls.forum,
            text="Sundhedsplejen betaler tolk indtil videre",
            mandate_basis="Forummets mandat",
            meeting=cls.forum_meeting,
        )
        cls.follow_up = do_add_follow_up(
            actor=cls.chief,
            decision=cls.forum_decision,
            title="Aftal tolkebudget",
            owner=cls.keeper,
            due_on=today() + dt.timedelta(days=30),
        )
        cls.assessment = do_open_assessment(
            actor=cls.keeper,
            forum=cls.forum,
            title="Før mødet",
            meeting_on=today() + dt.timedelta(days=7),
        )
        cls.trial = do_create_trial(
            actor=cls.chief,
            title="Tolk ved første besøg",
            hypothesis="Med tolk ved første besøg kommer flere familier igen.",
            owner=cls.chief,
            units=[cls.health],
            participants=[cls.keeper],
            starts_on=today() - dt.timedelta(days=30),
            ends_on=today() + dt.timedelta(days=300),
            budget=Decimal(100_000),
        )
        cls.application = do_apply_for_grant(
            actor=cls.chief,
            trial=cls.trial,
            forum=cls.forum,
            amount=Decimal(50_000),
            reason="Tolke i et halvt år",
        )
        cls.contact_point = do_add_contact_point(
            actor=cls.chief,
            unit=cls.health,
            name="Sundhedsplejens rådgivning",
            phone="45 11 22 33",
            opening_hours="Hverdage 8-10",
        )

    @classmethod
    def make_analytics(cls) -> None:
        """Published cells for the dashboards, the benchmark and the API (see the module doc).

        Every unit with cells has a shown one in 2025-Q3 and a hidden one with
        numbers in 2025-Q2; Bakkeskolen also a hidden one in the group of girls
        of 2025-Q3, a hidden yearly one, and the under-five cell in 2025-Q1.
        """
        other_root = Unit.objects.get(municipality__code=167, parent=None)
        shown = {cls.root: "11.250", cls.children_admin: "12.500", cls.health: HEALTH_VALUE}
        for unit, value in {**shown, other_root: "14.125"}.items():
            make_cell(unit, "2025-Q3", value, persons=400, numerator="45", denominator="400")
            make_hidden_cell(unit, "2025-Q2")
        make_cell(cls.root, "2025-Q1", "10.500", persons=400, numerator="42", denominator="400")
        make_cell(cls.school, "2025-Q3", SHOWN_VALUE, persons=40, numerator="25.687")
        make_hidden_cell(cls.school, "2025-Q2")
        make_hidden_cell(cls.school, "2025-Q3", group="sex:F")
        make_hidden_cell(cls.school, "2024", code=WELLBEING)
        make_hidden_cell(cls.children_admin, "2025-Q1", suppression="complementary")
        make_cell(
            cls.school,
            "2025-Q1",
            UNDER_FIVE_VALUE,
            persons=3,
            numerator=UNDER_FIVE_NUMERATOR,
            denominator="3000",
        )
        make_profiles((230, 56_000, "0.91"), (167, 53_000, "1.12"))

    def path_ids(self, path: str, objects: CitizenObjects) -> dict[str, int]:
        """An existing object's id for each path parameter of a URL or API path.

        ``objects`` picks whose citizen-bearing objects (alma's or the secret's);
        the results and leadership objects are Rudersdal's. An ``action_id``
        under ``curves/actions`` is a curve's action, elsewhere a plan's; a
        ``reflection_id`` under ``teams/rounds`` is a leader team's round,
        elsewhere a results reflection meeting. Under ``forums/`` a
        ``meeting_id``, ``decision_id``, ``member_id`` and ``item_id`` are the
        forum's (its meeting, decision, member and board item); under
        ``handovers/`` an ``item_id`` is the handover's checklist point.
        """
        citizen = objects.plan.members.get().citizen_id
        ids = {
            "citizen_id": citizen,
            "plan_id": objects.plan.pk,
            "goal_id": objects.goal.pk,
            "effort_id": objects.effort.pk,
            "participant_id": objects.participant.pk,
            "member_id": objects.member.pk,
            "number": 1,
            "meeting_id": objects.meeting.pk,
            "action_id": objects.action.pk,
            "concern_id": objects.concern.pk,
            "referral_id": objects.referral.pk,
            "story_id": objects.story.pk,
            "consent_id": objects.consent.pk,
            "engagement_id": objects.engagement.pk,
            "unit_id": self.school.pk,
            "committee_id": self.committee.pk,
            "ambition_id": self.ambition.pk,
            "marker_id": self.marker.pk,
            "indicator_id": self.absence.pk,
            "target_id": self.target.pk,
            "report_id": self.report.pk,
            "curve_id": self.curve.pk,
            "reflection_id": self.reflection.pk,
            "staff_id": self.keeper.pk,
            "rule_id": self.rule.pk,
            "requirement_id": self.requirement.pk,
            "use_id": self.data_use.pk,
            "proposal_id": self.proposal.pk,
            "principle_id": self.principle.pk,
            "method_id": self.method.pk,
            "reform_id": self.element.reform_id,
            "element_id": self.element.pk,
            "decision_id": self.local_decision.pk,
            "team_id": self.team.pk,
            "question_id": self.question.pk,
            "forum_id": self.forum.pk,
            "follow_up_id": self.follow_up.pk,
            "assessment_id": self.assessment.pk,
            "trial_id": self.trial.pk,
            "application_id": self.application.pk,
            "point_id": self.contact_point.pk,
            "handover_id": objects.handover.pk,
            "contact_id": objects.contact.pk,
            "contradiction_id": objects.contradiction.pk,
        }
        if "curves/actions" in path:
            ids["action_id"] = self.curve_action.pk
        if "teams/rounds" in path:
            ids["reflection_id"] = self.team_round.pk  # a leader team's round, not results'
        if "handovers/" in path:
            ids["item_id"] = objects.handover_item.pk
        if path.lstrip("/").startswith(("forums/", "api/forums/")):
            ids["meeting_id"] = self.forum_meeting.pk
            ids["decision_id"] = self.forum_decision.pk
            ids["member_id"] = self.forum_member.pk
            ids["item_id"] = self.board_item.pk
        return ids

    def url(self, route: Route, objects: CitizenObjects, **override: Any) -> str:
        """The route's URL with the ids of ``objects`` (and the results objects)."""
        ids: dict[str, Any] = {**self.path_ids(route.pattern, objects), "step": "story"}
        ids.update(override)
        missing = [p for p in route.params if p not in ids]
        assert not missing, f"{route.name}: give SecurityCase.path_ids an id for {missing}"
        return reverse(route.name, kwargs={p: ids[p] for p in route.params})

    def bearer(self, token: str | None = None) -> dict[str, str]:
        return {"authorization": f"Bearer {token or self.token}", "accept-language": "en"}
