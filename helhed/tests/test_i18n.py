"""The Danish catalogue: complete, compiled, and what users see unless they switch.

The catalogue is ``helhed/locale/da/LC_MESSAGES/django.po``; ``make messages``
refreshes it from the source strings and compiles it. The compiled ``.mo`` is
committed, so a fresh clone needs no gettext tools; these tests check that it
was compiled from the ``.po`` as it is now.
"""

from __future__ import annotations

import datetime as dt
import gettext
import html
import io
import re
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase
from django.urls import reverse
from django.utils import timezone

from helhed.analytics.models import Cell, ComputeRun, Profile
from helhed.citizens.models import Consent
from helhed.forums.actions.board import do_raise_item, do_resolve_item, do_take_item
from helhed.forums.actions.forums import (
    do_add_follow_up,
    do_create_forum,
    do_plan_meeting,
    do_record_decision,
    do_set_member,
)
from helhed.forums.models import Forum, ForumMember, Item
from helhed.leadership.actions.documentation import do_register_requirement
from helhed.leadership.actions.principles import do_create_principle, do_register_method
from helhed.leadership.actions.proposals import do_propose
from helhed.leadership.actions.rules import do_register_rule
from helhed.leadership.actions.span import do_set_span_target
from helhed.leadership.actions.teams import do_create_team
from helhed.leadership.models import BurdenProposal, BurdenTheme, DocumentationRequirement, Method
from helhed.lib.validity import today
from helhed.organisation.actions_directory import do_add_contact_point
from helhed.organisation.models import Sector, Staff, Unit
from helhed.plans.actions.contacts import do_log_contact
from helhed.plans.actions.handovers import do_start_handover
from helhed.plans.actions.plans import do_add_effort
from helhed.plans.models import Contact, Handover
from helhed.results.periods import Period
from helhed.test import (
    PASSWORD,
    BaseTestCase,
    indicator,
    make_plan,
    make_unit,
    municipality,
    set_target,
)
from helhed.trials.actions.trials import (
    ResultIn,
    do_apply_for_grant,
    do_create_trial,
    do_record_expense,
    do_write_evaluation,
)
from helhed.trials.models import Evaluation

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "da" / "LC_MESSAGES"
PO = CATALOGUE / "django.po"
MO = CATALOGUE / "django.mo"
HOME = reverse("home")
LOGIN = reverse("login")
SET_LANGUAGE = reverse("set_language")

# %(name)s, %s, %d, ... as Python's %-formatting reads them; %% is a literal percent.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")
ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> str:
        """The key gettext's catalogue uses: the context, EOT, then the message."""
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: ESCAPES[m.group(1)], text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """Every entry of a .po file, the header (msgid "") first; obsolete (#~) ones left out."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if entry is not None and entry.msgstr:  # a comment starts the next entry
                entries.append(entry)
                entry = None
            if entry is None:
                entry = Entry(line=number)
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        keyword, _space, rest = line.partition(" ")
        if line.startswith('"'):
            assert target is not None, f"{path}:{number}: a continuation without a keyword"
            keyword, rest = "", line
        elif keyword in ("msgctxt", "msgid") and entry is not None and entry.msgstr:
            entries.append(entry)
            entry = None
        if entry is None:
            entry = Entry(line=number)
        if keyword == "msgctxt":
            entry.msgctxt, target = "", ("msgctxt", 0)
        elif keyword == "msgid":
            target = ("msgid", 0)
        elif keyword == "msgid_plural":
            entry.msgid_plural, target = "", ("msgid_plural", 0)
        elif keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
            entry.msgstr[index], target = "", ("msgstr", index)
        elif keyword:
            raise AssertionError(f"{path}:{number}: unexpected {raw!r}")
        assert target is not None
        text = _unquote(rest)
        name, index = target
        if name == "msgstr":
            entry.msgstr[index] += text
        else:
            setattr(entry, name, (getattr(entry, name) or "") + text)
    if entry is not None:
        entries.append(entry)
    return entries


ENTRIES = parse_po(PO)
HEADER, MESSAGES = ENTRIES[0], ENTRIES[1:]


def translate(msgid: str, lang: str = "da") -> str:
    """The catalogue's translation of a plain msgid (not plural, no context)."""
    for entry in MESSAGES:
        if entry.msgid == msgid and entry.msgid_plural is None and entry.msgctxt is None:
            return entry.msgstr[0] if lang == "da" else entry.msgid
    raise KeyError(msgid)


class CatalogueTests(SimpleTestCase):
    def test_the_parser_reads_the_catalogue(self) -> None:
        assert HEADER.msgid == ""
        assert "Language: da" in HEADER.msgstr[0]
        assert "Plural-Forms: nplurals=2; plural=(n != 1);" in HEADER.msgstr[0]
        assert len(MESSAGES) > 250
        assert translate("Log in") == "Log ind"
        plural = next(e for e in MESSAGES if e.msgid == "%(n)s unit.")
        assert plural.msgid_plural == "%(n)s units."
        assert plural.msgstr == {0: "%(n)s enhed.", 1: "%(n)s enheder."}

    def test_the_parser_reads_continuations_escapes_and_flags(self) -> None:
        sample = (
            '#, fuzzy\nmsgid ""\nmsgstr ""\n"Language: da\\n"\n\n'
            '#. a comment\n#, python-format\nmsgctxt "menu"\nmsgid ""\n"Say \\"%(a)s\\" "\n'
            '"twice"\nmsgstr "Sig \\"%(a)s\\" to gange"\n\n#~ msgid "old"\n#~ msgstr "gammel"\n'
        )
        path = Path(self.enterContext(tempfile.TemporaryDirectory())) / "sample.po"
        path.write_text(sample, encoding="utf-8")
        header, entry = parse_po(path)
        assert header.flags == {"fuzzy"}
        assert header.msgstr == {0: "Language: da\n"}
        assert (entry.msgctxt, entry.msgid) == ("menu", 'Say "%(a)s" twice')
        assert entry.msgstr == {0: 'Sig "%(a)s" to gange'}
        assert entry.flags == {"python-format"}

    def test_nothing_is_fuzzy(self) -> None:
        fuzzy = [f"line {e.line}: {e.msgid!r}" for e in ENTRIES if "fuzzy" in e.flags]
        assert not fuzzy, fuzzy

    def test_every_message_has_a_translation(self) -> None:
        for entry in MESSAGES:
            with self.subTest(msgid=entry.msgid):
                forms = 2 if entry.msgid_plural is not None else 1
                assert sorted(entry.msgstr) == list(range(forms)), entry.msgstr
                assert all(text.strip() for text in entry.msgstr.values()), entry.msgstr

    def test_placeholders_are_kept(self) -> None:
        for entry in MESSAGES:
            expected = sorted(PLACEHOLDER.findall(entry.msgid))
            if entry.msgid_plural is not None:
                assert sorted(PLACEHOLDER.findall(entry.msgid_plural)) == expected, entry.msgid
            for index, text in entry.msgstr.items():
                with self.subTest(msgid=entry.msgid, form=index):
                    assert sorted(PLACEHOLDER.findall(text)) == expected, text

    def test_template_variables_and_en_dashes_are_kept(self) -> None:
        for entry in MESSAGES:
            for text in entry.msgstr.values():
                with self.subTest(msgid=entry.msgid):
                    assert "{{" not in text and "{%" not in text, text
                    assert text.count("–") == entry.msgid.count("–"), text

    def test_the_compiled_catalogue_is_the_po_as_it_is_now(self) -> None:
        with MO.open("rb") as handle:
            compiled = gettext.GNUTranslations(handle)
        catalog = compiled._catalog  # type: ignore[attr-defined]
        for entry in MESSAGES:
            with self.subTest(msgid=entry.msgid):
                if entry.msgid_plural is None:
                    assert catalog.get(entry.key) == entry.msgstr[0]
                else:
                    for index, text in entry.msgstr.items():
                        assert catalog.get((entry.key, index)) == text
        in_mo = {key[0] if isinstance(key, tuple) else key for key in catalog} - {""}
        assert in_mo == {entry.key for entry in MESSAGES}, "recompile: make messages"
        assert compiled.ngettext("%(n)s unit.", "%(n)s units.", 1) == "%(n)s enhed."
        assert compiled.ngettext("%(n)s unit.", "%(n)s units.", 7) == "%(n)s enheder."


class DanishByDefaultTests(BaseTestCase):
    def switch_to_english(self, next_url: str = HOME) -> None:
        response = self.client.post(SET_LANGUAGE, {"language": "en", "next": next_url})
        self.assertRedirects(response, next_url, fetch_redirect_response=False)

    def test_the_login_page_is_danish_then_english(self) -> None:
        response = self.client.get(LOGIN)
        self.assertContains(response, '<html lang="da">')
        self.assertContains(response, "<h1>Log ind i Helhed</h1>", html=True)
        self.assertContains(response, "Brugernavn")
        self.assertContains(response, "Adgangskode")
        self.assertContains(response, '<button type="submit">Log ind</button>', html=True)
        self.assertNotContains(response, "Log in to Helhed")
        self.assertNotContains(response, "Username")
        self.assertNotContains(response, "Password")
        self.assertNotContains(response, '<button type="submit">Log in</button>', html=True)

        self.switch_to_english(LOGIN)
        response = self.client.get(LOGIN)
        self.assertContains(response, '<html lang="en">')
        self.assertContains(response, "<h1>Log in to Helhed</h1>", html=True)
        self.assertContains(response, "Username")
        self.assertContains(response, '<button type="submit">Log in</button>', html=True)
        self.assertNotContains(response, "Brugernavn")
        self.assertNotContains(response, "Log ind")

    def test_a_wrong_password_is_explained_in_danish(self) -> None:
        response = self.client.post(LOGIN, {"username": "caseworker", "password": "wrong"})
        self.assertContains(response, "Brugernavn og adgangskode passer ikke sammen. Prøv igen.")
        self.assertNotContains(response, "did not match")

    def test_the_home_page_of_a_case_worker_is_danish_then_english(self) -> None:
        self.client.post(LOGIN, {"username": "caseworker", "password": PASSWORD})
        response = self.client.get(HOME)
        self.assertContains(response, '<html lang="da">')
        for danish in (
            "Velkommen, Sara Sand",
            "Dine roller i dag",
            "Sagsbehandler",  # her role, from the code list
            "Det kan du gøre",
            "Se den 1 borger, du arbejder med",
            "Opret en borger, du begynder at arbejde med",
            "Se organisationen pr. en hvilken som helst dato",
            "Log ud",
            "Forside",
            "Borgere",
        ):
            self.assertContains(response, danish)
        for english in ("Welcome", "Your roles today", "Case worker", "citizen you work with"):
            self.assertNotContains(response, english)
        self.assertNotContains(response, '<button type="submit" class="link">Log out</button>')

        self.switch_to_english()
        response = self.client.get(HOME)
        self.assertContains(response, '<html lang="en">')
        for english in (
            "Welcome, Sara Sand",
            "Your roles today",
            "Case worker",
            "See the 1 citizen you work with",
            "Log out",
        ):
            self.assertContains(response, english)
        for danish in ("Velkommen", "Dine roller i dag", "Sagsbehandler", "Log ud"):
            self.assertNotContains(response, danish)

    def test_plural_forms_follow_the_count(self) -> None:
        self.login(self.caseworker)
        self.assertContains(self.client.get(reverse("citizens:list")), "Du arbejder med 1 borger.")
        self.login(self.chief)
        response = self.client.get(reverse("organisation:tree"))
        self.assertRegex(response.content.decode(), r"\d+ enheder\.")
        self.assertContains(response, "1 medarbejder</span>")  # Børn og Skole: the chief
        self.assertContains(response, "2 medarbejdere</span>")  # Familieafdelingen

    def test_the_import_command_speaks_danish_by_default(self) -> None:
        with self.assertRaisesMessage(CommandError, "Angiv --units og/eller --staff"):
            call_command("import_organisation", "--municipality", "230", stdout=io.StringIO())


class NoEnglishLeftTests(BaseTestCase):
    """No English source text of more than one word shows on the Danish pages."""

    english = sorted(
        {
            e.msgid
            for e in MESSAGES
            if " " in e.msgid and "%" not in e.msgid and e.msgstr[0] != e.msgid
        },
        key=len,
        reverse=True,
    )

    def untranslated(self, url: str, data: dict[str, str] | None = None) -> list[str]:
        """The English source texts on the page at ``url``, after checking it is Danish."""
        response = self.client.post(url, data) if data is not None else self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        text = html.unescape(response.content.decode())
        return [m for m in self.english if re.search(rf"(?<!\w){re.escape(m)}(?!\w)", text)]

    def pages_across(self) -> list[tuple[Staff | User | None, str, dict[str, str] | None]]:
        """Leading across: forums, trial actions, who pays, handovers, contacts, the journey."""
        forum = do_create_forum(
            actor=self.chief,
            name="Chefgruppen",
            kind=Forum.Kind.CHIEFS_GROUP,
            cadence=Forum.Cadence.FORTNIGHTLY,
            mandate="Løser knaster på tværs af forvaltningerne og bevilger til prøvehandlinger.",
            units=[self.children_admin],
            yearly_budget=Decimal(500_000),
            grant_limit=Decimal(100_000),
        )
        do_set_member(actor=self.chief, forum=forum, staff=self.chief, role=ForumMember.Role.CHAIR)
        do_set_member(actor=self.chief, forum=forum, staff=self.leader, role="member")
        do_set_member(actor=self.chief, forum=forum, staff=self.analyst, role="secretary")
        do_plan_meeting(
            actor=self.chief,
            forum=forum,
            held_on=today() + dt.timedelta(days=7),
            agenda="Knaster fra dagligdagen.",
        )
        item = do_raise_item(
            actor=self.teacher,
            forum=forum,
            title="Ingen betaler for skolekørsel",
            description="Skolen og familieafdelingen er uenige om, hvem der betaler.",
            affected="Børn i dagbehandling",
            category=Item.Category.BUDGET,
        )
        do_take_item(actor=self.chief, item=item)
        closed = do_raise_item(
            actor=self.teacher,
            forum=forum,
            title="To skemaer til samme oplysning",
            description="Vi indberetter fravær to steder.",
            affected="Lærere i indskolingen",
        )
        do_resolve_item(actor=self.chief, item=closed, reason="Det ene skema er droppet.")
        decision = do_record_decision(
            actor=self.chief,
            forum=forum,
            text="Skolen betaler kørslen resten af skoleåret.",
            mandate_basis="Fordeling af udgifter på tværs",
            item=item,
            grant_amount=Decimal(40_000),
            grant_purpose="Skolekørsel",
        )
        do_add_follow_up(
            actor=self.chief,
            decision=decision,
            title="Aftal kørslen med vognmanden",
            owner=self.leader,
            due_on=today() + dt.timedelta(days=14),
        )
        absence = indicator("fravaer-over-10")
        trial = do_create_trial(
            actor=self.leader,
            title="Skole og familie sammen",
            hypothesis="Hvis skolen og familieafdelingen mødes hver uge, falder fraværet.",
            owner=self.leader,
            units=[self.school, self.family_dept],
            participants=[self.teacher],
            indicators=[absence],
            starts_on=today() - dt.timedelta(days=200),
            ends_on=today() + dt.timedelta(days=165),
            comparison="To skoler med det sædvanlige forløb",
            budget=Decimal(300_000),
        )
        do_apply_for_grant(
            actor=self.leader,
            trial=trial,
            forum=forum,
            amount=Decimal(50_000),
            reason="En koordinator i et halvt år.",
        )
        do_record_expense(
            actor=self.leader,
            trial=trial,
            amount=Decimal(10_000),
            spent_on=today(),
            text="Vikartimer",
        )
        do_write_evaluation(
            actor=self.leader,
            trial=trial,
            kind=Evaluation.Kind.INTERIM,
            evaluated_on=today(),
            summary="Fraværet falder i prøvehandlingen, ikke på sammenligningsskolerne.",
            persons_in_trial=62,
            persons_compared=60,
            results=[ResultIn(absence, Decimal("8.5"), Decimal("12.0"), None)],
        )
        plan = make_plan(self.alma, coordinator=self.caseworker)
        do_add_effort(
            actor=self.caseworker,
            plan=plan,
            expected_version=plan.version,
            title="Støtte i klassen",
            legal_basis="serviceloven",
            responsible_unit=self.family_dept,
            starts_on=today() - dt.timedelta(days=30),
            monthly_cost=Decimal(4_000),
            paying_unit=self.school,
        )
        handover = do_start_handover(
            actor=self.teacher,
            citizen=self.alma,
            kind=Handover.Kind.OTHER,
            from_unit=self.school,
            to_unit=self.family_dept,
            deadline=today() + dt.timedelta(days=10),
            note="Alma skal have støtte fra familieafdelingen efter sommerferien.",
        )
        do_log_contact(
            actor=self.teacher,
            citizen=self.alma,
            unit=self.school,
            contacted_on=today(),
            channel=Contact.Channel.PHONE,
            purpose="Talte med moren om morgenerne",
        )
        do_add_contact_point(
            actor=self.leader,
            unit=self.school,
            name="Skolens kontor",
            phone="72 68 00 00",
            email="kontor@bakkeskolen.example",
            opening_hours="Hverdage 8-15",
            has_capacity=True,
            capacity_note="Ingen ventetid lige nu",
        )
        alma = [self.alma.pk]
        return [
            (self.leader, reverse("forums:list"), None),
            (self.chief, reverse("forums:detail", args=[forum.pk]), None),
            (self.chief, reverse("forums:board", args=[forum.pk]), None),
            (self.chief, reverse("forums:item", args=[item.pk]), None),
            (self.teacher, reverse("forums:obstacles_mine"), None),
            (self.chief, reverse("forums:decisions"), None),
            (self.chief, reverse("forums:decision", args=[decision.pk]), None),
            (self.chief, reverse("forums:assessments", args=[forum.pk]), None),
            (self.chief, reverse("trials:list"), None),
            (self.leader, reverse("trials:detail", args=[trial.pk]), None),
            (self.leader, reverse("plans:payments_open"), None),
            (self.leader, reverse("plans:payments_ledger"), None),
            (self.teacher, reverse("plans:handovers"), None),
            (self.caseworker, reverse("plans:handover_detail", args=[handover.pk]), None),
            (self.leader, reverse("plans:handovers_overdue"), None),
            (self.caseworker, reverse("plans:contacts_to_see"), None),
            (self.caseworker, reverse("plans:contact_map", args=alma), None),
            (self.leader, reverse("organisation:directory"), None),
            (self.caseworker, reverse("plans:journey", args=alma), None),
            (self.guardian, reverse("plans:family_journey", args=alma), None),
        ]

    def pages_analytics(self) -> list[tuple[Staff | User | None, str, dict[str, str] | None]]:
        """Dashboards, benchmarking and what works, with shown and hidden published cells."""
        absence = indicator("fravaer-over-10")
        set_target(absence, self.children_admin, 10)
        other = Unit.objects.get(municipality__code=167, parent=None)
        team = make_unit("Indskolingen", parent=self.school, unit_type="team", sector="school")
        for code, inhabitants, index in ((230, 50_000, "0.80"), (167, 14_000, "0.78")):
            Profile.objects.create(
                municipality=municipality(code),
                inhabitants=inhabitants,
                social_index=Decimal(index),
            )
        cells: list[tuple[Unit, str, int | None, str]] = [
            (self.root, "2025-Q3", 24, ""),
            (other, "2025-Q3", 30, ""),
            (self.children_admin, "2025-Q3", 20, ""),
            (self.school, "2025-Q2", 13, ""),
            (self.school, "2025-Q3", 10, ""),
            (self.family_dept, "2025-Q3", None, "primary"),
            (team, "2025-Q3", None, "complementary"),
        ]
        for unit, period, numerator, suppression in cells:
            shown = None if numerator is None else Decimal(numerator)  # of 200 persons
            Cell.objects.create(
                indicator_code=absence.code,
                municipality=unit.municipality,
                unit=unit,
                unit_key=unit.key,
                period=period,
                period_start=Period.parse(period).start,
                value=None if shown is None else shown / 2,
                numerator=shown,
                denominator=None if shown is None else Decimal(200),
                persons=None if shown is None else 200,
                suppression=suppression,
            )
        ComputeRun.objects.create(finished_at=timezone.now(), cells=len(cells))
        dashboard = reverse("analytics:dashboard")
        benchmark = reverse("analytics:benchmark")
        quarters = "from=2025-Q1&to=2025-Q4"
        return [
            (self.analyst, dashboard, None),
            (self.analyst, f"{dashboard}?unit={self.children_admin.pk}&{quarters}", None),
            (self.leader, f"{dashboard}?unit={self.school.pk}&{quarters}", None),
            (self.leader, f"{dashboard}?unit={self.school.pk}&group=sex:F&{quarters}", None),
            (self.caseworker, dashboard, None),
            (self.analyst, f"{benchmark}?indicator={absence.code}&period=2025-Q3", None),
            (self.teacher, f"{benchmark}?indicator={absence.code}&period=2025-Q3", None),
            (self.analyst, f"{benchmark}?indicator=nothing&period=1999", None),
            (self.analyst, reverse("analytics:what_works"), None),
        ]

    def test_the_pages_are_all_danish(self) -> None:
        consent = Consent.objects.create(
            citizen=self.alma,
            purpose="Samarbejde",
            given_by=self.mother,
            given_on=dt.date(2024, 3, 1),
            expires_on=dt.date(2099, 1, 1),
        )
        consent.sectors.set(Sector.objects.filter(code="school"))
        citizens = reverse("citizens:list")
        register = reverse("citizens:register")
        tree = reverse("organisation:tree")
        unit = reverse("organisation:unit", args=[self.school.pk])
        family = reverse("organisation:unit", args=[self.family_dept.pk])
        rule = do_register_rule(
            actor=self.leader,
            title="Ugentlig fraværsrapport",
            area="Skole",
            text="Hver klasse indberetter fravær hver fredag.",
            reason="For at følge fraværet tæt.",
            owner=self.leader,
            owning_unit=self.school,
        )
        requirement = do_register_requirement(
            actor=self.leader,
            title="Fraværsskema",
            kind=DocumentationRequirement.Kind.FORM,
            purpose="Fraværsstatistik.",
            owner=self.leader,
            owning_unit=self.school,
            minutes_per_case=15,
            cases_per_year=1200,
        )
        proposal = do_propose(
            actor=self.teacher,
            title="Drop fraværsskemaet",
            description="Vi udfylder det for hver elev; ingen læser det.",
            change=BurdenProposal.Change.REMOVE,
            theme=BurdenTheme.objects.create(municipality=municipality(), name="Dokumentation"),
            requirement=requirement,
        )
        principle = do_create_principle(
            actor=self.leader,
            title="Bekymrende fravær",
            situation="En elevs fravær bekymrer skolen.",
            who_does_what="Skolen kontakter familien; familieafdelingen inddrages.",
            review_on=today() + dt.timedelta(days=365),
        )
        method = do_register_method(
            actor=self.analyst,
            name="FIT",
            description="Feedbackinformeret behandling.",
            research_basis="Randomiserede forsøg i psykoterapi.",
            evidence=Method.Evidence.PROMISING,
            units=[self.family_dept],
        )
        do_set_span_target(
            actor=self.director,
            municipality=municipality(),
            max_direct_reports=8,
            applies_from=today(),
        )
        team = do_create_team(
            actor=self.leader, unit=self.school, name="Bakkeskolens ledelse", members=[self.leader]
        )
        span = reverse("leadership:span")
        pages: list[tuple[Staff | User | None, str, dict[str, str] | None]] = [
            (None, LOGIN, None),
            (None, LOGIN, {"username": "caseworker", "password": "wrong"}),
            (self.caseworker, HOME, None),
            (self.leader, HOME, None),
            (self.politician, HOME, None),
            (self.admin, HOME, None),
            (self.caseworker, citizens, None),
            (self.caseworker, f"{citizens}?q=alm", None),
            (self.caseworker, f"{citizens}?q=zzz", None),
            (self.colleague, citizens, None),
            (self.caseworker, reverse("citizens:detail", args=[self.alma.pk]), None),
            (self.caseworker, register, None),
            (self.caseworker, register, {"cpr": "320416-1234", "first_name": ""}),
            (self.chief, tree, None),
            (self.chief, f"{tree}?q=bakke&on=not-a-date", None),
            (self.chief, f"{tree}?q=zzz", None),
            (self.chief, unit, None),
            (self.chief, f"{family}?on=2019-01-01", None),
            (self.chief, reverse("organisation:unit", args=[self.children_admin.pk]), None),
            (self.leader, reverse("leadership:home"), None),
            (self.leader, reverse("leadership:rules"), None),
            (self.leader, reverse("leadership:rule", args=[rule.pk]), None),
            (self.leader, reverse("leadership:documentation"), None),
            (self.leader, reverse("leadership:requirement", args=[requirement.pk]), None),
            (self.leader, reverse("leadership:proposals"), None),
            (self.leader, reverse("leadership:proposal", args=[proposal.pk]), None),
            (self.leader, reverse("leadership:proposal_overview"), None),
            (self.chief, span, None),
            (self.chief, f"{span}?target=5", None),
            (self.leader, reverse("leadership:principles"), None),
            (self.leader, reverse("leadership:principle", args=[principle.pk]), None),
            (self.leader, reverse("leadership:methods"), None),
            (self.leader, reverse("leadership:method", args=[method.pk]), None),
            (self.leader, reverse("leadership:reforms"), None),
            (self.leader, reverse("leadership:teams"), None),
            (self.leader, reverse("leadership:team", args=[team.pk]), None),
            *self.pages_across(),
            *self.pages_analytics(),
        ]
        for who, url, data in pages:
            with self.subTest(who=str(who), url=url, post=data is not None):
                self.client.logout()
                if who is not None:
                    self.login(who)
                self.assertEqual(self.untranslated(url, data), [])

    def test_the_check_finds_english(self) -> None:
        """The scan above would notice: an English page fails it."""
        self.login(self.caseworker)
        self.client.post(SET_LANGUAGE, {"language": "en", "next": HOME})
        left = self.untranslated(HOME)
        assert "Your roles today" in left, left
        assert "What you can do" in left, left
