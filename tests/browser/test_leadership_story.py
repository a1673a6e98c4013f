"""Room to lead, end to end in a real browser (issue 10, "Done when").

* Lise, leader of Bakkeskolen, opens "Room to lead" from the top menu and the
  documentation register. A requirement owned by Børn og Skole has no legal
  basis and nobody uses its data: it is flagged "nice to know". She cannot
  drop it herself (it is decided above her school), so she proposes to
  remove it from the requirement's page, under a theme.
* Cecilie, chief of Børn og Skole, in a browser of her own, finds the
  proposal waiting for her, accepts it with a reason, and the requirement is
  dropped at once; the burden overview shows the hours saved (minutes per
  case x cases a year / 60, computed here).
* A rule Lise owns is past its review date and waits on her list "my rules to
  review". She keeps it with a new review date and a reason; it leaves the
  list, and its history shows the adoption and the decision to keep it.
* Dorte, the municipal director, opens the management span page: the plot
  (an SVG with its accessible name) and the table of spans against the
  municipality's target, with the leader above the target flagged.

The world is built with the factories of ``helhed.test`` and the app's own
actions (not the demo generator). The pages are read in English (the language
cookie is set before the first page load), so the assertions do not depend on
the Danish wording; text a person typed is stored as typed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.utils import dateformat, translation
from playwright.sync_api import expect

from helhed.leadership.actions.documentation import (
    do_record_data_use,
    do_register_requirement,
    hours_saved,
)
from helhed.leadership.actions.proposals import do_add_theme
from helhed.leadership.actions.rules import do_register_rule
from helhed.leadership.actions.span import do_set_span_target
from helhed.leadership.models import (
    BurdenProposal,
    BurdenTheme,
    DocumentationRequirement,
    Rule,
    RuleDecision,
)
from helhed.lib.validity import today
from helhed.organisation.models import Municipality, Staff, Unit
from helhed.test import PASSWORD, make_staff, make_unit

pytestmark = [
    pytest.mark.browser,
    # The live server needs real transactions; serialized_rollback brings back
    # the municipalities, code lists and rating scales the migrations seeded.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


# --------------------------------------------------------------------------- the world

NICE_TITLE = "Ugentligt trivselsskema for hver klasse"
NICE_MINUTES = 9
NICE_CASES = 1310
# What the burden overview must show once it is dropped: minutes x cases / 60 hours.
HOURS_SAVED = (Decimal(NICE_MINUTES * NICE_CASES) / 60).quantize(Decimal("0.1"))
LAW_TITLE = "Elevplan i Min Uddannelse"
USED_TITLE = "Fraværsregistrering pr. lektion"
THEME = "Dokumentation"
PROPOSAL_TITLE = "Drop det ugentlige trivselsskema"
PROPOSAL_WHY = (
    "Skemaet tager ni minutter pr. klasse hver uge, og ingen har brugt tallene i et år. "
    "Trivselsmålingen giver os det samme to gange om året."
)
DECISION_REASON = "Ingen bruger data, og den nationale trivselsmåling dækker behovet."

RULE_TITLE = "Skriftlig forældreorientering før hver ekskursion"
LATER_RULE_TITLE = "Frikvartersvagt i skolegården"
CHIEF_RULE_TITLE = "Fælles skabelon for skole-hjem-samtaler"
KEEP_REASON = "Forældrene har brug for besked i god tid, og skolebestyrelsen ønsker reglen bevaret."

TARGET_SPAN = 6
BAKKESKOLEN_TEACHERS = 3
SKOVSKOLEN_TEACHERS = 9  # above the target: the leader is flagged


@dataclass
class World:
    municipality: Municipality
    root: Unit
    admin: Unit
    bakkeskolen: Unit
    skovskolen: Unit
    director: Staff
    chief: Staff
    leader: Staff
    other_leader: Staff
    theme: BurdenTheme
    nice: DocumentationRequirement
    by_law: DocumentationRequirement
    used: DocumentationRequirement
    rule: Rule
    later_rule: Rule
    chief_rule: Rule


def build_world() -> World:
    municipality = Municipality.objects.get(code=230)
    root = make_unit("Rudersdal Kommune", unit_type="municipality")
    admin = make_unit("Børn og Skole", parent=root, unit_type="administration")
    bakkeskolen = make_unit("Bakkeskolen", parent=admin, sector="school")
    skovskolen = make_unit("Skovskolen", parent=admin, sector="school")
    director = make_staff("Dorte", "Dahl", unit=root, role="director", username="dorte")
    chief = make_staff("Cecilie", "Krog", unit=admin, role="chief", username="cecilie")
    leader = make_staff("Lise", "Lund", unit=bakkeskolen, role="leader", username="lise")
    other_leader = make_staff("Søren", "Skov", unit=skovskolen, role="leader", username="soren")
    for n in range(BAKKESKOLEN_TEACHERS):
        make_staff(f"Lærer{n}", "Bakke", unit=bakkeskolen, role="teacher")
    for n in range(SKOVSKOLEN_TEACHERS):
        make_staff(f"Lærer{n}", "Skov", unit=skovskolen, role="teacher")

    # The target has applied for three years, so the whole plot is drawn against it.
    since = today() - dt.timedelta(days=3 * 365)
    do_set_span_target(
        actor=director,
        municipality=municipality,
        max_direct_reports=TARGET_SPAN,
        applies_from=since,
        on=since,
    )

    theme = do_add_theme(actor=chief, name=THEME)
    do_add_theme(actor=chief, name="Møder")
    nice = do_register_requirement(
        actor=chief,
        title=NICE_TITLE,
        kind=DocumentationRequirement.Kind.FORM,
        purpose="Følge elevernes trivsel uge for uge.",
        owner=chief,
        owning_unit=admin,
        minutes_per_case=NICE_MINUTES,
        cases_per_year=NICE_CASES,
        system="Aula",
        units=[bakkeskolen, skovskolen],
    )
    by_law = do_register_requirement(
        actor=chief,
        title=LAW_TITLE,
        kind=DocumentationRequirement.Kind.FIELD,
        purpose="Elevens faglige mål og udvikling.",
        owner=chief,
        owning_unit=admin,
        minutes_per_case=30,
        cases_per_year=400,
        legal_basis="Folkeskolelovens § 13 b",
    )
    used = do_register_requirement(
        actor=chief,
        title=USED_TITLE,
        kind=DocumentationRequirement.Kind.FIELD,
        purpose="Opdage bekymrende fravær tidligt.",
        owner=chief,
        owning_unit=admin,
        minutes_per_case=1,
        cases_per_year=20_000,
    )
    do_record_data_use(
        actor=chief,
        requirement=used,
        user_description="Fraværsteamet i Børn og Skole",
        used_for="Opfølgning på elever med mere end 10 % fravær.",
    )

    rule = do_register_rule(
        actor=leader,
        title=RULE_TITLE,
        area="Skole",
        text="Forældrene orienteres skriftligt på Aula senest fem dage før en ekskursion.",
        reason="Forældrene skal kunne nå at give besked om særlige hensyn til deres barn.",
        owner=leader,
        owning_unit=bakkeskolen,
        units=[bakkeskolen],
    )
    # Adopted two years ago, to be reviewed a year later: the review date has passed.
    adopted = today() - dt.timedelta(days=2 * 365)
    overdue = today() - dt.timedelta(days=20)
    Rule.objects.filter(pk=rule.pk).update(review_on=overdue)
    RuleDecision.objects.filter(rule=rule).update(decided_on=adopted, next_review_on=overdue)
    rule.refresh_from_db()
    later_rule = do_register_rule(
        actor=leader,
        title=LATER_RULE_TITLE,
        area="Skole",
        text="To lærere har gårdvagt i hvert frikvarter.",
        reason="Der skal altid være en voksen, eleverne kan gå til i frikvarteret.",
        owner=leader,
        owning_unit=bakkeskolen,
        review_on=today() + dt.timedelta(days=200),
    )
    chief_rule = do_register_rule(
        actor=chief,
        title=CHIEF_RULE_TITLE,
        area="Skole",
        text="Skolerne bruger forvaltningens skabelon til skole-hjem-samtaler.",
        reason="Forældre med børn på flere skoler møder den samme samtale alle steder.",
        owner=chief,
        owning_unit=admin,
    )
    Rule.objects.filter(pk=chief_rule.pk).update(review_on=overdue)
    return World(
        municipality=municipality,
        root=root,
        admin=admin,
        bakkeskolen=bakkeskolen,
        skovskolen=skovskolen,
        director=director,
        chief=chief,
        leader=leader,
        other_leader=other_leader,
        theme=theme,
        nice=nice,
        by_law=by_law,
        used=used,
        rule=rule,
        later_rule=later_rule,
        chief_rule=chief_rule,
    )


# --------------------------------------------------------------------------- the browser


def in_english(page: Any, live_server: Any) -> None:
    """Choose English before the first page load: English text is stable in the assertions."""
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])


def log_in(page: Any, live_server: Any, username: str) -> None:
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))


def open_room_to_lead(page: Any) -> None:
    page.locator(".topbar nav a[href='/leadership/']").click()
    expect(page.locator("h1")).to_have_text("Room to lead")


# As the ``page`` fixture: a page that breaks the Content Security Policy fails the test.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.helhedCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} `
    + `on ${location.pathname}`);
});
"""


@contextmanager
def another_browser(browser: Any) -> Iterator[Any]:
    """A second person's own browser, failing on script errors and CSP violations like ``page``."""
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    violations: list[str] = []
    context.expose_function("helhedCspViolation", lambda text: violations.append(text))
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"
    assert not violations, f"Content-Security-Policy violations: {violations}"


def english_date(day: dt.date, fmt: str = "j M Y") -> str:
    """A date as the English pages write it, whatever language this thread has."""
    with translation.override("en"):
        return str(dateformat.format(day, fmt))


def screenshot(page: Any, story: str) -> None:
    path = f"/tmp/leadership-story-{story}.png"  # noqa: S108 - a file to look at after the run
    page.screenshot(path=path, full_page=True)


def requirement_row(page: Any, title: str) -> Any:
    return page.get_by_test_id("requirement-list").locator(
        "[data-testid=requirement-row]", has_text=title
    )


# --------------------------------------------------------------------------- the stories


def test_a_leader_proposes_to_drop_nice_to_know_and_her_chief_decides(
    live_server: Any, page: Any, browser: Any
) -> None:
    world = build_world()
    nice = world.nice
    in_english(page, live_server)
    log_in(page, live_server, "lise")

    # Room to lead from the top menu, then the documentation register.
    open_room_to_lead(page)
    expect(page.get_by_test_id("waiting").get_by_test_id("nice-to-know")).to_contain_text(
        '1 documentation requirement is "nice to know"'
    )
    page.get_by_test_id("sections").locator("a[data-section='leadership:documentation']").click()
    expect(page.locator("h1")).to_have_text("Documentation register")

    # Only the requirement with neither a legal basis nor a use is "nice to know".
    row = requirement_row(page, NICE_TITLE)
    expect(row.get_by_test_id("nice-to-know")).to_have_text("Nice to know")
    expect(row).to_contain_text("Børn og Skole")
    expect(row.locator("td.num")).to_have_text(str(HOURS_SAVED))
    expect(requirement_row(page, LAW_TITLE)).to_contain_text("Folkeskolelovens § 13 b")
    expect(requirement_row(page, LAW_TITLE).get_by_test_id("nice-to-know")).to_have_count(0)
    expect(requirement_row(page, USED_TITLE).get_by_test_id("nice-to-know")).to_have_count(0)
    expect(requirement_row(page, USED_TITLE)).to_contain_text("in use")
    screenshot(page, "register")

    # Its page: nice to know, no legal basis, no use; not hers to drop, so she proposes it.
    row.locator("th a").click()
    expect(page.locator("h1")).to_contain_text(NICE_TITLE)
    expect(page.locator("h1").get_by_test_id("nice-to-know")).to_be_visible()
    facts = page.get_by_test_id("requirement-facts")
    expect(facts).to_contain_text("None: only its use can justify it")
    expect(page.get_by_test_id("cost")).to_contain_text(
        f"{NICE_MINUTES} minutes × {NICE_CASES} cases a year = {HOURS_SAVED} hours a year"
    )
    expect(page.get_by_test_id("drop")).to_have_count(0)
    page.get_by_test_id("propose").click()
    expect(page).to_have_url(re.compile(rf"/leadership/proposals/new/\?requirement={nice.pk}$"))
    expect(page.locator("h1")).to_have_text("Propose to remove or simplify a burden")
    expect(page.locator("#id_requirement")).to_have_value(str(nice.pk))
    expect(page.locator("input[name=change][value=remove]")).to_be_checked()
    page.fill("#id_title", PROPOSAL_TITLE)
    page.fill("#id_description", PROPOSAL_WHY)
    page.select_option("#id_theme", label=THEME)
    page.get_by_role("button", name="Send the proposal").click()

    proposal = BurdenProposal.objects.get(title=PROPOSAL_TITLE)
    expect(page).to_have_url(re.compile(rf"/leadership/proposals/{proposal.pk}/$"))
    expect(page.locator(".message.success")).to_contain_text("the proposal is registered")
    facts = page.get_by_test_id("proposal")
    expect(facts.get_by_test_id("status")).to_have_text("Proposed")
    expect(facts).to_contain_text(NICE_TITLE)
    expect(facts).to_contain_text(THEME)
    expect(facts).to_contain_text("Børn og Skole: its leader, or a leader above")
    expect(page.get_by_test_id("decide-form")).to_have_count(0)  # not hers to decide
    assert (proposal.requirement, proposal.decision_unit, proposal.theme) == (
        nice,
        world.admin,
        world.theme,
    )
    assert proposal.proposed_by == world.leader
    screenshot(page, "proposed")

    with another_browser(browser) as chief:
        in_english(chief, live_server)
        log_in(chief, live_server, "cecilie")

        # The proposal waits for her on the overview, and in the list "to decide by me".
        open_room_to_lead(chief)
        waiting = chief.get_by_test_id("waiting")
        expect(waiting.get_by_test_id("to-decide")).to_have_text("1 proposal to decide")
        expect(waiting).to_contain_text(PROPOSAL_TITLE)
        waiting.get_by_test_id("to-decide").locator("a").click()
        expect(chief).to_have_url(re.compile(r"/leadership/proposals/\?to_decide=1$"))
        expect(chief.locator("input[name=to_decide]")).to_be_checked()
        listed = chief.get_by_test_id("proposal-list").locator("tbody tr")
        expect(listed).to_have_count(1)
        expect(listed.locator("[data-status]")).to_have_text("Proposed")
        listed.get_by_role("link", name=PROPOSAL_TITLE).click()

        # She accepts it with a reason: the requirement is dropped at once.
        expect(chief.locator("h1")).to_have_text(PROPOSAL_TITLE)
        form = chief.get_by_test_id("decide-form")
        expect(form).to_contain_text("Accepting drops the requirement at once")
        form.locator("input[name=decision][value=accept]").check()
        form.locator("textarea[name=reason]").fill(DECISION_REASON)
        form.get_by_role("button", name="Decide").click()
        expect(chief).to_have_url(re.compile(rf"/leadership/proposals/{proposal.pk}/$"))
        expect(chief.locator(".message.success")).to_have_text("The proposal is decided: done.")
        expect(chief.get_by_test_id("proposal").get_by_test_id("status")).to_have_text("Done")
        decision = chief.get_by_test_id("decision")
        expect(decision.get_by_test_id("reason")).to_have_text(DECISION_REASON)
        expect(decision).to_contain_text("Cecilie Krog")
        expect(chief.get_by_test_id("decide-form")).to_have_count(0)
        proposal.refresh_from_db()
        assert (proposal.status, proposal.decided_by) == (BurdenProposal.Status.DONE, world.chief)
        screenshot(chief, "decided")

        # The requirement shows as dropped, by her, with the reason.
        chief.get_by_test_id("proposal").get_by_role("link", name=NICE_TITLE).click()
        expect(chief.locator("h1")).to_contain_text("Dropped")
        expect(chief.locator("h1").get_by_test_id("nice-to-know")).to_have_count(0)
        dropped = chief.get_by_test_id("dropped")
        expect(dropped).to_contain_text(f"{english_date(today())} by Cecilie Krog")
        expect(dropped).to_contain_text(DECISION_REASON)
        expect(chief.get_by_test_id("propose")).to_have_count(0)
        nice.refresh_from_db()
        assert nice.status == DocumentationRequirement.Status.DROPPED
        assert hours_saved(world.municipality) == HOURS_SAVED

        # The hours saved, on the overview and in the burden overview.
        open_room_to_lead(chief)
        expect(chief.get_by_test_id("hours-saved").get_by_test_id("hours")).to_have_text(
            f"{HOURS_SAVED} hours"
        )
        expect(chief.get_by_test_id("to-decide")).to_have_text("No proposals to decide")
        chief.get_by_role("link", name="The burden overview").click()
        expect(chief).to_have_url(re.compile(r"/leadership/proposals/overview/$"))
        expect(chief.locator("h1")).to_have_text("Burden overview")
        expect(chief.get_by_test_id("hours-saved").get_by_test_id("hours")).to_have_text(
            f"{HOURS_SAVED} hours"
        )
        by_status = chief.get_by_test_id("by-status")
        expect(by_status.locator("[data-status-count=done]")).to_have_text("1")
        expect(by_status.locator("[data-status-count=proposed]")).to_have_text("0")
        expect(by_status.get_by_test_id("total")).to_have_text("1")
        by_theme = chief.get_by_test_id("by-theme")
        expect(by_theme.locator("svg[role=img]")).to_have_attribute(
            "aria-label", "Proposals per theme"
        )
        expect(by_theme.locator(f"tr[data-theme='{THEME}'] [data-theme-total]")).to_have_text("1")
        row = chief.get_by_test_id("dropped").locator("tbody tr", has_text=NICE_TITLE)
        expect(row).to_contain_text("Cecilie Krog")
        expect(row.locator("td.num")).to_have_text(str(HOURS_SAVED))
        expect(chief.get_by_test_id("dropped").locator("tfoot td.num")).to_have_text(
            str(HOURS_SAVED)
        )
        screenshot(chief, "overview")


def test_a_rule_past_review_waits_on_its_owners_list_until_she_keeps_it(
    live_server: Any, page: Any
) -> None:
    world = build_world()
    rule = world.rule
    next_review = today() + dt.timedelta(days=2 * 365)
    in_english(page, live_server)
    log_in(page, live_server, "lise")

    # The overview tells her a rule is past review, and leads to her list.
    open_room_to_lead(page)
    past = page.get_by_test_id("rules-past-review")
    expect(past).to_have_text("1 of your rules is past its review date")
    past.locator("a").click()
    expect(page).to_have_url(re.compile(r"/leadership/rules/mine/$"))
    expect(page.locator("h1")).to_have_text("My rules to review")
    mine = page.get_by_test_id("rules-to-review")
    rows = mine.locator("tbody tr")
    expect(rows).to_have_count(1)  # not her rule due in 200 days, nor her chief's
    expect(rows.first).to_have_attribute("data-past-review", "true")
    expect(rows.first).to_contain_text(RULE_TITLE)
    expect(rows.first).to_contain_text(english_date(rule.review_on))
    expect(rows.first).to_contain_text("past review")
    expect(mine).not_to_contain_text(LATER_RULE_TITLE)
    expect(mine).not_to_contain_text(CHIEF_RULE_TITLE)
    screenshot(page, "rules-mine")

    # She keeps it with a new review date and a reason.
    rows.first.get_by_role("link", name=RULE_TITLE).click()
    expect(page.locator("h1")).to_contain_text(RULE_TITLE)
    expect(page.get_by_test_id("past-review-note")).to_contain_text(
        english_date(rule.review_on, "j F Y")
    )
    form = page.get_by_test_id("rule-decide")
    form.locator("input[name=decision][value=keep]").check()
    form.locator("textarea[name=reason]").fill(KEEP_REASON)
    form.locator("input[name=next_review_on]").fill(next_review.isoformat())
    form.get_by_role("button", name="Record the decision").click()
    expect(page).to_have_url(re.compile(rf"/leadership/rules/{rule.pk}/$"))
    expect(page.locator(".message.success")).to_have_text("The decision is recorded.")
    expect(page.get_by_test_id("past-review-note")).to_have_count(0)
    expect(page.get_by_test_id("rule-status")).to_have_text("In force")
    expect(page.get_by_test_id("rule-facts")).to_contain_text(english_date(next_review, "j F Y"))

    # The history: the adoption two years ago and today's decision to keep it.
    history = page.get_by_test_id("rule-history").locator("tbody tr")
    expect(history).to_have_count(2)
    kept = history.nth(0)
    expect(kept).to_have_attribute("data-decision", "keep")
    expect(kept).to_contain_text(english_date(today()))
    expect(kept).to_contain_text("Lise Lund")
    expect(kept).to_contain_text(KEEP_REASON)
    expect(kept).to_contain_text(english_date(next_review))
    adopted = history.nth(1)
    expect(adopted).to_have_attribute("data-decision", "adopt")
    expect(adopted).to_contain_text("Adopted")
    screenshot(page, "rule-kept")
    rule.refresh_from_db()
    assert (rule.review_on, rule.status) == (next_review, Rule.Status.IN_FORCE)
    assert list(rule.decisions.values_list("decision", flat=True)) == ["keep", "adopt"]

    # It has left her list; in the register it stands among the rules in force, not overdue.
    page.locator(".breadcrumbs a", has_text="Rules").click()
    expect(page.locator("h1")).to_have_text("Rule register")
    listed = page.get_by_test_id("rule-list").locator("tbody tr", has_text=RULE_TITLE)
    expect(listed).to_contain_text(english_date(next_review))
    expect(listed).not_to_have_attribute("data-past-review", "true")
    expect(page.get_by_test_id("rule-list").locator("[data-past-review=true]")).to_have_count(1)
    page.get_by_role("link", name="My rules to review").click()
    expect(page.get_by_test_id("rules-to-review")).to_contain_text("No rules wait for your review.")
    open_room_to_lead(page)
    expect(page.get_by_test_id("rules-past-review")).to_have_text(
        "None of your rules is past its review date"
    )


def test_the_director_sees_the_spans_against_the_municipalitys_target(
    live_server: Any, page: Any
) -> None:
    world = build_world()
    in_english(page, live_server)
    log_in(page, live_server, "dorte")

    open_room_to_lead(page)
    page.get_by_test_id("sections").locator("a[data-section='leadership:span']").click()
    expect(page).to_have_url(re.compile(r"/leadership/span/$"))
    expect(page.locator("h1")).to_have_text("Management span: Rudersdal Kommune")
    expect(page.get_by_test_id("target-in-force")).to_contain_text(
        f"At most {TARGET_SPAN} staff per leader"
    )

    # The plot, with its accessible name, and the same numbers in a table beside it.
    plot = page.get_by_test_id("span-plot").locator("svg[role=img]")
    expect(plot).to_be_visible()
    expect(plot).to_have_attribute("aria-label", "Management span over time in Rudersdal Kommune")
    expect(
        page.get_by_role("img", name="Management span over time in Rudersdal Kommune")
    ).to_be_visible()
    # Today: Dorte leads Cecilie (1), Cecilie the two school leaders (2),
    # Lise her 3 teachers, Søren his 9: mean 15 / 4 = 3.75, shown as 3.8.
    spans = [1, 2, BAKKESKOLEN_TEACHERS, SKOVSKOLEN_TEACHERS]
    mean = (Decimal(sum(spans)) / len(spans)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    table = page.get_by_test_id("history-table")
    expect(table.locator("tbody tr")).to_have_count(9)  # eight quarter ends and today
    now = table.locator(f"tr[data-day='{today().isoformat()}'] td")
    expect(now).to_have_text([str(len(spans)), str(mean), str(max(spans)), str(TARGET_SPAN), "1"])
    first = table.locator("tbody tr").first.locator("td")
    expect(first.nth(3)).to_have_text(str(TARGET_SPAN))  # the target applied two years back

    # Today's leaders, largest span first; Søren is above the target.
    leaders = page.get_by_test_id("leader-table").locator("tbody tr")
    expect(leaders).to_have_count(4)
    over = leaders.first
    expect(over).to_have_attribute("data-unit", str(world.skovskolen.pk))
    expect(over.locator("th")).to_have_text("Søren Skov")
    expect(over.get_by_test_id("span")).to_have_text(str(SKOVSKOLEN_TEACHERS))
    expect(over.get_by_test_id("over-target")).to_have_text("above target")
    lise = page.get_by_test_id("leader-table").locator(f"tr[data-unit='{world.bakkeskolen.pk}']")
    expect(lise.locator("th")).to_have_text("Lise Lund")
    expect(lise.get_by_test_id("span")).to_have_text(str(BAKKESKOLEN_TEACHERS))
    expect(lise).to_contain_text("within target")
    expect(page.get_by_test_id("over-target")).to_have_count(1)

    # The scenario at the target: Søren's group splits in two, one more post.
    expect(page.get_by_test_id("needed-by-leader")).to_have_text("5")
    expect(page.get_by_test_id("difference-by-leader")).to_have_text("+1")
    screenshot(page, "span")

    # Only the leaders above the target.
    page.get_by_test_id("leaders").get_by_label("Only leaders above the target").check()
    page.get_by_test_id("leaders").get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"over=1"))
    leaders = page.get_by_test_id("leader-table").locator("tbody tr")
    expect(leaders).to_have_count(1)
    expect(leaders.first.locator("th")).to_have_text("Søren Skov")
