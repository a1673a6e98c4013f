"""The demo's leading across: forums, the obstacle board, trials, handovers, payers, contacts.

Runs after the plans and the results are saved. What it makes follows the
municipalities of the issue: a steering group with a yearly budget it grants
trial actions from (up to DKK 250,000 each, like Rudersdal's advisory
meeting), a chiefs' group and a daily leaders' group that escalate to it, a
strategic forum and a referral meeting; their meetings, decisions (some with
grants) and follow-ups; obstacles in every state with their history; three
trials (one running on a grant, one decided, one waiting for the steering
group's decision); handovers between units (one overdue on the demo school
leader's list); payers for the plans' efforts (most agreed, some still open:
"solve first, settle later"); contact points per unit; contacts with the
coordinated family from other units waiting on the coordinator's list; marks
on the family's journey.

The story of the issue is left to be played: ``skoleleder`` raises an
obstacle on the leaders' group's board, ``chef`` escalates it to the steering
group, and ``direktor`` (its chair) grants DKK 200,000 to the waiting trial.

Rows are written directly (the demo back-dates them: decisions last spring, an
overdue handover), keeping every rule the actions check; the tests read them
back through the policy.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from helhed.forums.models import (
    AssessmentAnswer,
    Decision,
    FollowUp,
    Forum,
    ForumMeeting,
    ForumMember,
    Item,
    ItemEvent,
    SelfAssessment,
)
from helhed.forums.statements import STATEMENTS
from helhed.organisation.models import (
    ContactPoint,
    Municipality,
    Role,
    RoleAssignment,
    Staff,
    Unit,
)
from helhed.plans.models import (
    Contact,
    Contradiction,
    Effort,
    Handover,
    HandoverItem,
    JourneyMark,
    Plan,
    Story,
)
from helhed.results.models import Indicator
from helhed.trials.models import (
    Application,
    Evaluation,
    EvaluationResult,
    Expense,
    Trial,
    TrialStory,
)

STEERING_BUDGET = Decimal(1_000_000)
GRANT_LIMIT = Decimal(250_000)
# The trial of the story waits for the steering group's grant of this amount.
STORY_TRIAL = "Skolen som fællesskab for børn med bekymrende fravær"
STORY_GRANT = Decimal(200_000)

OBSTACLES = [
    (
        "budget",
        "Ingen kan bevilge støtte i klassen, før betaleren er afklaret",
        "Eleven venter i uger, mens skole og familieafdeling drøfter, hvem der betaler.",
        "Elever med behov for støtte fra både skole og familieafdeling",
    ),
    (
        "it",
        "Skolen kan ikke se, at familien allerede har en koordinator",
        "Vi indkalder til møder, som koordinatoren allerede har holdt.",
        "Familier med en fælles plan",
    ),
    (
        "law",
        "Tavshedspligten opleves som en hindring for tidlig dialog",
        "Medarbejdere tør ikke dele en bekymring med PPR uden samtykke.",
        "Børn med begyndende mistrivsel",
    ),
    (
        "procedure",
        "To visitationsmøder for det samme barn",
        "Barnet skal både visiteres i PPR og i familieafdelingen med to forskellige skemaer.",
        "Børn med behov for specialpædagogisk bistand",
    ),
    (
        "culture",
        "Jobcentret inviteres først, når den unge er fyldt 18",
        "Overgangen starter for sent, og den unge mister kontaktpersonen.",
        "Unge med en indsats efter Barnets Lov",
    ),
    (
        "procedure",
        "Udskrivningsbrevet når ikke hjemmeplejen i weekenden",
        "Borgere udskrives fredag og får først hjælp mandag.",
        "Ældre, der udskrives fra hospital",
    ),
]

CONTACT_POINTS = [
    ("Modtagelsen", "Tlf. 8:00-15:00, torsdag til 17:00"),
    ("Visitationen", "Hverdage 8:00-14:00"),
    ("PPR – Pædagogisk Psykologisk Rådgivning", "Hverdage 9:00-15:00"),
    ("Ungeindsatsen", "Åben rådgivning tirsdag 14:00-17:00"),
    ("Sundhedsplejen", "Hverdage 8:00-12:00"),
    ("Familiehuset", "Hverdage 8:00-16:00"),
]


@dataclass
class AcrossCounts:
    forums: int = 0
    decisions: int = 0
    items: int = 0
    trials: int = 0
    handovers: int = 0
    contacts: int = 0
    efforts_with_payer: int = 0

    @property
    def line(self) -> str:
        return (
            f"{self.forums} forums with {self.decisions} decisions, {self.items} items on "
            f"their boards, {self.trials} trials, {self.handovers} handovers, "
            f"{self.contacts} contacts logged, payers for {self.efforts_with_payer} efforts"
        )


class _Org:
    """Units by name and leaders by unit, read once."""

    def __init__(self, municipality: Municipality, on: dt.date) -> None:
        self.units = list(Unit.objects.filter(municipality=municipality).valid_on(on))
        self.by_name = {unit.name: unit for unit in self.units}
        self.by_pk = {unit.pk: unit for unit in self.units}
        self.root = next(unit for unit in self.units if unit.parent_id is None)
        self.leader: dict[int, Staff] = {
            a.unit_id: a.staff
            for a in RoleAssignment.objects.valid_on(on)
            .filter(unit__municipality=municipality, role__kind=Role.Kind.LEADER)
            .select_related("staff")
        }

    def lead(self, unit: Unit) -> Staff:
        for unit_id in [unit.pk, *reversed(unit.ancestor_ids())]:
            if unit_id in self.leader:
                return self.leader[unit_id]
        return self.leader[self.root.pk]

    def children_of(self, unit: Unit) -> list[Unit]:
        return [u for u in self.units if u.parent_id == unit.pk]


def generate_across(
    municipality: Municipality,
    *,
    rng: random.Random,
    now: dt.date,
    login_staff: dict[str, int] | None = None,
) -> AcrossCounts:
    """Make the forums, boards, trials, handovers, payers and contacts of the municipality."""
    org = _Org(municipality, now)
    logins = {role: Staff.objects.get(pk=pk) for role, pk in (login_staff or {}).items()}
    counts = AcrossCounts()
    forums = _forums(municipality, org, logins)
    counts.forums = len(forums)
    counts.decisions = _decisions(forums, org, rng, now)
    counts.items = _items(forums, org, rng, now, logins)
    _assessments(forums, rng, now)
    counts.trials = _trials(municipality, org, rng, now, forums, logins)
    counts.efforts_with_payer = _payers(municipality, org, rng, now)
    counts.handovers = _handovers(municipality, org, rng, now, logins)
    counts.contacts = _contacts(municipality, org, rng, now, logins)
    _contact_points(org, rng)
    return counts


def _administrations(org: _Org) -> list[Unit]:
    return [u for u in org.children_of(org.root) if u.pk in org.leader]


def _forums(municipality: Municipality, org: _Org, logins: dict[str, Staff]) -> dict[str, Forum]:
    director = org.leader[org.root.pk]
    administrations = _administrations(org)
    chiefs = [org.leader[a.pk] for a in administrations]
    children = org.by_name.get("Børn og Unge", administrations[0])
    chief = logins.get("chief", org.lead(children))
    steering = Forum.objects.create(
        municipality=municipality,
        name="Styregruppen for børn og unge",
        kind=Forum.Kind.STEERING_GROUP,
        cadence=Forum.Cadence.MONTHLY,
        mandate=(
            "Styregruppen fjerner de knaster, der står i vejen for et sammenhængende forløb, "
            "og kan bevilge op til 250.000 kr. pr. prøvehandling af den tværgående pulje "
            "(1 mio. kr. om året). Den følger op på de fælles pejlemærker."
        ),
        yearly_budget=STEERING_BUDGET,
        grant_limit=GRANT_LIMIT,
    )
    steering.units.set([org.root])
    chiefs_group = Forum.objects.create(
        municipality=municipality,
        name="Chefgruppen",
        kind=Forum.Kind.CHIEFS_GROUP,
        cadence=Forum.Cadence.WEEKLY,
        mandate=(
            "Chefgruppen løser sager, hvor to eller flere forvaltninger er i spil. Løs "
            "først, diskutér bagefter: ingen borger må stå mellem to forvaltninger."
        ),
        escalates_to=steering,
    )
    chiefs_group.units.set(administrations)
    leaders = Forum.objects.create(
        municipality=municipality,
        name="Ledergruppen i Børn og Unge",
        kind=Forum.Kind.LEADERS_GROUP,
        cadence=Forum.Cadence.DAILY,
        mandate="Den daglige koordinering mellem skoler, dagtilbud, PPR og familieafdelingen.",
        escalates_to=chiefs_group,
    )
    leaders.units.set([children])
    strategic = Forum.objects.create(
        municipality=municipality,
        name="Strategisk forum",
        kind=Forum.Kind.STRATEGIC_FORUM,
        cadence=Forum.Cadence.QUARTERLY,
        mandate="Fælles retning for det tværgående arbejde; forbereder styregruppens beslutninger.",
        escalates_to=steering,
    )
    strategic.units.set([org.root])
    referral = Forum.objects.create(
        municipality=municipality,
        name="Visitationsmødet",
        kind=Forum.Kind.REFERRAL_MEETING,
        cadence=Forum.Cadence.FORTNIGHTLY,
        mandate="Visiterer til tværgående indsatser på børneområdet.",
        escalates_to=leaders,
    )
    referral.units.set([children])

    def seat(forum: Forum, chair: Staff, others: list[Staff]) -> None:
        ForumMember.objects.create(forum=forum, staff=chair, role=ForumMember.Role.CHAIR)
        for staff in dict.fromkeys(others):
            if staff.pk != chair.pk:
                ForumMember.objects.create(forum=forum, staff=staff)

    seat(steering, director, chiefs)
    seat(chiefs_group, chief, [director, *chiefs])
    area_leaders = [org.leader[u.pk] for u in org.children_of(children) if u.pk in org.leader]
    school_leader = logins.get("leader")
    seat(leaders, chief, [*area_leaders, *([school_leader] if school_leader else [])])
    seat(strategic, director, [*chiefs, *area_leaders[:2]])
    seat(referral, area_leaders[0] if area_leaders else chief, area_leaders[1:])
    return {
        "steering": steering,
        "chiefs": chiefs_group,
        "leaders": leaders,
        "strategic": strategic,
        "referral": referral,
    }


def _decisions(forums: dict[str, Forum], org: _Org, rng: random.Random, now: dt.date) -> int:
    made = 0
    steering = forums["steering"]
    chair = ForumMember.objects.get(forum=steering, role=ForumMember.Role.CHAIR).staff
    for months_back, text, grant in (
        (7, "Fælles pulje til prøvehandlinger på 1 mio. kr. for året.", None),
        (5, "Bevilling til 'Ung til voksen – fælles overgang'.", Decimal(180_000)),
        (3, "Bevilling til 'Hjem fra hospital fredag'.", Decimal(120_000)),
        (1, "Sundhedsplejen og dagtilbud afprøver fælles trivselsvurdering.", None),
    ):
        held_on = max(dt.date(now.year, 1, 15), now - dt.timedelta(days=30 * months_back))
        meeting = ForumMeeting.objects.create(
            forum=steering,
            held_on=held_on,
            agenda="1. Status på prøvehandlinger\n2. Knaster fra chefgruppen\n3. Eventuelt",
            minutes="Drøftet og besluttet som anført. Næste møde om en måned.",
            status=ForumMeeting.Status.HELD,
            created_by=chair,
        )
        decision = Decision.objects.create(
            forum=steering,
            meeting=meeting,
            text=text,
            mandate_basis="Bevillinger af den tværgående pulje, op til 250.000 kr.",
            decided_by=chair,
            decided_on=held_on,
            grant_amount=grant,
            grant_purpose=text.split("'")[1] if grant else "",
        )
        FollowUp.objects.create(
            decision=decision,
            title="Følg op på beslutningen i næste møde",
            owner=rng.choice(list(steering.members.all())).staff,
            due_on=held_on + dt.timedelta(days=30),
            done_on=held_on + dt.timedelta(days=25) if months_back > 1 else None,
        )
        made += 1
    for forum in (forums["chiefs"], forums["leaders"]):
        chair = ForumMember.objects.get(forum=forum, role=ForumMember.Role.CHAIR).staff
        for weeks_back in (6, 2):
            held_on = now - dt.timedelta(days=7 * weeks_back)
            meeting = ForumMeeting.objects.create(
                forum=forum,
                held_on=held_on,
                agenda="Knaster på tavlen og fælles sager",
                minutes="Knasterne gennemgået; én løst, én sendt videre.",
                status=ForumMeeting.Status.HELD,
                created_by=chair,
            )
            Decision.objects.create(
                forum=forum,
                meeting=meeting,
                text="Skolen igangsætter støtten nu; betalingen afklares bagefter i chefgruppen.",
                mandate_basis="Løs først, diskutér bagefter",
                decided_by=chair,
                decided_on=held_on,
            )
            made += 1
        ForumMeeting.objects.create(
            forum=forum,
            held_on=now + dt.timedelta(days=7),
            agenda="Knaster på tavlen",
            created_by=chair,
        )
    return made


def _items(
    forums: dict[str, Forum],
    org: _Org,
    rng: random.Random,
    now: dt.date,
    logins: dict[str, Staff],
) -> int:
    leaders, chiefs, steering = forums["leaders"], forums["chiefs"], forums["steering"]
    raisers = [m.staff for m in leaders.members.all()]
    chief = ForumMember.objects.get(forum=leaders, role=ForumMember.Role.CHAIR).staff
    director = ForumMember.objects.get(forum=steering, role=ForumMember.Role.CHAIR).staff
    made = 0
    for index, (category, title, description, affected) in enumerate(OBSTACLES):
        story_raiser = logins.get("leader")
        raised_by = story_raiser if index == 0 and story_raiser else rng.choice(raisers)
        raised_on = now - dt.timedelta(days=rng.randint(15, 120))
        item = Item.objects.create(
            forum=leaders,
            kind=Item.Kind.OBSTACLE,
            category=category,
            title=title,
            description=description,
            affected=affected,
            raised_by=raised_by,
            raised_on=raised_on,
        )
        ItemEvent.objects.create(item=item, kind=ItemEvent.Kind.RAISED, forum=leaders, by=raised_by)
        state = index % 4
        if state == 0:
            # Open on the leaders' board.
            pass
        elif state == 1:
            item.taken_by = chief
            item.status = Item.Status.RESOLVED
            item.closed_on = raised_on + dt.timedelta(days=rng.randint(3, 20))
            item.outcome = "Løst: fælles procedure aftalt og sendt ud til alle ledere."
            item.save()
            ItemEvent.objects.create(item=item, kind="taken", forum=leaders, by=chief)
            ItemEvent.objects.create(
                item=item, kind="resolved", forum=leaders, by=chief, note=item.outcome
            )
        elif state == 2:
            # Escalated twice: from the leaders' group to the chiefs' group to the steering group.
            ItemEvent.objects.create(item=item, kind="taken", forum=leaders, by=chief)
            ItemEvent.objects.create(
                item=item,
                kind="escalated",
                forum=leaders,
                to_forum=chiefs,
                by=chief,
                note="Kræver en aftale mellem to forvaltninger.",
            )
            ItemEvent.objects.create(
                item=item,
                kind="escalated",
                forum=chiefs,
                to_forum=steering,
                by=chief,
                note="Kræver en beslutning om økonomi på tværs.",
            )
            item.forum = steering
            item.save(update_fields=["forum"])
            if index > 2:
                item.taken_by = director
                item.status = Item.Status.RESOLVED
                item.closed_on = raised_on + dt.timedelta(days=rng.randint(20, 60))
                item.outcome = "Styregruppen har afsat midler og ændret proceduren."
                item.save()
                ItemEvent.objects.create(item=item, kind="taken", forum=steering, by=director)
                ItemEvent.objects.create(
                    item=item, kind="resolved", forum=steering, by=director, note=item.outcome
                )
        else:
            item.taken_by = chief
            item.status = Item.Status.TAKEN
            item.save(update_fields=["taken_by", "status"])
            ItemEvent.objects.create(item=item, kind="taken", forum=leaders, by=chief)
        made += 1
    return made


def _assessments(forums: dict[str, Forum], rng: random.Random, now: dt.date) -> None:
    forum = forums["chiefs"]
    members = [m.staff for m in forum.members.all()]
    for index, days_back in enumerate((200, 110, 10)):
        assessment = SelfAssessment.objects.create(
            forum=forum,
            title="Hvordan leder vi på tværs?",
            meeting_on=now - dt.timedelta(days=days_back) + dt.timedelta(days=7),
            status=SelfAssessment.Status.CLOSED if index < 2 else SelfAssessment.Status.OPEN,
            created_by=members[0],
        )
        if index == 2:
            continue
        for staff in members:
            for statement in STATEMENTS:
                AssessmentAnswer.objects.create(
                    assessment=assessment,
                    staff=staff,
                    statement=statement.code,
                    score=max(1, min(5, round(rng.gauss(3 + index * 0.4, 0.9)))),
                )


def _trials(
    municipality: Municipality,
    org: _Org,
    rng: random.Random,
    now: dt.date,
    forums: dict[str, Forum],
    logins: dict[str, Staff],
) -> int:
    steering = forums["steering"]
    children = org.by_name.get("Børn og Unge", org.root)
    schools = org.by_name.get("Skoleområdet", children)
    family = org.by_name.get("Familieafdelingen", children)
    employment = next((u for u in org.units if u.name == "Ungeindsatsen"), org.root)
    indicators = {i.code: i for i in Indicator.objects.filter(municipality=municipality)}
    shared = list(
        Story.objects.filter(
            plan__municipality=municipality, sharing=Story.Sharing.SHARED
        ).order_by("pk")[:4]
    )
    decisions = {d.grant_purpose: d for d in Decision.objects.filter(forum=steering)}
    specs = [
        (
            "Ung til voksen – fælles overgang",
            "Hvis familieafdelingen og Ungeindsatsen holder et fælles møde med den unge før 17½ "
            "år, så er flere unge i uddannelse eller job ved 19, fordi kontaktpersonen følger med.",
            [family, employment],
            ["ungdomsuddannelse-18"],
            now - dt.timedelta(days=420),
            now - dt.timedelta(days=30),
            "Unge i samme aldersgruppe i Jobcentrets almindelige forløb (64 unge)",
            Decimal(180_000),
        ),
        (
            "Hjem fra hospital fredag",
            "Hvis visitationen er på arbejde fredag eftermiddag, så får borgere, der udskrives "
            "fredag, hjælp fra første dag, fordi udskrivningsbrevet bliver læst.",
            [u for u in org.units if u.name in ("Visitationen", "Sundhedscentret")] or [org.root],
            [],
            now - dt.timedelta(days=150),
            now + dt.timedelta(days=210),
            "Egen baseline: udskrivninger fredag det foregående år",
            Decimal(120_000),
        ),
        (
            STORY_TRIAL,
            "Hvis skolen, PPR og familieafdelingen mødes med familien inden for 14 dage, når "
            "fraværet bekymrer, så falder det bekymrende fravær, fordi indsatsen starter, før "
            "barnet har mistet fællesskabet.",
            [schools, family, *[u for u in org.units if u.name.startswith("PPR")]],
            ["fravaer-over-10", "trivsel"],
            now + dt.timedelta(days=20),
            now + dt.timedelta(days=385),
            "Skoler uden fraværsteam i samme periode",
            Decimal(0),
        ),
    ]
    made = 0
    for index, (title, hypothesis, units, codes, starts, ends, comparison, granted) in enumerate(
        specs
    ):
        owner = org.lead(units[0])
        trial = Trial.objects.create(
            municipality=municipality,
            title=title,
            hypothesis=hypothesis,
            owner=owner,
            starts_on=starts,
            ends_on=ends,
            comparison=comparison,
            budget=granted or STORY_GRANT,
            status=Trial.Status.RUNNING if starts <= now else Trial.Status.PLANNED,
        )
        trial.units.set(units)
        trial.participants.set({org.lead(u) for u in units})
        trial.indicators.set([indicators[c] for c in codes if c in indicators])
        if granted:
            decision = decisions.get(title)
            Application.objects.create(
                trial=trial,
                forum=steering,
                amount=granted,
                reason="Løn til fælles kontaktperson og mødetid.",
                applied_by=owner,
                applied_on=starts - dt.timedelta(days=30),
                status=Application.Status.GRANTED,
                decision=decision,
            )
            spent = Decimal(0)
            for months in range(1, 5):
                amount = (granted / 6).quantize(Decimal(1))
                spent_on = starts + dt.timedelta(days=30 * months)
                if spent_on > now or spent + amount > granted:
                    break
                Expense.objects.create(
                    trial=trial,
                    amount=amount,
                    spent_on=spent_on,
                    text="Løn, kontaktperson",
                    recorded_by=owner,
                )
                spent += amount
        else:
            # The story: the trial waits for the steering group's grant.
            Application.objects.create(
                trial=trial,
                forum=steering,
                amount=STORY_GRANT,
                reason="Fraværsteam med lærer, PPR-psykolog og familierådgiver i et år.",
                applied_by=owner,
                applied_on=now - dt.timedelta(days=5),
            )
            for story in shared[:2]:
                TrialStory.objects.create(trial=trial, story=story, added_by=owner)
        if index == 0:
            interim = Evaluation.objects.create(
                trial=trial,
                kind=Evaluation.Kind.INTERIM,
                evaluated_on=starts + dt.timedelta(days=200),
                summary="Flere unge har en kontaktperson ved overgangen; færre falder fra.",
                persons_in_trial=41,
                persons_compared=64,
                written_by=owner,
            )
            final = Evaluation.objects.create(
                trial=trial,
                kind=Evaluation.Kind.FINAL,
                evaluated_on=ends - dt.timedelta(days=10),
                summary=(
                    "62 unge fulgt: 71 % i uddannelse eller job mod 58 % i sammenligningsgruppen. "
                    "Skønnet besparelse omkring 100.000 kr. pr. ung om året."
                ),
                persons_in_trial=62,
                persons_compared=64,
                estimated_saving=Decimal(100_000),
                written_by=owner,
            )
            if "ungdomsuddannelse-18" in indicators:
                for evaluation, value in ((interim, "66.0"), (final, "71.0")):
                    EvaluationResult.objects.create(
                        evaluation=evaluation,
                        indicator=indicators["ungdomsuddannelse-18"],
                        trial_value=Decimal(value),
                        comparison_value=Decimal("58.0"),
                        baseline_value=Decimal("55.0"),
                    )
            trial.status = Trial.Status.CLOSED
            trial.outcome = Trial.Outcome.SCALE
            trial.outcome_reason = "Virker på tværs: udbredes til hele ungeområdet fra næste år."
            trial.outcome_on = ends
            trial.save()
            for story in shared[2:4]:
                TrialStory.objects.create(trial=trial, story=story, added_by=owner)
        made += 1
    return made


def _payers(municipality: Municipality, org: _Org, rng: random.Random, now: dt.date) -> int:
    """Most efforts have an agreed payer; one in six started before anyone agreed."""
    efforts = list(
        Effort.objects.filter(plan__municipality=municipality)
        .select_related("responsible_unit")
        .order_by("pk")
    )
    family = org.by_name.get("Familieafdelingen")
    for effort in efforts:
        unit = effort.responsible_unit
        payer = family if (family and rng.random() < 0.35) else unit
        effort.paying_unit = payer
        if rng.random() < 0.83 or effort.starts_on > now:
            agreed = min(now, effort.starts_on + dt.timedelta(days=rng.randint(0, 20)))
            effort.payer_agreed_on = agreed
            effort.payer_agreed_by = org.lead(payer)
        else:
            effort.payer_agreed_on = None
            effort.payer_agreed_by = None
    Effort.objects.bulk_update(efforts, ["paying_unit", "payer_agreed_on", "payer_agreed_by"])
    return len(efforts)


def _handovers(
    municipality: Municipality,
    org: _Org,
    rng: random.Random,
    now: dt.date,
    logins: dict[str, Staff],
) -> int:
    youth = next((u for u in org.units if u.name == "Ungeindsatsen"), None)
    if youth is None:
        return 0
    plans = list(
        Plan.objects.filter(municipality=municipality, status=Plan.Status.ACTIVE)
        .select_related("coordinator")
        .prefetch_related("members__citizen")
        .order_by("pk")[:8]
    )
    leader = logins.get("leader")
    school = _led_unit(leader, now) if leader else None
    made = 0
    for index, plan in enumerate(plans):
        member = plan.members.first()
        if member is None:
            continue
        from_unit = school if (index == 0 and school) else _main_unit(plan.coordinator, now)
        if from_unit is None or from_unit.pk == youth.pk:
            continue
        overdue = index in (0, 3)
        accepted = index in (1, 4)
        deadline = now - dt.timedelta(days=9) if overdue else now + dt.timedelta(days=21)
        handover = Handover.objects.create(
            citizen=member.citizen,
            plan=plan,
            kind=Handover.Kind.SCHOOL_TO_YOUTH,
            from_unit=from_unit,
            to_unit=youth,
            deadline=deadline if not accepted else now - dt.timedelta(days=20),
            note="Den unge ønsker at fortsætte med samme kontaktperson.",
            created_by=plan.coordinator,
            created_on=deadline - dt.timedelta(days=30),
            status=Handover.Status.ACCEPTED if accepted else Handover.Status.PENDING,
            decided_by=org.lead(youth) if accepted else None,
            decided_on=now - dt.timedelta(days=25) if accepted else None,
        )
        for point, done in (
            ("Fælles møde med den unge og forældrene", True),
            ("Uddannelsesplan overdraget", accepted),
            ("Kontaktperson aftalt", accepted),
        ):
            HandoverItem.objects.create(
                handover=handover,
                text=point,
                done_on=handover.created_on + dt.timedelta(days=5) if done else None,
                done_by=plan.coordinator if done else None,
            )
        made += 1
    return made


def _led_unit(staff: Staff, on: dt.date) -> Unit | None:
    assignment = (
        RoleAssignment.objects.valid_on(on)
        .filter(staff=staff, role__kind=Role.Kind.LEADER)
        .select_related("unit")
        .first()
    )
    return assignment.unit if assignment else None


def _main_unit(staff: Staff, on: dt.date) -> Unit | None:
    assignment = (
        RoleAssignment.objects.valid_on(on).filter(staff=staff).select_related("unit").first()
    )
    return assignment.unit if assignment else None


def _contacts(
    municipality: Municipality,
    org: _Org,
    rng: random.Random,
    now: dt.date,
    logins: dict[str, Staff],
) -> int:
    """Contacts with coordinated families; those from other units wait on the coordinator's list."""
    coordinator = logins.get("coordinator")
    plans = Plan.objects.filter(municipality=municipality, status=Plan.Status.ACTIVE)
    if coordinator is not None:
        plans = plans.filter(Q(coordinator=coordinator) | Q(pk__in=plans.values("pk")[:6]))
    made = 0
    others = [
        logins[role]
        for role in ("health_visitor", "psychologist", "teacher", "job_consultant")
        if role in logins
    ]
    for plan in plans.select_related("coordinator").prefetch_related("members").order_by("pk")[:10]:
        coordinator_units = set(
            RoleAssignment.objects.valid_on(now)
            .filter(staff=plan.coordinator)
            .values_list("unit_id", flat=True)
        )
        for member in plan.members.all()[:1]:
            for staff in rng.sample(others, min(2, len(others))):
                unit = _main_unit(staff, now)
                if unit is None:
                    continue
                outside = unit.pk not in coordinator_units and staff.pk != plan.coordinator_id
                Contact.objects.create(
                    citizen_id=member.citizen_id,
                    staff=staff,
                    unit=unit,
                    contacted_on=now - dt.timedelta(days=rng.randint(0, 20)),
                    channel=rng.choice(list(Contact.Channel.values)),
                    purpose=rng.choice(
                        [
                            "Opfølgning på trivsel",
                            "Samtale om fravær",
                            "Hjemmebesøg efter aftale",
                            "Afklaring af næste skridt",
                        ]
                    ),
                    coordinator=plan.coordinator if outside else None,
                )
                made += 1
    # An open contradiction in the coordinator's plan, for the next network meeting.
    if coordinator is not None:
        own = Plan.objects.filter(coordinator=coordinator, status=Plan.Status.ACTIVE).first()
        efforts = list(own.efforts.order_by("pk")[:2]) if own else []
        if own is not None and len(efforts) == 2:
            Contradiction.objects.create(
                plan=own,
                effort=efforts[0],
                other_effort=efforts[1],
                description=(
                    "Begge indsatser lægger møder tirsdag eftermiddag; familien kan ikke være "
                    "to steder på én gang."
                ),
                raised_by=coordinator,
                raised_on=now - dt.timedelta(days=3),
            )
        # The family's own marks on their journey: a meeting that worked, one that did not.
        if own is not None:
            first = own.members.first()
            meetings = list(own.meetings.order_by("starts_at")[:2])
            for meeting, mark, note in zip(
                meetings,
                (JourneyMark.Mark.GREEN, JourneyMark.Mark.RED),
                ("Vi blev hørt, og der kom en plan.", "For mange mennesker om bordet."),
                strict=False,
            ):
                if first is not None:
                    JourneyMark.objects.create(
                        citizen_id=first.citizen_id,
                        event_type="meeting",
                        event_id=meeting.pk,
                        mark=mark,
                        note=note,
                        marked_by_family=True,
                    )
    return made


def _contact_points(org: _Org, rng: random.Random) -> None:
    for name, hours in CONTACT_POINTS:
        unit = org.by_name.get(name)
        if unit is None:
            continue
        has_capacity = rng.random() < 0.7
        ContactPoint.objects.create(
            unit=unit,
            name="Rådgivning og henvendelser",
            phone=f"45 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            email=f"{unit.pk}@kommune.example.dk",
            opening_hours=hours,
            has_capacity=has_capacity,
            capacity_note="" if has_capacity else "Ventetid omkring tre uger lige nu",
        )


def clear_across(municipalities: QuerySet[Municipality]) -> None:
    """Delete the leading-across rows of these municipalities (they protect staff and units)."""
    in_munis = Q(municipality__in=municipalities)
    Trial.objects.filter(in_munis).delete()
    Decision.objects.filter(forum__municipality__in=municipalities).delete()
    Item.objects.filter(forum__municipality__in=municipalities).delete()
    Forum.objects.filter(in_munis).update(escalates_to=None)
    Forum.objects.filter(in_munis).delete()
    Handover.objects.filter(citizen__municipality__in=municipalities).delete()
    Contact.objects.filter(citizen__municipality__in=municipalities).delete()
    Contradiction.objects.filter(plan__municipality__in=municipalities).delete()
    JourneyMark.objects.filter(citizen__municipality__in=municipalities).delete()
    ContactPoint.objects.filter(unit__municipality__in=municipalities).delete()
    Effort.objects.filter(plan__municipality__in=municipalities).update(
        paying_unit=None, payer_agreed_on=None, payer_agreed_by=None
    )
