"""Leading across sectors, end to end in a real browser (issue 9, "Done when").

* Lise, leader of Bakkeskolen, opens Forums from the top menu and the board of
  the daily leaders' group, and raises an obstacle (budget; who is affected
  in general terms).
* Cecilie, chief of Børn og Skole, in a browser of her own, takes it and
  escalates it with a reason to the chiefs' group; there she takes it again
  and escalates it to the steering group. The item page shows its history
  forum by forum, for her and for Lise, who raised it.
* Dorte, the municipal director, chairs the steering group (a yearly budget of
  DKK 1,000,000, at most DKK 250,000 a grant, DKK 150,000 already granted this
  year). She opens the trial's application of DKK 200,000 from "Applications
  waiting for your forum" and grants it; the trial page shows the grant, the
  two indicators it watches (one with values) and the shared story's
  anonymised text, never the private one; the forum's budget left is what the
  two grants leave.
* Hanne, a health visitor, logs a contact with Alma through the form on the
  citizen's page; Karin, who coordinates Alma's plan from another unit, gets
  an e-mail without names, sees the contact on "Contacts with your families"
  (and its count on the home page) and marks it seen.
* A handover from Bakkeskolen to youth guidance is past its deadline: it shows
  on Lise's list of overdue handovers and on her home page, without the
  citizen's name.

The world is built with the factories of ``helhed.test`` and the app's own
actions (not the demo generator). The pages are read in English (the language
cookie is set before the first page load); text a person typed is stored as
typed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.utils import dateformat, translation
from playwright.sync_api import expect

from helhed.citizens.models import Citizen, Engagement
from helhed.forums.actions.forums import (
    do_create_forum,
    do_record_decision,
    do_set_member,
    forum_budget_left,
)
from helhed.forums.models import Forum, ForumMember, Item, ItemEvent
from helhed.lib.validity import today
from helhed.organisation.models import Municipality, Staff, Unit
from helhed.plans.actions.handovers import do_start_handover
from helhed.plans.actions.stories import (
    do_decide_story,
    do_propose_story_for_sharing,
    do_write_story,
)
from helhed.plans.models import Contact, Handover, Plan, Story
from helhed.results.models import Indicator
from helhed.results.periods import Frequency, Period
from helhed.results.status import format_value
from helhed.test import (
    PASSWORD,
    engage,
    indicator,
    make_citizen,
    make_plan,
    make_staff,
    make_unit,
    record_value,
)
from helhed.trials.actions.trials import do_apply_for_grant, do_create_trial, do_link_story
from helhed.trials.models import Application, Trial

pytestmark = [
    pytest.mark.browser,
    # The live server needs real transactions; serialized_rollback brings back
    # the municipalities, code lists and rating scales the migrations seeded.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


# --------------------------------------------------------------------------- the world

STEERING = "Styregruppen for det sammenhængende børneliv"
CHIEFS = "Direktørgruppen"
LEADERS = "Det daglige ledergruppemøde"

OBSTACLE_TITLE = "Ingen betaler for støtten i overgangen fra skole til fritidsjob"
OBSTACLE_TEXT = (
    "Skolen og familieafdelingen er enige om støtten, men ingen af de to budgetter vil betale. "
    "Imens venter de unge i tre måneder."
)
AFFECTED = "Unge på 14-16 år med støtte i skolen"
TAKE_REASON_1 = "Budgettet ligger over skolerne og familieafdelingen: det må direktørerne løse."
TAKE_REASON_2 = "Det kræver en fælles pulje på tværs af forvaltningerne, som styregruppen ejer."

YEARLY_BUDGET = Decimal(1_000_000)
GRANT_LIMIT = Decimal(250_000)
EARLIER_GRANT = Decimal(150_000)
GRANT = Decimal(200_000)
MANDATE_BASIS = "Styregruppens pulje til prøvehandlinger"

TRIAL_TITLE = "Sundhedsplejen med i familierådslagningen"
STORY_TITLE = "Almas første familierådslagning"
PRIVATE_TEXT = (
    "Alma Jensen fortalte sin sundhedsplejerske, at hun ikke sover, når far arbejder om natten."
)
ANONYMISED_TEXT = (
    "En pige fortalte, at det hjalp at have sundhedsplejersken med til mødet: "
    "nu ved alle omkring hende, hvad der sker derhjemme."
)
NOTIFICATIONS = ("4.2", "0.3")  # latest value, and how much higher each quarter before
QUARTERS = 4

CONTACT_PURPOSE = "Hjemmebesøg om søvn og trivsel"


@dataclass
class World:
    municipality: Municipality
    root: Unit
    admin: Unit
    bakkeskolen: Unit
    family_dept: Unit
    health: Unit
    youth_guidance: Unit
    director: Staff
    chief: Staff
    leader: Staff
    coordinator: Staff
    nurse: Staff
    steering: Forum
    chiefs: Forum
    leaders: Forum
    alma: Citizen
    oliver: Citizen
    plan: Plan
    story: Story
    trial: Trial
    notifications: Indicator
    wellbeing: Indicator
    quarter: Period
    application: Application
    handover: Handover


def build_world() -> World:
    municipality = Municipality.objects.get(code=230)
    root = make_unit("Rudersdal Kommune", unit_type="municipality")
    admin = make_unit("Børn og Skole", parent=root, unit_type="administration")
    welfare = make_unit("Social og Sundhed", parent=root, unit_type="administration")
    bakkeskolen = make_unit("Bakkeskolen", parent=admin, sector="school")
    family_dept = make_unit("Familieafdelingen", parent=admin, sector="social")
    health = make_unit("Sundhedsplejen", parent=welfare, sector="health")
    youth_guidance = make_unit(
        "Ungdommens Uddannelsesvejledning", parent=welfare, sector="employment"
    )
    director = make_staff("Dorte", "Dahl", unit=root, role="director", username="dorte")
    chief = make_staff("Cecilie", "Krog", unit=admin, role="chief", username="cecilie")
    other_chief = make_staff("Svend", "Sørensen", unit=welfare, role="chief", username="svend")
    leader = make_staff("Lise", "Lund", unit=bakkeskolen, role="leader", username="lise")
    family_leader = make_staff("Frida", "Feld", unit=family_dept, role="leader", username="frida")
    health_leader = make_staff("Bente", "Berg", unit=health, role="leader", username="bente")
    coordinator = make_staff(
        "Karin", "Krogh", unit=family_dept, role="coordinator", username="karin"
    )
    nurse = make_staff("Hanne", "Holm", unit=health, role="health_visitor", username="hanne")
    teacher = make_staff("Tom", "Thy", unit=bakkeskolen, role="teacher", username="tom")

    # The forums: the daily leaders' group escalates to the chiefs' group, which
    # escalates to the steering group, the one that grants.
    steering = do_create_forum(
        actor=director,
        name=STEERING,
        kind=Forum.Kind.STEERING_GROUP,
        cadence=Forum.Cadence.MONTHLY,
        mandate="Prioriterer på tværs af forvaltningerne og bevilger til prøvehandlinger.",
        units=[root],
        yearly_budget=YEARLY_BUDGET,
        grant_limit=GRANT_LIMIT,
    )
    chiefs = do_create_forum(
        actor=director,
        name=CHIEFS,
        kind=Forum.Kind.CHIEFS_GROUP,
        cadence=Forum.Cadence.WEEKLY,
        mandate="Løser knaster mellem forvaltningerne inden for deres budgetter.",
        units=[admin, welfare],
        escalates_to=steering,
    )
    leaders = do_create_forum(
        actor=director,
        name=LEADERS,
        kind=Forum.Kind.LEADERS_GROUP,
        cadence=Forum.Cadence.DAILY,
        mandate="Løser hverdagens knaster mellem skole, familie og sundhed.",
        units=[bakkeskolen, family_dept, health],
        escalates_to=chiefs,
    )
    for forum, staff, role in (
        (steering, director, ForumMember.Role.CHAIR),
        (steering, chief, ForumMember.Role.MEMBER),
        (steering, other_chief, ForumMember.Role.MEMBER),
        (chiefs, other_chief, ForumMember.Role.CHAIR),
        (chiefs, chief, ForumMember.Role.MEMBER),
        (leaders, chief, ForumMember.Role.CHAIR),
        (leaders, leader, ForumMember.Role.MEMBER),
        (leaders, family_leader, ForumMember.Role.MEMBER),
        (leaders, health_leader, ForumMember.Role.MEMBER),
    ):
        do_set_member(actor=director, forum=forum, staff=staff, role=role)
    # Part of this year's budget is already granted.
    do_record_decision(
        actor=director,
        forum=steering,
        text="Bevilget til fælles sommerskole for skole og fritid.",
        mandate_basis=MANDATE_BASIS,
        grant_amount=EARLIER_GRANT,
        grant_purpose="Fælles sommerskole",
    )

    # Alma has a shared plan coordinated by Karin; the health visitor works with her too.
    alma = make_citizen("Alma", "Jensen", current_unit=bakkeskolen)
    engage(alma, staff=coordinator)
    engage(alma, staff=nurse)
    engage(alma, unit=bakkeskolen, kind=Engagement.Kind.TEACHING)
    plan = make_plan(alma, coordinator=coordinator, title="Alma trives i skolen")
    story = do_write_story(actor=coordinator, plan=plan, title=STORY_TITLE, text=PRIVATE_TEXT)
    story = do_propose_story_for_sharing(
        actor=coordinator, story=story, anonymised_text=ANONYMISED_TEXT
    )
    story = do_decide_story(actor=family_leader, story=story, share=True)

    # The trial watches two indicators of the catalogue; one has values.
    notifications = indicator("underretninger-pr-1000")
    wellbeing = indicator("trivsel")
    quarter = Period.last_complete(today(), Frequency.QUARTERLY)
    latest, step = (Decimal(v) for v in NOTIFICATIONS)
    for back in range(QUARTERS):
        record_value(
            notifications,
            family_dept,
            quarter.shift(-back).code,
            str(latest + step * back),
            persons=60,
        )
    trial = do_create_trial(
        actor=chief,
        title=TRIAL_TITLE,
        hypothesis=(
            "Hvis sundhedsplejen deltager i familierådslagningen, bliver færre børn underrettet "
            "om igen."
        ),
        owner=health_leader,
        units=[family_dept, health],
        participants=[nurse, coordinator],
        indicators=[notifications, wellbeing],
        starts_on=today() - dt.timedelta(days=60),
        ends_on=today() + dt.timedelta(days=300),
        comparison="Familier i samme område uden sundhedsplejerske ved mødet.",
        budget=Decimal(400_000),
    )
    do_link_story(actor=health_leader, trial=trial, story=story)
    application = do_apply_for_grant(
        actor=health_leader,
        trial=trial,
        forum=steering,
        amount=GRANT,
        reason="Sundhedsplejerskens timer til møderne i et år.",
    )

    # Oliver is handed over from Bakkeskolen to youth guidance; nobody accepted it in time.
    oliver = make_citizen(
        "Oliver", "Olsen", birth_date=dt.date(2010, 2, 3), sex="M", current_unit=bakkeskolen
    )
    engage(oliver, unit=bakkeskolen, kind=Engagement.Kind.TEACHING)
    handover = do_start_handover(
        actor=teacher,
        citizen=oliver,
        kind=Handover.Kind.SCHOOL_TO_YOUTH,
        from_unit=bakkeskolen,
        to_unit=youth_guidance,
        deadline=today() + dt.timedelta(days=14),
    )
    Handover.objects.filter(pk=handover.pk).update(deadline=today() - dt.timedelta(days=6))
    handover.refresh_from_db()
    return World(
        municipality=municipality,
        root=root,
        admin=admin,
        bakkeskolen=bakkeskolen,
        family_dept=family_dept,
        health=health,
        youth_guidance=youth_guidance,
        director=director,
        chief=chief,
        leader=leader,
        coordinator=coordinator,
        nurse=nurse,
        steering=steering,
        chiefs=chiefs,
        leaders=leaders,
        alma=alma,
        oliver=oliver,
        plan=plan,
        story=story,
        trial=trial,
        notifications=notifications,
        wellbeing=wellbeing,
        quarter=quarter,
        application=application,
        handover=handover,
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


def english_dkk(amount: Decimal) -> str:
    """'DKK 650,000', as the English forum page writes a whole amount."""
    return f"DKK {amount:,.0f}"


def english_money(amount: Decimal) -> str:
    """'200,000.00', as the English trial pages write an amount."""
    return f"{amount:,.2f}"


def screenshot(page: Any, story: str) -> None:
    path = f"/tmp/across-story-{story}.png"  # noqa: S108 - a file to look at after the run
    page.screenshot(path=path, full_page=True)


def open_from_menu(page: Any, href: str, heading: str) -> None:
    page.locator(f".topbar nav a[href='{href}']").click()
    expect(page.locator("h1")).to_have_text(heading)


def open_forum(page: Any, name: str) -> None:
    open_from_menu(page, "/forums/", "Forums")
    names = page.get_by_test_id("forum-list").locator("tbody td:first-child")
    names.get_by_role("link", name=name, exact=True).click()
    expect(page.locator("h1")).to_have_text(name)


def history_events(page: Any, chapter: int) -> Any:
    return page.get_by_test_id("item-history").locator("table").nth(chapter).locator("tbody tr")


def expect_history_across_three_forums(page: Any) -> None:
    """Raised, taken and escalated in the leaders' group; taken and escalated in the
    chiefs' group; waiting in the steering group."""
    history = page.get_by_test_id("item-history")
    expect(history.get_by_test_id("history-forum")).to_have_text([LEADERS, CHIEFS, STEERING])
    leaders = history_events(page, 0)
    expect(leaders).to_have_count(3)
    for row, kind in zip(range(3), ["raised", "taken", "escalated"], strict=True):
        expect(leaders.nth(row)).to_have_attribute("data-event", kind)
    expect(leaders.nth(0)).to_contain_text("Lise Lund")
    expect(leaders.nth(1)).to_contain_text("Cecilie Krog")
    expect(leaders.nth(2)).to_contain_text(f"Escalated to {CHIEFS}")
    expect(leaders.nth(2)).to_contain_text(TAKE_REASON_1)
    chiefs = history_events(page, 1)
    expect(chiefs).to_have_count(2)
    expect(chiefs.nth(0)).to_have_attribute("data-event", "taken")
    expect(chiefs.nth(1)).to_have_attribute("data-event", "escalated")
    expect(chiefs.nth(1)).to_contain_text(f"Escalated to {STEERING}")
    expect(chiefs.nth(1)).to_contain_text(TAKE_REASON_2)
    expect(chiefs.nth(1)).to_contain_text("Cecilie Krog")
    steering = history_events(page, 2)
    expect(steering).to_have_count(1)
    expect(steering).to_contain_text("Waiting here: nothing has happened in this forum yet.")


# --------------------------------------------------------------------------- the stories


def test_a_school_leader_raises_an_obstacle_and_the_chief_escalates_it_to_the_steering_group(
    live_server: Any, page: Any, browser: Any
) -> None:
    world = build_world()
    in_english(page, live_server)
    log_in(page, live_server, "lise")

    # Forums from the top menu, the leaders' group, its board; she raises the obstacle there.
    open_forum(page, LEADERS)
    expect(page.get_by_test_id("escalation-chain").locator("li")).to_have_text([CHIEFS, STEERING])
    page.get_by_test_id("board-link").click()
    expect(page.locator("h1")).to_have_text(f"Obstacle board: {LEADERS}")
    expect(page.get_by_test_id("open-count")).to_have_text("0")
    form = page.get_by_test_id("raise-form")
    form.locator("#id_title").fill(OBSTACLE_TITLE)
    form.locator("#id_description").fill(OBSTACLE_TEXT)
    form.locator("#id_category").select_option("budget")
    form.locator("#id_affected").fill(AFFECTED)
    form.get_by_role("button", name="Raise it").click()

    item = Item.objects.get(title=OBSTACLE_TITLE)
    expect(page).to_have_url(re.compile(rf"/forums/obstacles/{item.pk}/$"))
    expect(page.locator(".message.success")).to_have_text("The item is on the board.")
    expect(page.get_by_test_id("item-status")).to_have_text("Open")
    expect(page.get_by_test_id("item-forum")).to_have_text(LEADERS)
    facts = page.get_by_test_id("item-facts")
    expect(facts).to_contain_text("Budget")
    expect(facts).to_contain_text(AFFECTED)
    # Any leader of the group may take it; only the one who took it, or the chair, settles it.
    expect(page.get_by_role("button", name="Take it")).to_be_visible()
    expect(page.locator("input[name=outcome]")).to_have_count(0)
    assert (item.forum, item.raised_by, item.category, item.kind) == (
        world.leaders,
        world.leader,
        Item.Category.BUDGET,
        Item.Kind.OBSTACLE,
    )
    screenshot(page, "raised")

    with another_browser(browser) as chief:
        in_english(chief, live_server)
        log_in(chief, live_server, "cecilie")

        # The board of the leaders' group she chairs: the obstacle waits to be taken.
        open_forum(chief, LEADERS)
        chief.get_by_test_id("board-link").click()
        waiting = chief.get_by_test_id("items-waiting").locator(f"tr[data-item='{item.pk}']")
        expect(waiting).to_contain_text("Budget")
        waiting.get_by_role("link", name=OBSTACLE_TITLE).click()
        expect(chief.locator("h1")).to_contain_text(OBSTACLE_TITLE)

        # She takes it, and escalates it to the chiefs' group with a reason.
        chief.get_by_role("button", name="Take it").click()
        expect(chief.locator(".message.success")).to_have_text("You have taken the item.")
        expect(chief.get_by_test_id("item-status")).to_have_text("Taken")
        expect(chief.get_by_test_id("item-act")).to_contain_text(
            f"Escalating moves the item to {CHIEFS}"
        )
        chief.locator("input[name=outcome][value=escalate]").check()
        chief.locator("textarea[name=reason]").fill(TAKE_REASON_1)
        chief.get_by_role("button", name="Record it").click()
        expect(chief).to_have_url(re.compile(rf"/forums/obstacles/{item.pk}/$"))
        expect(chief.locator(".message.success")).to_have_text("The item is updated.")
        expect(chief.get_by_test_id("item-forum")).to_have_text(CHIEFS)
        expect(chief.get_by_test_id("item-status")).to_have_text("Open")

        # In the chiefs' group she takes it again and escalates it to the steering group.
        chief.get_by_role("button", name="Take it").click()
        expect(chief.get_by_test_id("item-status")).to_have_text("Taken")
        expect(chief.get_by_test_id("item-act")).to_contain_text(
            f"Escalating moves the item to {STEERING}"
        )
        chief.locator("input[name=outcome][value=escalate]").check()
        chief.locator("textarea[name=reason]").fill(TAKE_REASON_2)
        chief.get_by_role("button", name="Record it").click()
        expect(chief.locator(".message.success")).to_have_text("The item is updated.")
        expect(chief.get_by_test_id("item-forum")).to_have_text(STEERING)
        expect(chief.get_by_test_id("item-status")).to_have_text("Open")
        expect(chief.locator("input[name=outcome]")).to_have_count(0)  # no longer hers
        expect_history_across_three_forums(chief)
        screenshot(chief, "escalated")

    # Lise, who raised it, follows it to the steering group, its history intact.
    page.reload()
    expect(page.get_by_test_id("item-forum")).to_have_text(STEERING)
    expect_history_across_three_forums(page)
    item.refresh_from_db()
    assert (item.forum, item.status, item.taken_by) == (world.steering, Item.Status.OPEN, None)
    events = list(item.events.order_by("at", "pk").values_list("kind", "forum__name"))
    assert events == [
        (ItemEvent.Kind.RAISED, LEADERS),
        (ItemEvent.Kind.TAKEN, LEADERS),
        (ItemEvent.Kind.ESCALATED, LEADERS),
        (ItemEvent.Kind.TAKEN, CHIEFS),
        (ItemEvent.Kind.ESCALATED, CHIEFS),
    ]

    # It waits to be taken on the steering group's board (the whole municipality's forum).
    page.locator(".breadcrumbs").get_by_role("link", name=f"Board of {STEERING}").click()
    expect(page.locator("h1")).to_have_text(f"Obstacle board: {STEERING}")
    waiting = page.get_by_test_id("items-waiting").locator(f"tr[data-item='{item.pk}']")
    expect(waiting).to_contain_text(OBSTACLE_TITLE)
    expect(waiting.locator("td[data-days]")).to_have_text("0")
    screenshot(page, "steering-board")


def test_the_steering_group_grants_a_trial_and_its_page_shows_the_evidence(
    live_server: Any, page: Any
) -> None:
    world = build_world()
    application = world.application
    in_english(page, live_server)
    log_in(page, live_server, "dorte")

    # The application waits for the forum she chairs.
    open_from_menu(page, "/trials/", "Trial actions")
    waiting = page.get_by_test_id("applications-to-decide").locator("tbody tr")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text(STEERING)
    expect(waiting).to_contain_text(english_money(GRANT))
    expect(waiting).to_contain_text("Bente Berg")
    waiting.get_by_role("link", name=TRIAL_TITLE).click()
    expect(page).to_have_url(re.compile(rf"/trials/applications/{application.pk}/$"))
    expect(page.get_by_test_id("application-status")).to_have_text("Awaiting the forum")

    # She grants it, on the forum's mandate.
    form = page.get_by_test_id("decide-application")
    form.locator("input[name=decision][value=grant]").check()
    form.locator("input[name=mandate_basis]").fill(MANDATE_BASIS)
    form.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".message.success")).to_have_text("The forum's decision is recorded.")
    expect(page.get_by_test_id("application-status")).to_have_text("Granted")
    expect(page.get_by_test_id("decision")).to_contain_text(
        f"Granted {english_dkk(GRANT)} to the trial “{TRIAL_TITLE}”."
    )
    expect(page.get_by_test_id("decision")).to_contain_text(MANDATE_BASIS)
    expect(page.get_by_test_id("decide-application")).to_have_count(0)
    application.refresh_from_db()
    assert application.status == Application.Status.GRANTED
    assert application.decision is not None
    assert (application.decision.grant_amount, application.decision.decided_by) == (
        GRANT,
        world.director,
    )
    screenshot(page, "granted")

    # The trial: the grant, the two indicators (values for one) and the story, anonymised.
    page.locator(".breadcrumbs").get_by_role("link", name=TRIAL_TITLE).click()
    expect(page.locator("h1")).to_contain_text(TRIAL_TITLE)
    expect(page.get_by_test_id("granted")).to_have_text(english_money(GRANT))
    expect(page.get_by_test_id("left")).to_have_text(english_money(GRANT))
    indicators = page.get_by_test_id("indicators")
    expect(indicators.locator("article[data-indicator]")).to_have_count(2)
    notifications = indicators.locator(f"article[data-indicator='{world.notifications.pk}']")
    expect(notifications.locator("h3")).to_contain_text(world.notifications.name)
    with translation.override("en"):
        latest = format_value(world.notifications, Decimal(NOTIFICATIONS[0]))
        quarter_label = world.quarter.label
    values = notifications.locator("p", has_text="Familieafdelingen").get_by_test_id("latest-value")
    expect(values).to_have_text(latest)
    series = notifications.locator("table", has_text="Familieafdelingen").locator("tbody tr")
    expect(series).to_have_count(QUARTERS)
    expect(series.first.locator("th")).to_have_text(quarter_label)
    expect(series.first.locator("td")).to_have_text(latest)
    wellbeing = indicators.locator(f"article[data-indicator='{world.wellbeing.pk}']")
    expect(wellbeing.locator("h3")).to_contain_text(world.wellbeing.name)
    expect(wellbeing.locator("tbody")).to_contain_text(["No values yet.", "No values yet."])
    stories = page.get_by_test_id("stories")
    expect(stories.locator(f"blockquote[data-story='{world.story.pk}']")).to_contain_text(
        ANONYMISED_TEXT
    )
    main = page.locator("main")
    expect(main).not_to_contain_text(PRIVATE_TEXT)
    expect(main).not_to_contain_text(STORY_TITLE)
    expect(main).not_to_contain_text("Alma")
    screenshot(page, "trial")

    # The steering group's budget: the earlier grant and this one are gone from it.
    left = YEARLY_BUDGET - EARLIER_GRANT - GRANT
    assert forum_budget_left(world.steering, today().year) == left
    open_forum(page, STEERING)
    budget = page.get_by_test_id("forum-budget")
    expect(budget.get_by_test_id("budget")).to_have_text(english_dkk(YEARLY_BUDGET))
    expect(budget.get_by_test_id("grant-limit")).to_have_text(english_dkk(GRANT_LIMIT))
    expect(budget.get_by_test_id("budget-used")).to_have_text(english_dkk(EARLIER_GRANT + GRANT))
    expect(budget.get_by_test_id("budget-left")).to_have_text(english_dkk(left))
    expect(page.get_by_test_id("forum-decisions")).to_contain_text(TRIAL_TITLE)

    # Nothing waits for her forum any more.
    open_from_menu(page, "/trials/", "Trial actions")
    expect(page.get_by_test_id("applications-to-decide")).to_have_count(0)
    row = page.get_by_test_id("portfolio").locator(f"tr[data-trial='{world.trial.pk}']")
    expect(row.locator("td.num").first).to_have_text(english_money(GRANT))


def test_the_coordinator_is_told_of_a_contact_by_another_unit(
    live_server: Any, page: Any, browser: Any
) -> None:
    world = build_world()
    alma = world.alma
    in_english(page, live_server)
    log_in(page, live_server, "hanne")

    # The health visitor logs her home visit through the form on Alma's page.
    page.goto(f"{live_server.url}/citizens/{alma.pk}/")
    expect(page.locator("h1")).to_contain_text("Alma Jensen")
    page.get_by_role("link", name="Contact map").click()
    expect(page.locator("h1")).to_have_text("Who is in touch with Alma Jensen")
    expect(page.get_by_test_id("coordinator-of-record")).to_contain_text("Karin Krogh")
    page.get_by_role("link", name="Log a contact").click()
    expect(page.get_by_test_id("coordinator-note")).to_contain_text(
        "Karin Krogh coordinates the shared plan"
    )
    expect(page.locator("#id_contacted_on")).to_have_value(today().isoformat())
    page.select_option("#id_channel", "home_visit")
    page.fill("#id_purpose", CONTACT_PURPOSE)
    expect(page.locator("#id_unit option")).to_have_text(["Sundhedsplejen"])
    page.get_by_role("button", name="Log the contact").click()
    expect(page).to_have_url(re.compile(rf"/contacts/citizen/{alma.pk}/$"))
    expect(page.locator(".message.success")).to_have_text(
        "The contact is logged, and Karin Krogh, who coordinates, is told."
    )
    contact = Contact.objects.get(citizen=alma)
    assert (contact.staff, contact.unit, contact.coordinator) == (
        world.nurse,
        world.health,
        world.coordinator,
    )
    assert contact.coordinator_seen_on is None

    # The e-mail (the live server shares the test's locmem outbox) names nobody.
    assert [m.to for m in mail.outbox] == [[world.coordinator.email]]
    message = mail.outbox[0]
    text = f"{message.subject}\n{message.body}"
    assert "/contacts/to-see/" in text
    for secret in ("Alma", "Jensen", CONTACT_PURPOSE):
        assert secret not in text

    with another_browser(browser) as coordinator:
        in_english(coordinator, live_server)
        log_in(coordinator, live_server, "karin")

        # The count on her home page leads to "Contacts with your families".
        waiting = coordinator.get_by_test_id("contacts-waiting")
        expect(waiting).to_have_text("1 contact with your families to see")
        waiting.get_by_role("link").click()
        expect(coordinator).to_have_url(re.compile(r"/contacts/to-see/$"))
        expect(coordinator.locator("h1")).to_have_text("Contacts with your families")
        expect(coordinator.get_by_test_id("waiting-count")).to_have_text("1 contact not yet seen")
        row = coordinator.get_by_test_id("contacts-to-see").locator(
            f"tr[data-contact='{contact.pk}']"
        )
        for text in ("Alma Jensen", "Hanne Holm", "Sundhedsplejen", "Home visit", CONTACT_PURPOSE):
            expect(row).to_contain_text(text)
        expect(row).to_contain_text(english_date(today()))
        screenshot(coordinator, "contact")

        # She marks it seen: it leaves the list and the home page.
        row.get_by_role("button", name="Mark seen").click()
        expect(coordinator.locator(".message.success")).to_have_text("The contact is marked seen.")
        expect(coordinator.get_by_test_id("waiting-count")).to_have_text("0 contacts not yet seen")
        expect(coordinator.get_by_test_id("contacts-to-see")).to_contain_text("No contacts here.")
        contact.refresh_from_db()
        assert contact.coordinator_seen_on == today()
        coordinator.locator(".topbar nav a[href='/']").click()
        expect(coordinator.locator("h1")).to_contain_text("Welcome")
        expect(coordinator.get_by_test_id("contacts-waiting")).to_have_count(0)


def test_an_overdue_handover_waits_on_the_responsible_leaders_list_without_a_name(
    live_server: Any, page: Any
) -> None:
    world = build_world()
    handover = world.handover
    assert handover.is_overdue()
    in_english(page, live_server)
    log_in(page, live_server, "lise")

    # The home page line leads to her list of overdue handovers.
    line = page.get_by_test_id("attention").locator("[data-attention=led-handovers]")
    expect(line).to_have_text("1 overdue handover your units are responsible for")
    line.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/handovers/overdue/$"))
    expect(page.locator("h1")).to_have_text("Overdue handovers in my units")
    rows = page.get_by_test_id("led-overdue-handovers").locator("tbody tr")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row).to_have_attribute("data-handover", str(handover.pk))
    cells = row.locator("td")
    expect(cells).to_have_text(
        [
            re.compile(rf"No\. {handover.pk}"),
            "School to youth guidance",
            "Bakkeskolen",
            "Ungdommens Uddannelsesvejledning",
            english_date(handover.deadline),
            str((today() - handover.deadline).days),
        ]
    )
    main = page.locator("main")
    for name in ("Oliver", "Olsen"):
        expect(main).not_to_contain_text(name)
    screenshot(page, "handovers-overdue")
