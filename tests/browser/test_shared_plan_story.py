"""The shared plan, end to end in a real browser: one story per person who uses it.

* The case worker starts Alma's plan from her page, writes a goal in Alma's
  words (first with a target date that has passed), adds a health effort with
  its legal basis and cost, the class teacher as a participant, and a network
  meeting with Alma and her mother; the history grows with every change, and
  two tabs editing the same version cannot overwrite each other.
* The teacher logs an early concern about a pupil, then finds the action the
  coordinator gave them and marks it done.
* The coordinator records the minutes of a meeting that has started (an action
  due yesterday is refused first) and opens the family's printable summary.
* The mother logs in with her family login, reads the plan in plain language
  and the meeting summary, and rates the collaboration (a score above 10 is
  refused, and nothing is saved).

The pages are read in English (the language cookie is set before the first
page load), so the assertions do not depend on the Danish wording.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from helhed.citizens.models import Citizen, Engagement, FamilyLink
from helhed.feedback.models import Rating, Scale, ScaleActivation
from helhed.lib.validity import today
from helhed.organisation.models import Municipality, RoleAssignment, Staff, Unit
from helhed.plans.actions.meetings import (
    NewAction,
    do_add_action,
    do_record_minutes,
    do_schedule_meeting,
)
from helhed.plans.actions.plans import do_add_goal
from helhed.plans.models import Action, Concern, Goal, Meeting, Plan
from helhed.test import (
    PASSWORD,
    engage,
    make_citizen,
    make_family_login,
    make_plan,
    make_staff,
    make_unit,
)

pytestmark = [
    pytest.mark.browser,
    # The live server needs real transactions; serialized_rollback brings back
    # the municipalities, code lists and rating scales the migrations seeded.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


# --------------------------------------------------------------------------- the world


GOAL_TEXT = "Jeg vil gerne have en ven at lege med i frikvarteret"


@dataclass
class World:
    school: Unit
    family_dept: Unit
    health: Unit
    caseworker: Staff
    teacher: Staff
    coordinator: Staff
    nurse: Staff
    alma: Citizen
    mother: Citizen


def build_world() -> World:
    assert Municipality.objects.filter(code=230).exists(), "reference data missing"
    root = make_unit("Rudersdal Kommune", unit_type="municipality")
    admin = make_unit("Børn og Skole", parent=root, unit_type="administration")
    school = make_unit("Bakkeskolen", parent=admin, sector="school")
    family_dept = make_unit("Familieafdelingen", parent=admin, sector="social")
    health = make_unit("Sundhedsplejen", parent=admin, sector="health")
    make_staff("Lise", "Lund", unit=school, role="leader", username="lise")
    caseworker = make_staff("Sara", "Sand", unit=family_dept, role="caseworker", username="sara")
    teacher = make_staff("Tom", "Thy", unit=school, role="teacher", username="tom")
    coordinator = make_staff(
        "Karin", "Krogh", unit=family_dept, role="coordinator", username="karin"
    )
    nurse = make_staff("Hanne", "Holm", unit=health, role="health_visitor", username="hanne")
    alma = make_citizen("Alma", "Jensen", current_unit=school)
    mother = make_citizen("Mette", "Jensen", birth_date=dt.date(1984, 3, 2))
    bror = make_citizen("Bo", "Jensen", birth_date=dt.date(2011, 9, 9), sex="M")
    FamilyLink.objects.create(from_citizen=mother, to_citizen=alma, kind=FamilyLink.Kind.GUARDIAN)
    FamilyLink.objects.create(from_citizen=bror, to_citizen=alma, kind=FamilyLink.Kind.SIBLING)
    engage(alma, staff=caseworker)
    engage(alma, staff=coordinator)
    engage(alma, unit=school, kind=Engagement.Kind.TEACHING)
    make_family_login(mother, "mette")
    return World(school, family_dept, health, caseworker, teacher, coordinator, nurse, alma, mother)


def start_plan(world: World) -> Plan:
    """Alma's plan, coordinated by Karin, with Tom taking part and one goal in Alma's words."""
    plan = make_plan(
        world.alma,
        coordinator=world.coordinator,
        title="Alma trives i skolen",
        participants=[(world.teacher, world.school)],
    )
    do_add_goal(
        actor=world.coordinator,
        plan=plan,
        expected_version=plan.version,
        text=GOAL_TEXT,
        formulated_by=Goal.FormulatedBy.CHILD,
        formulated_by_name="Alma",
        target_date=today() + dt.timedelta(days=90),
        citizen=world.alma,
    )
    plan.refresh_from_db()
    return plan


def meeting_that_has_started(world: World, plan: Plan) -> Meeting:
    """A network meeting with the family, scheduled and then moved to an hour ago."""
    meeting = do_schedule_meeting(
        actor=world.coordinator,
        plan=plan,
        starts_at=timezone.now() + dt.timedelta(hours=1),
        place="Bakkeskolen, mødelokale 2",
        agenda="Hvordan går det i frikvartererne?",
        staff_participants=[(world.coordinator, ""), (world.teacher, "")],
        family_participants=[(world.mother, "Mor"), (world.alma, "Alma selv")],
    )
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    meeting.refresh_from_db()
    return meeting


def action_for(world: World, plan: Plan, owner: Staff, description: str) -> Action:
    return do_add_action(
        actor=world.coordinator,
        plan=plan,
        description=description,
        owner=owner,
        due_on=today() + dt.timedelta(days=7),
    )


def new_action(description: str, owner: Staff, days: int, decision: int | None) -> NewAction:
    return NewAction(
        description=description,
        owner=owner,
        due_on=today() + dt.timedelta(days=days),
        decision=decision,
    )


def enable_scales(*codes: str) -> None:
    rudersdal = Municipality.objects.get(code=230)
    for code in codes:
        ScaleActivation.objects.create(municipality=rudersdal, scale=Scale.objects.get(code=code))


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


def submit(page: Any, form: str = "main form[method=post]") -> None:
    """Press the submit button of the one form ``form`` finds in the page's main content."""
    page.locator(form).locator("button[type=submit]").click()


def iso(day: dt.date) -> str:
    return day.isoformat()


# --------------------------------------------------------------------------- the stories


def screenshot(page: Any, story: str) -> None:
    path = f"/tmp/helhed-browser-{story}.png"  # noqa: S108 - a file to look at after the run
    page.screenshot(path=path, full_page=True)


def field_error(page: Any, field_id: str) -> Any:
    """The error shown beside the field with id ``field_id``."""
    return page.locator(f".has-error:has(#{field_id}) .field-error")


def test_a_caseworker_starts_a_shared_plan_and_builds_it_up(live_server: Any, page: Any) -> None:
    world = build_world()
    alma, mother, teacher = world.alma, world.mother, world.teacher
    in_english(page, live_server)
    log_in(page, live_server, "sara")

    # From the citizen list to Alma's page, and on to a new plan.
    page.locator(".topbar nav a[href='/citizens/']").click()
    page.locator(f"#citizen-results a[href='/citizens/{alma.pk}/']").click()
    expect(page.locator("h1")).to_have_text("Alma Jensen")
    page.locator(f"[data-testid=shared-plan] a[href='/plans/new/?citizen={alma.pk}']").click()
    expect(page.locator("#id_coordinator")).to_have_value(str(world.caseworker.pk))
    expect(page.locator("input[name=kind][value=citizen]")).to_be_checked()
    page.fill("#id_title", "Alma trives i skolen")
    page.fill("#id_what_matters", "At Alma har det godt i skolen og en ven at lege med.")
    submit(page)
    expect(page).to_have_url(re.compile(r"/plans/\d+/$"))
    expect(page.locator(".message.success")).to_contain_text("Alma trives i skolen")
    plan = Plan.objects.get(members__citizen=alma, status=Plan.Status.ACTIVE)
    assert plan.coordinator == world.caseworker
    assert plan.version == 1
    expect(page.get_by_test_id("coordinator")).to_have_text("Sara Sand")

    # A goal in Alma's own words: a target date that has passed is refused.
    page.locator(f"[data-testid=plan-goals] a[href='/plans/{plan.pk}/goals/new/']").click()
    page.fill("#id_text", GOAL_TEXT)
    page.select_option("#id_citizen", str(alma.pk))
    page.select_option("#id_formulated_by", "child")
    page.fill("#id_formulated_by_name", "Alma")
    page.fill("#id_target_date", iso(today() - dt.timedelta(days=1)))
    submit(page)
    expect(field_error(page, "id_target_date")).to_contain_text("has passed")
    assert not plan.goals.exists()
    page.fill("#id_target_date", iso(today() + dt.timedelta(days=90)))
    submit(page)
    expect(page.locator(".message.success")).to_be_visible()
    expect(page.get_by_test_id("plan-goals")).to_contain_text(GOAL_TEXT)
    goal = plan.goals.get()
    assert (goal.citizen, goal.formulated_by, goal.formulated_by_name) == (alma, "child", "Alma")

    # An effort from another sector (health), with its legal basis and monthly cost.
    page.locator(f"[data-testid=plan-efforts] a[href='/plans/{plan.pk}/efforts/new/']").click()
    page.fill("#id_title", "Samtaler med sundhedsplejersken")
    page.select_option("#id_citizen", str(alma.pk))
    page.select_option("#id_responsible_unit", str(world.health.pk))
    page.select_option("#id_legal_basis", "sundhedsloven")
    page.fill("#id_legal_reference", "§ 120")
    page.fill("#id_monthly_cost", "1250")
    page.locator(f"input[name=goals][value='{goal.pk}']").check()
    submit(page)
    efforts = page.get_by_test_id("plan-efforts")
    expect(efforts).to_contain_text("Samtaler med sundhedsplejersken")
    expect(efforts).to_contain_text("Sundhedsplejen")
    expect(page.get_by_test_id("plan-cost")).to_be_visible()
    effort = plan.efforts.get()
    assert effort.sector.code == "health"
    assert effort.legal_basis == "sundhedsloven"
    assert effort.monthly_cost == Decimal("1250")
    assert list(effort.goals.all()) == [goal]

    # The class teacher takes part.
    page.locator(f"[data-testid=plan-people] a[href='/plans/{plan.pk}/participants/']").click()
    assignment = RoleAssignment.objects.get(staff=teacher)
    page.select_option("#id_assignment", str(assignment.pk))
    page.fill("#id_role", "Klasselærer")
    submit(page, f"main form[action='/plans/{plan.pk}/participants/']")
    expect(page.locator(".message.success")).to_contain_text("Tom Thy")
    page.locator(f"main a.button[href='/plans/{plan.pk}/']").click()
    expect(page.get_by_test_id("plan-people")).to_contain_text("Tom Thy")
    assert plan.participants.filter(staff=teacher, unit=world.school).exists()

    # A network meeting: without the family it needs a reason; with Alma and her mother.
    page.locator(f"[data-testid=plan-meetings] a[href='/plans/{plan.pk}/meetings/new/']").click()
    page.fill("#id_date", iso(today() + dt.timedelta(days=7)))
    page.fill("#id_time", "14:00")
    page.fill("#id_place", "Bakkeskolen, mødelokale 2")
    page.fill("#id_agenda", "Hvordan går det i frikvartererne?")
    expect(page.locator(f"input[name=staff][value='{world.caseworker.pk}']")).to_be_checked()
    page.locator(f"input[name=staff][value='{teacher.pk}']").check()
    submit(page)
    expect(field_error(page, "id_without_citizen_reason")).to_be_visible()
    assert not plan.meetings.exists()
    page.locator(f"#id_family_{mother.pk}").check()
    page.fill(f"#id_family_{mother.pk}_role", "Mother")
    page.locator(f"#id_family_{alma.pk}").check()
    page.fill(f"#id_family_{alma.pk}_role", "Alma herself")
    submit(page)
    expect(page).to_have_url(re.compile(r"/meetings/\d+/$"))
    expect(page.locator(".message.success")).to_be_visible()
    meeting = plan.meetings.get()
    taking_part = page.locator("main table").first
    for name in ("Mette Jensen", "Alma Jensen", "Tom Thy", "Sara Sand"):
        expect(taking_part).to_contain_text(name)
    family = set(
        meeting.participants.filter(citizen__isnull=False).values_list("citizen_id", "role")
    )
    assert family == {(mother.pk, "Mother"), (alma.pk, "Alma herself")}
    assert meeting.status == Meeting.Status.PLANNED

    # The history: one version per change of the plan (meetings are not versioned).
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.locator(f"[data-testid=plan-version] a[href='/plans/{plan.pk}/versions/']").click()
    versions = page.get_by_test_id("versions").locator("tbody tr")
    expect(versions).to_have_count(4)
    page.locator(f"a[href='/plans/{plan.pk}/versions/1/']").click()
    expect(page.get_by_test_id("plan-goals")).not_to_contain_text(GOAL_TEXT)

    # Two tabs change the same version: the second save is refused, the first is kept.
    edit_url = f"{live_server.url}/plans/{plan.pk}/edit/"
    other_tab = page.context.new_page()
    page.goto(edit_url)
    other_tab.goto(edit_url)
    page.fill("#id_what_matters", "At Alma har en ven, og at mor ved, hvad der sker.")
    submit(page)
    expect(page.locator(".message.success")).to_be_visible()
    other_tab.fill("#id_title", "Almas plan")
    with other_tab.expect_response(lambda r: r.request.method == "POST") as answer:
        submit(other_tab)
    assert answer.value.status == 409
    expect(other_tab.get_by_test_id("form-errors")).to_be_visible()
    expect(other_tab.locator("#id_title")).to_have_value("Almas plan")  # what they typed is kept
    other_tab.close()
    plan.refresh_from_db()
    assert plan.what_matters == "At Alma har en ven, og at mor ved, hvad der sker."
    assert plan.title == "Alma trives i skolen"
    assert plan.version == 5
    page.goto(f"{live_server.url}/plans/{plan.pk}/versions/")
    expect(versions).to_have_count(5)
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    screenshot(page, "caseworker")


def test_a_teacher_logs_a_concern_and_completes_their_action(live_server: Any, page: Any) -> None:
    world = build_world()
    alma = world.alma
    plan = start_plan(world)
    action = action_for(world, plan, world.teacher, "Tale med Alma om frikvartererne hver fredag")
    in_english(page, live_server)
    log_in(page, live_server, "tom")

    # An early concern about a pupil, from the child's page.
    page.locator(".topbar nav a[href='/citizens/']").click()
    page.locator(f"#citizen-results a[href='/citizens/{alma.pk}/']").click()
    page.locator(f"[data-testid=shared-plan] a[href='/concerns/new/?citizen={alma.pk}']").click()
    expect(page.locator("#id_unit")).to_have_value(str(world.school.pk))
    page.fill("#id_observation", "Alma har siddet alene i alle frikvarterer de sidste to uger.")
    page.select_option("#id_category", "wellbeing")
    page.select_option("#id_severity", "medium")
    page.locator("#id_parents_informed").check()
    submit(page)
    expect(page).to_have_url(re.compile(r"/concerns/\d+/$"))
    expect(page.locator(".message.success")).to_be_visible()
    concern = Concern.objects.get(citizen=alma)
    assert concern.raised_by == world.teacher
    assert concern.unit == world.school
    assert (concern.category, concern.severity) == ("wellbeing", "medium")
    assert concern.parents_informed
    assert concern.follow_up_owner == world.teacher
    assert concern.status == Concern.Status.OPEN

    page.locator(".topbar nav a[href='/concerns/']").click()
    raised = page.get_by_test_id("concerns-raised")
    expect(raised).to_contain_text("Alma Jensen")
    expect(raised).to_contain_text("Well-being")
    expect(raised.locator(f"a[href='/concerns/{concern.pk}/']")).to_be_visible()

    # The plan they take part in shows their action among the open ones.
    page.locator(".topbar nav a[href='/plans/']").click()
    page.locator(f"main a[href='/plans/{plan.pk}/']").first.click()
    expect(page.get_by_test_id("plan-meetings")).to_contain_text(action.description)

    # My actions: marked done in place (htmx), and saved.
    page.locator(".topbar nav a[href='/actions/']").click()
    row = page.locator(f"#action-{action.pk}")
    expect(row).to_contain_text(action.description)
    row.locator(f"form[action='/actions/{action.pk}/complete/'] button[type=submit]").click()
    expect(row.locator(f"form[action='/actions/{action.pk}/reopen/']")).to_be_visible()
    action.refresh_from_db()
    assert action.status == Action.Status.DONE
    assert action.done_on == today()
    screenshot(page, "teacher")
    page.reload()
    expect(page.get_by_test_id("my-actions").locator(f"#action-{action.pk}")).to_have_count(1)
    expect(page.get_by_test_id("closed-actions")).to_be_attached()


def test_a_coordinator_records_minutes_and_prints_the_family_summary(
    live_server: Any, page: Any
) -> None:
    world = build_world()
    plan = start_plan(world)
    meeting = meeting_that_has_started(world, plan)
    internal = "INTERNT: mor virker presset; vi overvejer en familiebehandler."
    in_english(page, live_server)
    log_in(page, live_server, "karin")

    page.locator(".topbar nav a[href='/plans/']").click()
    page.locator(f"main a[href='/plans/{plan.pk}/']").first.click()
    page.locator(f"[data-testid=plan-meetings] a[href='/meetings/{meeting.pk}/']").click()
    page.locator(f"main a[href='/meetings/{meeting.pk}/minutes/']").click()

    page.fill("#id_minutes", internal)
    page.fill("#id_family_summary", "Vi talte om, hvordan Alma har det i frikvartererne.")
    page.fill("#id_decisions-0-text", "Alma får en legeven i klassen.")
    page.fill("#id_actions-0-description", "Lave en legeven-ordning i klassen")
    page.select_option("#id_actions-0-owner", str(world.teacher.pk))
    page.select_option("#id_actions-0-decision", "1")
    # A due date in the past is refused, and nothing of the minutes is saved.
    page.fill("#id_actions-0-due_on", iso(today() - dt.timedelta(days=1)))
    submit(page)
    expect(field_error(page, "id_actions-0-due_on")).to_be_visible()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED
    assert not meeting.decisions.exists()
    assert not plan.actions.exists()
    expect(page.locator("#id_minutes")).to_have_value(internal)

    due = today() + dt.timedelta(days=14)
    page.fill("#id_actions-0-due_on", iso(due))
    submit(page)
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting.pk}/$"))
    expect(page.locator(".message.success")).to_be_visible()
    expect(page.get_by_test_id("minutes")).to_contain_text(internal)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    decision = meeting.decisions.get()
    action = meeting.actions.get()
    assert (action.owner, action.due_on, action.decision) == (world.teacher, due, decision)

    # The printable summary for the family: the decision and the action, not the minutes.
    page.locator(f"main a[href='/meetings/{meeting.pk}/summary/']").click()
    summary = page.get_by_test_id("meeting-summary")
    expect(summary).to_contain_text("Alma får en legeven i klassen.")
    expect(summary).to_contain_text("Lave en legeven-ordning i klassen")
    expect(summary).to_contain_text("Tom Thy")
    expect(page.get_by_test_id("family-summary")).to_contain_text("frikvartererne")
    expect(page.locator("main")).not_to_contain_text("INTERNT")
    page.emulate_media(media="print")
    screenshot(page, "coordinator")
    page.emulate_media(media="screen")


def test_a_guardian_reads_the_plan_and_rates_the_collaboration(live_server: Any, page: Any) -> None:
    world = build_world()
    plan = start_plan(world)
    meeting = meeting_that_has_started(world, plan)
    do_record_minutes(
        actor=world.coordinator,
        meeting=meeting,
        minutes="INTERNT: mor virker presset.",
        family_summary="Vi talte om, hvordan Alma har det i frikvartererne.",
        decisions=["Alma får en legeven i klassen."],
        attendance={},
        actions=[new_action("Lave en legeven-ordning i klassen", world.teacher, 14, 1)],
    )
    enable_scales("samarbejde", "cors")
    in_english(page, live_server)
    log_in(page, live_server, "mette")

    # The family page: their plan and their coordinator.
    expect(page).to_have_url(re.compile(r"/familie/$"))
    card = page.locator(f"[data-plan='{plan.pk}']")
    expect(card).to_contain_text("Karin Krogh")
    card.locator(f"a.button[href='/familie/plans/{plan.pk}/']").click()
    expect(page.locator("[data-section=goals]")).to_contain_text(GOAL_TEXT)
    expect(page.locator("[data-coordinator]")).to_contain_text("Karin Krogh")
    expect(page.locator("[data-section=actions]")).to_contain_text("Lave en legeven-ordning")
    expect(page.locator("main")).not_to_contain_text("INTERNT")

    # The meeting summary, in plain language, without the minutes.
    page.locator(f"[data-section=meetings] a[href='/meetings/{meeting.pk}/summary/']").click()
    expect(page.get_by_test_id("meeting-summary")).to_contain_text("Alma får en legeven i klassen.")
    expect(page.locator("main")).not_to_contain_text("INTERNT")
    page.go_back()

    # Rating the collaboration: a score above 10 is refused and nothing is saved.
    page.locator("[data-rate]").click()
    form = page.locator("main form[method=post]")
    expect(form).to_have_attribute("action", re.compile(r"scale=samarbejde"))
    expect(page.locator("#id_given_by")).to_have_value("Mette")
    for position, score in enumerate(["11", "8", "9", "7"], 1):
        page.fill(f"#id_item_{position}", score)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        submit(page)
    assert answer.value.status == 400
    expect(field_error(page, "id_item_1")).to_contain_text("from 0 to 10")
    assert not Rating.objects.exists()

    page.fill("#id_item_1", "8.5")
    page.fill("#id_comment", "Det er rart, at skolen og kommunen taler sammen.")
    screenshot(page, "guardian")
    submit(page)
    expect(page).to_have_url(re.compile(rf"/feedback/plans/{plan.pk}/$"))
    expect(page.locator(".message.success")).to_be_visible()
    rating = Rating.objects.get()
    assert rating.scale.code == "samarbejde"
    assert (rating.plan, rating.citizen) == (plan, world.alma)
    assert rating.total == Decimal("32.5")
    assert rating.recorded_by is None
    assert rating.given_by == "Mette"
