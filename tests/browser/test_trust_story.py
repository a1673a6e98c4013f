"""Trust, end to end in a real browser (issue 8): access that is earned, logged and seen.

* Vera, a case worker on call, cannot open Alma, a child she does not work
  with: the page is "not found". She breaks the glass from "Emergency access"
  in the menu: a reason that is too short is refused (and the CPR number is
  asked for again, never echoed), a proper one opens Alma's page with the
  banner that the access is logged and reviewed.
* Her leader opens the review of unusual access from his home page and finds
  the break-the-glass look-up with Vera's name and reason, and the child as a
  number only: her name is nowhere on the page.
* Alma's mother, with her family login, opens "Who has looked at our data"
  from the menu and sees Vera's look-up marked as emergency access, with the
  reason.
* Alma was referred to PPR on her mother's consent, and PPR's psychologist
  has her page open. The mother withdraws the consent on "Your consents";
  the psychologist's next look at the same page is "not found".

The lockout after repeated failed logins has its own story in
``test_two_factor_story.py``.

Each person has a browser of their own. The pages are read in English (the
language cookie is set before the first page load), so the assertions do not
depend on the Danish wording; text a person typed is stored as typed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from django.utils import dateformat, translation
from playwright.sync_api import expect

from helhed.citizens.models import Citizen, Consent, Engagement, FamilyLink
from helhed.lib.validity import today
from helhed.organisation.models import Municipality
from helhed.plans.actions.referrals import do_accept_referral, do_send_referral
from helhed.plans.models import LegalBasis
from helhed.test import (
    PASSWORD,
    engage,
    give_emergency_role,
    make_citizen,
    make_consent,
    make_family_login,
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


# What Vera writes: no name, no CPR number (the form refuses one in the reason).
REASON = "Politiet ringede i nat: barnet er alene hjemme og skal have hjælp med det samme"
TOO_SHORT = "Akut"
CONSENT_PURPOSE = "Samarbejde mellem skole og PPR om læsning"
# Django's own 404 page (no 404.html in the project): the same answer whether
# the citizen does not exist or may not be seen.
NOT_FOUND = "Not Found"


@dataclass
class World:
    alma: Citizen
    consent: Consent  # the mother's, which PPR's access rests on


def build_world() -> World:
    assert Municipality.objects.filter(code=230).exists(), "reference data missing"
    root = make_unit("Rudersdal Kommune", unit_type="municipality")
    admin = make_unit("Børn og Skole", parent=root, unit_type="administration")
    school = make_unit("Bakkeskolen", parent=admin, sector="school")
    family_dept = make_unit("Familieafdelingen", parent=admin, sector="social")
    ppr = make_unit("PPR Rudersdal", parent=admin, sector="ppr")
    make_staff("Lars", "Lind", unit=family_dept, role="leader", username="lars")
    caseworker = make_staff("Sara", "Sand", unit=family_dept, role="caseworker", username="sara")
    on_call = make_staff("Vera", "Vang", username="vera")
    give_emergency_role(on_call, family_dept)
    teacher = make_staff("Tom", "Thy", unit=school, role="teacher", username="tom")
    psychologist = make_staff("Pia", "Prahl", unit=ppr, role="psychologist", username="pia")

    alma = make_citizen("Alma", "Jensen", current_unit=school)
    mother = make_citizen("Mette", "Jensen", birth_date=dt.date(1984, 3, 2))
    FamilyLink.objects.create(from_citizen=mother, to_citizen=alma, kind=FamilyLink.Kind.GUARDIAN)
    make_family_login(mother, "mette")
    # Alma's own case worker and her school see her on a legal basis.
    engage(alma, staff=caseworker)
    engage(alma, unit=school, kind=Engagement.Kind.TEACHING)
    # PPR sees her only on her mother's consent, through an accepted referral.
    consent = make_consent(
        alma,
        sectors=("school", "ppr"),
        given_by=mother,
        purpose=CONSENT_PURPOSE,
        given_on=today() - dt.timedelta(days=30),
    )
    referral = do_send_referral(
        actor=teacher,
        citizen=alma,
        from_unit=school,
        to_unit=ppr,
        question="Alma læser langsomt. Vi ønsker en vurdering.",
        legal_basis=LegalBasis.CONSENT,
        consent=consent,
    )
    do_accept_referral(actor=psychologist, referral=referral)
    assert Engagement.objects.get(unit=ppr).consent == consent
    return World(alma, consent)


# --------------------------------------------------------------------------- the browser


def warm_up() -> None:
    """Load the URL configuration here, before the first page asks the live server for it.

    The live server runs in a thread of this process and shares the loaded
    URLconf. Loading it imports the whole site, the API and its schema
    included: seconds on a busy machine, which the first page load would
    otherwise spend inside its 10-second timeout.
    """
    reverse("home")


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
def signed_in(browser: Any, live_server: Any, username: str) -> Iterator[Any]:
    """Another person's own browser, signed in, failing on script errors and CSP violations."""
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    violations: list[str] = []
    context.expose_function("helhedCspViolation", lambda text: violations.append(text))
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    in_english(page, live_server)
    log_in(page, live_server, username)
    yield page
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"
    assert not violations, f"Content-Security-Policy violations: {violations}"


def menu_link(page: Any, name: str) -> Any:
    return page.locator(".topbar nav").get_by_role("link", name=name, exact=True)


def expect_not_found(page: Any, response: Any) -> None:
    assert response is not None
    assert response.status == 404
    expect(page.locator("h1")).to_have_text(NOT_FOUND)
    expect(page.locator("body")).not_to_contain_text("Alma")


def screenshot(page: Any, story: str) -> None:
    path = f"/tmp/trust-story-{story}.png"  # noqa: S108 - a file to look at after the run
    page.screenshot(path=path, full_page=True)


def in_english_date(day: dt.date) -> str:
    """A date as the English pages write it ("5 Mar 2026"), whatever this thread's language."""
    with translation.override("en"):
        return dateformat.format(day, "j M Y")


# --------------------------------------------------------------------------- the stories


def test_emergency_access_is_logged_reviewed_and_shown_and_a_withdrawn_consent_closes_access(
    live_server: Any, page: Any, browser: Any
) -> None:
    world = build_world()
    alma = world.alma
    alma_url = f"{live_server.url}/citizens/{alma.pk}/"
    cpr = alma.cpr
    assert cpr

    # ------------------------------------------------ 1. Vera, on call, breaks the glass
    warm_up()
    in_english(page, live_server)
    log_in(page, live_server, "vera")

    # A child she does not work with: not found, the same as a child who does not exist.
    expect_not_found(page, page.goto(alma_url))

    page.goto(live_server.url + "/")
    menu_link(page, "Emergency access").click()
    expect(page).to_have_url(re.compile(r"/citizens/emergency/$"))
    expect(page.locator("h1")).to_have_text("Emergency access")
    expect(page.locator("main")).to_contain_text("your leader reviews them")

    # A reason too short to be reviewed is refused, and nothing opens.
    page.get_by_label("CPR number", exact=True).fill(cpr)
    page.get_by_label("Reason", exact=True).fill(TOO_SHORT)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Open the citizen").click()
    assert answer.value.status == 400
    expect(page.locator(".field-error")).to_have_text(
        "State the reason in at least 15 characters: your leader reviews it."
    )
    # The CPR number never travels back to the browser: it is asked for again.
    expect(page.get_by_label("CPR number", exact=True)).to_have_value("")
    assert cpr not in page.content()
    assert not Engagement.objects.filter(kind=Engagement.Kind.EMERGENCY).exists()

    # A proper reason opens the child's page, with the banner that says it is logged.
    page.get_by_label("CPR number", exact=True).fill(cpr)
    page.get_by_label("Reason", exact=True).fill(REASON)
    page.get_by_role("button", name="Open the citizen").click()
    expect(page).to_have_url(re.compile(rf"/citizens/{alma.pk}/$"))
    expect(page.locator("h1")).to_have_text("Alma Jensen")
    expect(page.get_by_test_id("emergency-banner")).to_have_text(
        "Emergency access: logged and reviewed by your leader"
    )
    expect(page.locator(".message.warning")).to_have_text(
        "You have emergency access to Alma Jensen for the rest of today. Your leader reviews it."
    )
    expect(page.get_by_test_id("cpr")).to_have_text(cpr)
    screenshot(page, "emergency")

    # ------------------------------------------------ 2. Her leader reviews it
    with signed_in(browser, live_server, "lars") as leader:
        leader.locator("[data-capability=review-access] a").click()
        expect(leader).to_have_url(re.compile(r"/audit/review/$"))
        expect(leader.locator("h1")).to_have_text("Review of unusual access")
        glass = leader.get_by_test_id("break-glass")
        opened = glass.locator("tbody tr[data-break-glass=true]").filter(
            has_text="Opened in an emergency (break the glass)"
        )
        expect(opened).to_have_count(1)
        expect(opened).to_contain_text("Vera Vang")
        expect(opened).to_contain_text("Break the glass")
        expect(opened).to_contain_text(REASON)
        expect(opened).to_contain_text(f"Citizen no. {alma.pk}")
        # Reading her page is on the list too, with the same reason.
        looked = glass.locator("tbody tr[data-break-glass=true]").filter(has_text="Looked at")
        expect(looked.first).to_contain_text("Vera Vang")
        expect(looked.first).to_contain_text(REASON)
        # The child is a number only: neither her name nor her CPR number anywhere.
        html = leader.content()
        for secret in ("Alma", "Jensen", cpr, cpr.replace("-", "")):
            assert secret not in html, f"{secret!r} is on the leader's review"
        screenshot(leader, "review")

    # ------------------------------------------------ 3 and 4. The mother, and PPR
    with (
        signed_in(browser, live_server, "pia") as psychologist,
        signed_in(browser, live_server, "mette") as mother,
    ):
        # PPR has Alma's page open, on the consent.
        response = psychologist.goto(alma_url)
        assert response is not None and response.status == 200
        expect(psychologist.locator("h1")).to_have_text("Alma Jensen")

        # Who has looked at our data: Vera's look-up, marked as emergency access, and why.
        menu_link(mother, "Who has looked at our data").click()
        expect(mother).to_have_url(re.compile(r"/audit/mine/$"))
        expect(mother.locator("h1")).to_have_text("Who has looked at our data")
        entries = mother.get_by_test_id("insight-entries")
        opened = entries.locator("tbody tr[data-break-glass=true]").filter(
            has_text="Opened in an emergency (break the glass)"
        )
        expect(opened).to_have_count(1)
        expect(opened).to_contain_text("Vera Vang")
        expect(opened).to_contain_text("Familieafdelingen")
        expect(opened).to_contain_text("Alma Jensen")
        expect(opened).to_contain_text("Emergency access (break the glass)")
        expect(opened).to_contain_text(REASON)
        # PPR's look-up a moment ago is there too, as an ordinary one.
        ppr = entries.locator("tbody tr").filter(has_text="Pia Prahl").first
        expect(ppr).to_contain_text("PPR Rudersdal")
        expect(ppr).not_to_have_attribute("data-break-glass", "true")
        screenshot(mother, "insight")

        # Your consents: she withdraws the one PPR's access rests on.
        menu_link(mother, "Your consents").click()
        expect(mother).to_have_url(re.compile(r"/citizens/family/consents/$"))
        expect(mother.locator("h1")).to_have_text("Your consents")
        row = mother.locator(f"tr[data-consent='{world.consent.pk}']")
        expect(row).to_contain_text(CONSENT_PURPOSE)
        expect(row).to_contain_text("Active")
        row.get_by_role("button", name="Withdraw").click()
        expect(mother).to_have_url(re.compile(r"/citizens/family/consents/$"))
        expect(mother.locator(".message.success")).to_have_text(
            "The consent is withdrawn. From today nobody can share data on the basis of it."
        )
        expect(row).to_contain_text(f"Withdrawn {in_english_date(today())}")
        expect(row.get_by_role("button", name="Withdraw")).to_have_count(0)
        world.consent.refresh_from_db()
        assert world.consent.withdrawn_on == today()

        # The same page, opened again in the psychologist's running session: gone.
        expect_not_found(psychologist, psychologist.reload())
        psychologist.goto(live_server.url + "/citizens/")
        expect(psychologist.locator("main")).not_to_contain_text("Alma Jensen")
