"""The demo's room to lead: rules, documentation, burden proposals, principles, methods, teams.

Runs after the organisation and the plans are saved. What it makes mirrors
the municipalities the issue names:

* a rule register like Aalborg's after 2022: every rule with an owner, a
  written reason and a review date; a few past review (one on the demo
  school leader's own list), some changed or repealed with their history;
* a documentation register with minutes per case and cases a year; most
  requirements have a recorded use, some are "nice to know" (no use, no legal
  basis) and a few are already dropped, so hours saved show. One nice-to-know
  requirement of the children's administration is left for the demo's story:
  the school leader proposes dropping it and the chief decides;
* burden proposals in every status, grouped by theme, like Viborg's 247;
* a target span and the history of a former one;
* shared principles signed by the units' own leaders, common methods used in
  units, some of the plans' efforts working by a method;
* local decisions for the reforms that leave one to the municipality;
* the chiefs' group and the school leader's team, with a closed reflection
  round (an agenda), an open one, and dilemmas.

Decisions are made by the leaders the policy would let decide (the leader of
the owning unit or one above), so the demo shows what the rules allow. The
rows are written directly, not through the web actions, because the demo
back-dates them (decisions made last year); every invariant the actions check
holds for them, and ``tests`` read them back through the policy.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from helhed.leadership.models import (
    BurdenProposal,
    BurdenTheme,
    DataUse,
    Dilemma,
    DocumentationRequirement,
    LeadershipTask,
    LeaderTeam,
    LocalDecision,
    Method,
    Principle,
    PrincipleSignature,
    ReflectionAnswer,
    ReflectionQuestion,
    ReformElement,
    Rule,
    RuleDecision,
    SpanTarget,
    TeamReflection,
)
from helhed.organisation.models import Municipality, Role, RoleAssignment, Staff, Unit
from helhed.plans.models import Effort
from helhed.results.models import Indicator

# The requirement of the demo's story: nobody uses it, the school leader proposes to drop it.
STORY_REQUIREMENT = "Kvartalsvis trivselsskema pr. elev til forvaltningen"
# The rule on the demo school leader's own list, past its review date.
STORY_RULE = "Lokal procedure for elevfravær ved første fraværsdag"


@dataclass
class LeadershipCounts:
    rules: int = 0
    requirements: int = 0
    proposals: int = 0
    principles: int = 0
    methods: int = 0
    local_decisions: int = 0
    teams: int = 0

    @property
    def line(self) -> str:
        return (
            f"{self.rules} rules, {self.requirements} documentation requirements, "
            f"{self.proposals} burden proposals, {self.principles} principles, "
            f"{self.methods} methods, {self.local_decisions} local reform decisions, "
            f"{self.teams} leader teams"
        )


class _Org:
    """The saved units and their leaders, looked up once."""

    def __init__(self, municipality: Municipality, on: dt.date) -> None:
        self.units = list(
            Unit.objects.filter(municipality=municipality)
            .valid_on(on)
            .select_related("unit_type", "sector")
        )
        self.by_name = {unit.name: unit for unit in self.units}
        root = next(unit for unit in self.units if unit.parent_id is None)
        self.root = root
        self.leader: dict[int, Staff] = {
            a.unit_id: a.staff
            for a in RoleAssignment.objects.valid_on(on)
            .filter(unit__municipality=municipality, role__kind=Role.Kind.LEADER)
            .select_related("staff")
        }
        self.administrations = [u for u in self.units if u.parent_id == root.pk]
        self.schools = [
            u
            for u in self.units
            if u.sector and u.sector.code == "school" and u.unit_type.code == "institution"
        ]
        self.daycares = [
            u
            for u in self.units
            if u.sector and u.sector.code == "daycare" and u.unit_type.code == "institution"
        ]

    def unit(self, name: str) -> Unit:
        return self.by_name[name]

    def lead(self, unit: Unit) -> Staff:
        """The unit's leader, or the nearest leader above it."""
        path = [*reversed(unit.ancestor_ids())]
        for unit_id in [unit.pk, *path]:
            if unit_id in self.leader:
                return self.leader[unit_id]
        return self.leader[self.root.pk]


RULES: list[tuple[str, str, str, str, str, str]] = [
    # (owning unit, kind, area, title, reason, legal basis)
    (
        "Børn og Unge",
        "procedure",
        "Skole",
        "Fælles procedure ved bekymrende fravær",
        "Fravær er det tidligste tegn på mistrivsel; skole og familieafdeling skal reagere "
        "ens og hurtigt.",
        "",
    ),
    (
        "Børn og Unge",
        "guideline",
        "Børn og unge",
        "Retningslinje for underretninger fra skoler og dagtilbud",
        "Fagpersoner skal vide, hvornår og hvordan de underretter, og hvem der giver svar.",
        "Barnets Lov § 133",
    ),
    (
        "Børn og Unge",
        "rule",
        "Skole",
        "Krav om skriftlig elevplan i alle fag to gange årligt",
        "Indført i 2014 for at sikre ensartet opfølgning; bruges i dag kun i dansk og matematik.",
        "",
    ),
    (
        "Skoleområdet",
        "procedure",
        "Skole",
        "Procedure for overgang fra dagtilbud til skole",
        "Overleveringen skal ske med forældrene og før skolestart, så intet barn starter forfra.",
        "",
    ),
    (
        "Familieafdelingen",
        "procedure",
        "Familie",
        "Visitationsprocedure til forebyggende foranstaltninger",
        "Sikrer ens vurdering af støttebehov på tværs af teams.",
        "Barnets Lov § 30",
    ),
    (
        "Familieafdelingen",
        "rule",
        "Familie",
        "Lokal regel om ledergodkendelse af alle bevillinger over 5.000 kr.",
        "Indført under en budgetkrise i 2019 for at styre udgifterne tæt.",
        "",
    ),
    (
        "Social, Sundhed og Ældre",
        "procedure",
        "Ældre",
        "Udskrivningsforløb fra hospital til hjemmepleje",
        "Borgeren skal have hjælp fra første dag hjemme; ansvaret skifter først ved modtagelse.",
        "Sundhedsaftalen",
    ),
    (
        "Social, Sundhed og Ældre",
        "guideline",
        "Ældre",
        "Retningslinje for hjemmeplejens dokumentation ved hvert besøg",
        "Dokumentation skal give de næste medarbejdere det, de har brug for; ikke mere.",
        "",
    ),
    (
        "Beskæftigelse",
        "procedure",
        "Beskæftigelse",
        "Overgang fra ungeindsats til voksenområdet ved 18 år",
        "Ingen ung må stå uden kontaktperson ved overgangen til voksenlivet.",
        "Barnets Lov § 114",
    ),
    (
        "Beskæftigelse",
        "rule",
        "Beskæftigelse",
        "Lokal regel om månedlig samtale med alle sygemeldte",
        "Strammere end loven; indført for at nedbringe varigheden af sygemeldinger.",
        "",
    ),
    (
        "Kultur og Fritid",
        "guideline",
        "Fritid",
        "Retningslinje for fritidspas til udsatte børn",
        "Fællesskaber i fritiden er en beskyttende faktor; adgangen skal være enkel.",
        "",
    ),
]


REQUIREMENTS: list[tuple[str, str, str, str, int, int, str, bool]] = [
    # (owning unit, title, kind, system, minutes per case, cases a year, legal basis, used)
    ("Børn og Unge", STORY_REQUIREMENT, "form", "Aula", 15, 2600, "", False),
    ("Børn og Unge", "Elevplan i alle fag", "report", "MinUddannelse", 45, 5200, "", True),
    ("Børn og Unge", "Årlig kvalitetsrapport for skolerne", "report", "Word", 2400, 12, "", False),
    ("Børn og Unge", "Underretningsskema", "form", "DUBU", 30, 900, "Barnets Lov § 133", True),
    ("Skoleområdet", "Registrering af elevfravær dagligt", "field", "Aula", 1, 180000, "", True),
    (
        "Skoleområdet",
        "Månedlig indberetning af vikardækning",
        "report",
        "Excel",
        90,
        240,
        "",
        False,
    ),
    (
        "Dagtilbudsområdet",
        "Sprogvurdering af treårige",
        "form",
        "Hjernen&Hjertet",
        60,
        600,
        "Dagtilbudsloven § 11",
        True,
    ),
    ("Dagtilbudsområdet", "Ugentlig aktivitetslog pr. stue", "form", "Papir", 20, 4000, "", False),
    (
        "Familieafdelingen",
        "Børnefaglig undersøgelse",
        "report",
        "DUBU",
        900,
        350,
        "Barnets Lov § 20",
        True,
    ),
    ("Familieafdelingen", "Handleplan", "report", "DUBU", 240, 400, "Barnets Lov § 91", True),
    (
        "Familieafdelingen",
        "Statusnotat til teamleder hver måned",
        "report",
        "Word",
        30,
        3600,
        "",
        False,
    ),
    ("Familieafdelingen", "Tidsregistrering pr. sag", "field", "KMD", 3, 40000, "", True),
    (
        "Social, Sundhed og Ældre",
        "Besøgsnotat ved hvert hjemmeplejebesøg",
        "field",
        "Nexus",
        4,
        250000,
        "",
        True,
    ),
    (
        "Social, Sundhed og Ældre",
        "Funktionsevnevurdering",
        "form",
        "Nexus",
        60,
        1800,
        "Serviceloven § 88",
        True,
    ),
    (
        "Social, Sundhed og Ældre",
        "Dobbeltregistrering af hjælpemidler",
        "field",
        "Excel",
        5,
        3000,
        "",
        False,
    ),
    (
        "Beskæftigelse",
        "Opfølgningssamtale med sygemeldte",
        "report",
        "Fasit",
        40,
        6000,
        "Sygedagpengeloven § 13",
        True,
    ),
    ("Beskæftigelse", "Ugentlig manuel KPI-indberetning", "report", "Excel", 60, 52, "", False),
]

USERS = [
    ("Børne- og Skoleudvalget", "Følger trivsel og fravær kvartalsvis"),
    ("Ledergruppen i Børn og Unge", "Styrer ressourcer og opfølgning"),
    ("Økonomiafdelingen", "Budgetopfølgning"),
    ("PPR", "Tidlig opsporing af elever med behov for støtte"),
    ("Tilsynet", "Lovpligtigt tilsyn"),
]

THEMES = ["Dokumentation", "Møder", "IT-systemer", "Procedurer og regler", "Indberetninger"]

PROPOSAL_IDEAS = [
    "Drop dobbeltregistrering",
    "Færre faste møder",
    "Én indgang for samarbejdspartnere",
    "Fælles skabelon i stedet for tre",
    "Automatisk udtræk i stedet for manuel indberetning",
    "Kortere referater",
    "Mindre ledergodkendelse af små beløb",
    "Færre felter i skemaet",
    "Samme login til to systemer",
    "Digital underskrift i stedet for papir",
]

PRINCIPLES = [
    (
        "Når fravær bekymrer skolen",
        "En elev har mere end 10 % fravær i en måned, eller skolen er bekymret for fraværet.",
        "Skolen kontakter forældrene samme uge og holder et møde inden 14 dage. Ved fortsat "
        "fravær inviteres familieafdelingen og PPR til et netværksmøde; skolen er tovholder, "
        "indtil en koordinator er udpeget.",
        ["Skoleområdet", "Familieafdelingen", "PPR – Pædagogisk Psykologisk Rådgivning"],
    ),
    (
        "Overgangen fra dagtilbud til skole",
        "Alle børn, der starter i 0. klasse; særligt børn med en bekymring eller en indsats.",
        "Dagtilbuddet og forældrene overleverer til skolen inden 1. maj. Børn med en indsats "
        "får et fælles møde med skolen, hvor indsatsen fortsætter uden afbrydelse.",
        ["Dagtilbudsområdet", "Skoleområdet"],
    ),
    (
        "Udskrivning fra hospital til eget hjem",
        "En borger udskrives til eget hjem med behov for pleje eller træning.",
        "Visitationen modtager udskrivningsbrevet og sikrer hjælp fra første dag. Ansvaret "
        "ligger hos hospitalet, indtil hjemmeplejen har bekræftet modtagelsen.",
        ["Ældre og Pleje", "Sundhed og Forebyggelse"],
    ),
    (
        "Den unge fylder 18",
        "En ung med en indsats efter Barnets Lov nærmer sig 18 år.",
        "Familieafdelingen og Ungeindsatsen holder et fælles møde med den unge senest ved "
        "17½ år; kontaktpersonen følger med over overgangen.",
        ["Familieafdelingen", "Ungeindsatsen"],
    ),
]

METHODS = [
    (
        "Fælles børnesyn (ICS)",
        "documented",
        ["Børn og Unge"],
        "En fælles ramme for at beskrive barnets udvikling, forældrekompetencer og familie og "
        "netværk, brugt af alle faggrupper.",
        "Integrated Children's System; Socialstyrelsens evalueringer 2011-2019.",
    ),
    (
        "FIT – Feedback Informed Treatment",
        "documented",
        ["Familieafdelingen", "Familiehuset"],
        "Systematisk feedback fra borgeren om udbytte (ORS) og samarbejde (SRS) ved hvert møde.",
        "Miller, Duncan m.fl.; randomiserede forsøg i terapi og socialt arbejde.",
    ),
    (
        "LØFT – Løsningsfokuseret tilgang",
        "promising",
        ["Beskæftigelse", "Familieafdelingen"],
        "Løsningsfokuserede samtaler, der tager udgangspunkt i borgerens egne mål og ressourcer.",
        "Danske kommunale evalueringer; internationale studier af løsningsfokuseret terapi.",
    ),
    (
        "IPS – Individuelt planlagt job med støtte",
        "documented",
        ["Beskæftigelse"],
        "Job på almindelige vilkår med støtte, for borgere med psykiske lidelser.",
        "Flere randomiserede forsøg, bl.a. det danske IPS-forsøg (2012-2016).",
    ),
    (
        "Relationel koordinering",
        "promising",
        ["Social, Sundhed og Ældre", "Børn og Unge"],
        "Fælles mål, fælles viden og gensidig respekt mellem faggrupper, målt og styrket.",
        "Jody Hoffer Gittell; danske studier på hospitaler og i kommuner.",
    ),
    (
        "Signs of Safety",
        "practice",
        ["Familieafdelingen"],
        "En struktureret tilgang til børnesager, der samler bekymringer og styrker.",
        "Turnell & Edwards; begrænset effektevidens, bred praksiserfaring.",
    ),
]

ANSWERS = [
    "Vi taler for lidt om hvorfor; målene opleves som forvaltningens, ikke vores.",
    "Vi har gode erfaringer med FIT, men mangler at bruge tallene i teamet.",
    "Vi evaluerer sjældent vores egne indsatser; vi kunne starte med fravær.",
    "Samarbejdet med familieafdelingen er personafhængigt; vi bør aftale faste møder.",
    "Medarbejderne efterspørger færre registreringer og mere tid med børnene.",
    "Vi skal blive bedre til at lukke indsatser, der ikke virker.",
]

DILEMMAS = [
    (
        "Tid til dokumentation eller tid til børnene",
        LeadershipTask.METHODS,
        "Tilsynet ønsker mere dokumentation af indsatserne, mens medarbejderne oplever, at "
        "det tager tid fra børnene.",
        "Vi dokumenterer det, der bruges i næste møde, og dropper resten efter aftale med chefen.",
        "Dokumentation skal give værdi for barnet eller for den næste fagperson.",
    ),
    (
        "Hvem betaler for støtten i klassen",
        LeadershipTask.HOLISTIC,
        "En elev har brug for støtte nu; skole og familieafdeling er uenige om, hvem der betaler.",
        "Skolen sætter støtten i gang med det samme; betalingen afklares bagefter i chefgruppen.",
        "Løs først, diskutér bagefter: barnet skal ikke vente på vores budgetter.",
    ),
]


def generate_leadership(
    municipality: Municipality,
    *,
    rng: random.Random,
    now: dt.date,
    login_staff: dict[str, int] | None = None,
) -> LeadershipCounts:
    """Make the municipality's registers, proposals, principles, methods and teams."""
    org = _Org(municipality, now)
    counts = LeadershipCounts()
    logins = {role: Staff.objects.get(pk=pk) for role, pk in (login_staff or {}).items()}
    story_school = _login_unit(logins.get("leader"), now) or org.schools[0]

    rules = _rules(municipality, org, rng, now, story_school)
    requirements = _requirements(municipality, org, rng, now)
    counts.rules = len(rules)
    counts.requirements = len(requirements)
    counts.proposals = _proposals(municipality, org, rng, now, rules, requirements)
    SpanTarget.objects.bulk_create(
        [
            SpanTarget(
                municipality=municipality,
                max_direct_reports=45,
                applies_from=now - dt.timedelta(days=3 * 365),
                note="Første mål efter ledelsesreformen",
                set_by=org.leader[org.root.pk],
            ),
            SpanTarget(
                municipality=municipality,
                max_direct_reports=30,
                applies_from=now - dt.timedelta(days=365),
                note="Mod 30 medarbejdere pr. leder inden for samme budget",
                set_by=org.leader[org.root.pk],
            ),
        ]
    )
    counts.principles = _principles(municipality, org, rng, now)
    counts.methods = _methods(municipality, org, rng)
    counts.local_decisions = _local_decisions(municipality, org, rng, now)
    counts.teams = _teams(municipality, org, rng, now, logins, story_school)
    return counts


def _login_unit(staff: Staff | None, on: dt.date) -> Unit | None:
    if staff is None:
        return None
    assignment = (
        RoleAssignment.objects.valid_on(on)
        .filter(staff=staff, role__kind=Role.Kind.LEADER)
        .select_related("unit")
        .first()
    )
    return assignment.unit if assignment else None


def _rules(
    municipality: Municipality,
    org: _Org,
    rng: random.Random,
    now: dt.date,
    story_school: Unit,
) -> list[Rule]:
    specs = [*RULES]
    specs.append(
        (
            story_school.name,
            "procedure",
            "Skole",
            STORY_RULE,
            "Forældre skal kontaktes samme dag, eleven er væk uden besked.",
            "",
        )
    )
    for school in org.schools[:6]:
        if school.pk == story_school.pk:
            continue
        specs.append(
            (
                school.name,
                "guideline",
                "Skole",
                f"Ordensregler på {school.name}",
                "Fælles forventninger til elever, forældre og personale.",
                "Bekendtgørelse om fremme af god orden i folkeskolen",
            )
        )
    rules: list[Rule] = []
    for index, (unit_name, kind, area, title, reason, basis) in enumerate(specs):
        unit = org.by_name.get(unit_name)
        if unit is None:
            continue
        owner = org.lead(unit)
        adopted = now - dt.timedelta(days=rng.randint(400, 1400))
        if title == STORY_RULE:
            review_on = now - dt.timedelta(days=21)
        elif index % 4 == 0:
            review_on = now - dt.timedelta(days=rng.randint(5, 200))
        else:
            review_on = now + dt.timedelta(days=rng.randint(20, 700))
        rule = Rule.objects.create(
            municipality=municipality,
            title=title,
            kind=kind,
            area=area,
            text=f"{title}. {reason}",
            reason=reason,
            legal_basis=basis,
            owner=owner,
            owning_unit=unit,
            review_on=review_on,
        )
        bound = [unit, *[u for u in org.units if u.parent_id == unit.pk][:5]]
        rule.units.set(bound)
        RuleDecision.objects.create(
            rule=rule,
            decision=RuleDecision.Decision.ADOPT,
            reason=reason,
            decided_by=owner,
            decided_on=adopted,
            next_review_on=adopted + dt.timedelta(days=730),
        )
        if review_on > now and rng.random() < 0.5:
            RuleDecision.objects.create(
                rule=rule,
                decision=RuleDecision.Decision.KEEP,
                reason="Gennemgået: reglen bruges og giver mening for medarbejderne.",
                decided_by=owner,
                decided_on=adopted + dt.timedelta(days=rng.randint(300, 390)),
                next_review_on=review_on,
            )
        if basis == "" and "Lokal regel" in title and rng.random() < 0.7:
            decider = org.lead(org.by_name.get(unit_name) or unit)
            rule.status = Rule.Status.REPEALED
            rule.save(update_fields=["status"])
            RuleDecision.objects.create(
                rule=rule,
                decision=RuleDecision.Decision.REPEAL,
                reason="Ophævet: reglen skaber ventetid og giver ingen dokumenteret gevinst.",
                decided_by=decider,
                decided_on=now - dt.timedelta(days=rng.randint(20, 200)),
            )
        rules.append(rule)
    return rules


def _requirements(
    municipality: Municipality, org: _Org, rng: random.Random, now: dt.date
) -> list[DocumentationRequirement]:
    indicators = list(Indicator.objects.filter(municipality=municipality).order_by("code"))
    requirements: list[DocumentationRequirement] = []
    for unit_name, title, kind, system, minutes, cases, basis, used in REQUIREMENTS:
        unit = org.by_name.get(unit_name)
        if unit is None:
            continue
        scale = max(0.2, len(org.schools) / 14)  # cases scale with the municipality's size
        requirement = DocumentationRequirement.objects.create(
            municipality=municipality,
            title=title,
            kind=kind,
            system=system,
            purpose=f"{title}: at følge op på indsatsen og dokumentere forløbet.",
            legal_basis=basis,
            owner=org.lead(unit),
            owning_unit=unit,
            minutes_per_case=minutes,
            cases_per_year=max(1, round(cases * scale)),
        )
        requirement.units.set([unit])
        if used:
            for who, what in rng.sample(USERS, rng.randint(1, 2)):
                DataUse.objects.create(
                    requirement=requirement,
                    user_description=who,
                    used_for=what,
                    recorded_by=org.lead(unit),
                    recorded_on=now - dt.timedelta(days=rng.randint(30, 300)),
                )
        requirements.append(requirement)
    # Two nice-to-know requirements were dropped last year (hours saved show).
    for requirement in [r for r in requirements if not r.legal_basis and not r.uses.exists()]:
        if requirement.title in (STORY_REQUIREMENT,):
            continue
        if requirement.title.startswith(("Årlig kvalitetsrapport", "Ugentlig aktivitetslog")):
            unit = requirement.owning_unit
            requirement.status = DocumentationRequirement.Status.DROPPED
            requirement.dropped_on = now - dt.timedelta(days=rng.randint(60, 300))
            requirement.dropped_by = org.lead(unit)
            requirement.drop_reason = "Ingen bruger oplysningerne; tiden går til kerneopgaven."
            requirement.save()
    # The indicators: most are used by a committee or a leader team; two are not.
    for indicator in indicators[:-2]:
        who, what = rng.choice(USERS[:3])
        DataUse.objects.create(
            indicator=indicator,
            user_description=who,
            used_for=what,
            recorded_by=org.leader[org.root.pk],
            recorded_on=now - dt.timedelta(days=rng.randint(30, 300)),
        )
    return requirements


def _proposals(
    municipality: Municipality,
    org: _Org,
    rng: random.Random,
    now: dt.date,
    rules: list[Rule],
    requirements: list[DocumentationRequirement],
) -> int:
    themes = BurdenTheme.objects.bulk_create(
        [BurdenTheme(municipality=municipality, name=name) for name in THEMES]
    )
    staff = list(
        Staff.objects.filter(
            municipality=municipality,
            pk__in=RoleAssignment.objects.valid_on(now).values("staff_id"),
        ).order_by("pk")[:400]
    )
    # Viborg collected 247 proposals for 5,000 staff; scale to the demo's size.
    total = max(20, min(250, len(staff) // 2))
    statuses = [
        (BurdenProposal.Status.DONE, 0.35),
        (BurdenProposal.Status.ACCEPTED, 0.2),
        (BurdenProposal.Status.REJECTED, 0.15),
        (BurdenProposal.Status.PROPOSED, 0.3),
    ]
    procedures_at = [*org.administrations, *org.schools[:4], *org.daycares[:2]]
    made = 0
    for _ in range(total):
        status = rng.choices([s for s, _ in statuses], [w for _, w in statuses])[0]
        subject = rng.random()
        rule: Rule | None = None
        procedure = ""
        if subject < 0.3 and rules:
            rule = rng.choice(rules)
            unit = rule.owning_unit
            theme = themes[3]
        else:
            unit = rng.choice(procedures_at)
            procedure = f"{rng.choice(PROPOSAL_IDEAS)} ({unit.name})"
            theme = rng.choice(themes)
        proposed_on = now - dt.timedelta(days=rng.randint(5, 500))
        decided = status != BurdenProposal.Status.PROPOSED
        decided_on = min(now, proposed_on + dt.timedelta(days=rng.randint(7, 60)))
        BurdenProposal.objects.create(
            municipality=municipality,
            title=rule.title if rule else procedure.split(" (")[0],
            description=(
                "Det tager tid fra kerneopgaven og ingen har kunnet sige, hvem der bruger det."
            ),
            change=rng.choice(["remove", "simplify"]),
            theme=theme,
            rule=rule,
            procedure=procedure,
            decision_unit=unit,
            proposed_by=rng.choice(staff),
            proposed_on=proposed_on,
            status=status,
            decided_by=org.lead(unit) if decided else None,
            decided_on=decided_on if decided else None,
            decision_reason=(
                "Vi gør det: gevinsten er tydelig og ingen lov kræver det."
                if status != BurdenProposal.Status.REJECTED
                else "Vi beholder det: tilsynet bruger oplysningerne."
            )
            if decided
            else "",
            done_on=min(now, decided_on + dt.timedelta(days=30))
            if status == BurdenProposal.Status.DONE
            else None,
        )
        made += 1
    # The proposals that dropped last year's requirements.
    for requirement in requirements:
        if requirement.status != DocumentationRequirement.Status.DROPPED:
            continue
        if requirement.dropped_on is None:
            continue
        BurdenProposal.objects.create(
            municipality=municipality,
            title=f"Drop {requirement.title.lower()}",
            description="Ingen bruger oplysningerne, og det tager tid fra kerneopgaven.",
            change=BurdenProposal.Change.REMOVE,
            theme=themes[0],
            requirement=requirement,
            decision_unit=requirement.owning_unit,
            proposed_by=rng.choice(staff),
            proposed_on=requirement.dropped_on - dt.timedelta(days=30),
            status=BurdenProposal.Status.DONE,
            decided_by=requirement.dropped_by,
            decided_on=requirement.dropped_on,
            decision_reason=requirement.drop_reason,
            done_on=requirement.dropped_on,
        )
        made += 1
    return made


def _principles(municipality: Municipality, org: _Org, rng: random.Random, now: dt.date) -> int:
    made = 0
    for index, (title, situation, text, unit_names) in enumerate(PRINCIPLES):
        units = [org.by_name[name] for name in unit_names if name in org.by_name]
        if len(units) < 2:
            continue
        owner = org.lead(units[0])
        signed_on = now - dt.timedelta(days=rng.randint(60, 500))
        principle = Principle.objects.create(
            municipality=municipality,
            title=title,
            situation=situation,
            who_does_what=text,
            owner=owner,
            review_on=now + dt.timedelta(days=rng.randint(60, 500))
            if index != 2
            else now - dt.timedelta(days=30),
        )
        # Every unit but the last of the latest principle has signed (one still waits).
        signing = units if index < len(PRINCIPLES) - 1 else units[:-1]
        for unit in signing:
            if unit.pk not in org.leader:
                continue
            PrincipleSignature.objects.create(
                principle=principle, unit=unit, signed_by=org.leader[unit.pk], signed_on=signed_on
            )
        made += 1
    return made


def _methods(municipality: Municipality, org: _Org, rng: random.Random) -> int:
    made = 0
    analyst_owner = org.leader[org.root.pk]
    methods: list[Method] = []
    for name, evidence, unit_names, description, basis in METHODS:
        method = Method.objects.create(
            municipality=municipality,
            name=name,
            description=description,
            research_basis=basis,
            evidence=evidence,
            owner=analyst_owner,
        )
        method.units.set([org.by_name[n] for n in unit_names if n in org.by_name])
        methods.append(method)
        made += 1
    # Some of the plans' efforts work by a method: FIT in the family department's
    # efforts, ICS in the school's, IPS in the job centre's.
    by_sector = {"social": methods[1], "school": methods[0], "employment": methods[3]}
    # Written in one update per method, like the rest of the generated plans (bulk, no signals).
    chosen: dict[int, list[int]] = {}
    efforts = Effort.objects.filter(plan__municipality=municipality).values_list(
        "pk", "sector__code"
    )
    for pk, sector in efforts.order_by("pk"):
        found = by_sector.get(sector)
        if found is not None and rng.random() < 0.6:
            chosen.setdefault(found.pk, []).append(pk)
    for method_pk, pks in chosen.items():
        Effort.objects.filter(pk__in=pks).update(method_id=method_pk)
    return made


def _local_decisions(
    municipality: Municipality, org: _Org, rng: random.Random, now: dt.date
) -> int:
    elements = ReformElement.objects.filter(leaves_to_municipality=True).select_related("reform")
    area_unit = {
        "children": "Børn og Unge",
        "school": "Skoleområdet",
        "elderly": "Social, Sundhed og Ældre",
        "health": "Sundhed og Forebyggelse",
        "employment": "Beskæftigelse",
        "social": "Social, Sundhed og Ældre",
    }
    made = 0
    for element in elements:
        unit = org.by_name.get(area_unit.get(element.reform.area, ""), org.root)
        status = rng.choice(list(LocalDecision.Status))
        decided = status in (LocalDecision.Status.DECIDED, LocalDecision.Status.IMPLEMENTED)
        LocalDecision.objects.create(
            municipality=municipality,
            element=element,
            title=f"Lokal beslutning: {element.title}",
            owner=org.lead(unit),
            owning_unit=unit,
            due_on=now + dt.timedelta(days=rng.randint(-60, 300)),
            status=status,
            decision="Besluttet i direktionen efter dialog med de faglige organisationer."
            if decided
            else "",
            decided_on=now - dt.timedelta(days=rng.randint(10, 200)) if decided else None,
        )
        made += 1
    return made


def _teams(
    municipality: Municipality,
    org: _Org,
    rng: random.Random,
    now: dt.date,
    logins: dict[str, Staff],
    story_school: Unit,
) -> int:
    questions = list(ReflectionQuestion.objects.filter(municipality=municipality, active=True))
    if not questions:
        try:
            from helhed.leadership.questions import install_questions
        except ImportError:  # pragma: no cover - the questions module ships with the app
            return 0
        install_questions(municipality)
        questions = list(ReflectionQuestion.objects.filter(municipality=municipality, active=True))
    chiefs = LeaderTeam.objects.create(
        municipality=municipality, name="Direktion og chefgruppe", unit=org.root
    )
    chiefs.members.set(
        [
            org.leader[org.root.pk],
            *[org.leader[a.pk] for a in org.administrations if a.pk in org.leader],
        ]
    )
    school_leaders = LeaderTeam.objects.create(
        municipality=municipality,
        name=f"Ledelsesteamet på {story_school.name}",
        unit=story_school,
    )
    team_leads = [
        org.leader[u.pk] for u in org.units if u.parent_id == story_school.pk and u.pk in org.leader
    ]
    school_leaders.members.set([org.lead(story_school), *team_leads])
    for team in (chiefs, school_leaders):
        members = list(team.members.all())
        closed = TeamReflection.objects.create(
            team=team,
            meeting_on=now - dt.timedelta(days=40),
            title="Dialogmøde om de fire ledelsesopgaver",
            status=TeamReflection.Status.CLOSED,
            created_by=members[0],
        )
        open_round = TeamReflection.objects.create(
            team=team,
            meeting_on=now + dt.timedelta(days=14),
            title="Forberedelse til dialogmødet med chefen",
            created_by=members[0],
        )
        for reflection in (closed, open_round):
            reflection.questions.set(questions)
            for question in rng.sample(questions, min(len(questions), 6)):
                for member in rng.sample(members, min(len(members), 2)):
                    ReflectionAnswer.objects.create(
                        reflection=reflection,
                        question=question,
                        answered_by=member,
                        text=rng.choice(ANSWERS),
                        for_agenda=rng.random() < 0.7,
                    )
        for title, task, description, decision, reasoning in DILEMMAS:
            Dilemma.objects.create(
                team=team,
                task=task,
                title=title,
                description=description,
                decision=decision,
                reasoning=reasoning,
                recorded_by=rng.choice(members),
                recorded_on=now - dt.timedelta(days=rng.randint(10, 200)),
            )
    return 2


def clear_leadership(municipalities: QuerySet[Municipality]) -> None:
    """Delete the leadership rows of these municipalities (they protect staff and units)."""
    BurdenProposal.objects.filter(municipality__in=municipalities).delete()
    BurdenTheme.objects.filter(municipality__in=municipalities).delete()
    DataUse.objects.filter(
        Q(requirement__municipality__in=municipalities)
        | Q(indicator__municipality__in=municipalities)
    ).delete()
    DocumentationRequirement.objects.filter(municipality__in=municipalities).delete()
    Rule.objects.filter(municipality__in=municipalities).delete()
    SpanTarget.objects.filter(municipality__in=municipalities).delete()
    Principle.objects.filter(municipality__in=municipalities).delete()
    Effort.objects.filter(method__municipality__in=municipalities).update(method=None)
    Method.objects.filter(municipality__in=municipalities).delete()
    LocalDecision.objects.filter(municipality__in=municipalities).delete()
    LeaderTeam.objects.filter(municipality__in=municipalities).delete()
    ReflectionQuestion.objects.filter(municipality__in=municipalities).delete()
