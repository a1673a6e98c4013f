"""A case worker's day, end to end in a real browser.

She logs in, finds the child she works with, reads the child's page, registers
a new citizen (first with a mistyped CPR number), switches to English, and
browses the organisation.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from helhed.citizens.models import Citizen, FamilyLink
from helhed.organisation.models import Municipality
from helhed.test import PASSWORD, engage, make_citizen, make_staff, make_unit, synthetic_cpr

SCREENSHOT = "/tmp/helhed-browser.png"  # noqa: S108 - a file to look at after the run

pytestmark = [
    pytest.mark.browser,
    # The live server needs real transactions; serialized_rollback brings back
    # the municipalities and code lists the reference-data migration seeded.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def build_world() -> dict[str, Any]:
    assert Municipality.objects.filter(code=230).exists(), "reference data missing"
    root = make_unit("Rudersdal Kommune", unit_type="municipality")
    admin = make_unit("Børn og Skole", parent=root, unit_type="administration")
    school = make_unit("Bakkeskolen", parent=admin, sector="school")
    family = make_unit("Familieafdelingen", parent=admin, sector="social")
    make_staff("Claus", "Krog", unit=admin, role="chief")
    make_staff("Lise", "Lund", unit=school, role="leader")
    make_staff("Tom", "Thy", unit=school, role="teacher")
    caseworker = make_staff("Sara", "Sand", unit=family, role="caseworker", username="sara")
    alma = make_citizen("Alma", "Jensen", current_unit=school)
    mother = make_citizen("Mette", "Jensen", birth_date=dt.date(1984, 3, 2))
    FamilyLink.objects.create(from_citizen=mother, to_citizen=alma, kind=FamilyLink.Kind.GUARDIAN)
    anton = make_citizen("Anton", "Holm", birth_date=dt.date(2012, 2, 3), sex="M")
    engage(alma, staff=caseworker)
    engage(anton, staff=caseworker)
    return {"alma": alma, "school": school}


def test_a_caseworker_finds_a_child_registers_a_citizen_and_browses_the_organisation(
    live_server: Any, page: Any
) -> None:
    world = build_world()
    alma: Citizen = world["alma"]

    # Logging in.
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.fill("#id_username", "sara")
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()

    # Home: her role, and what she can do.
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.locator(".who")).to_have_text("Sara Sand")
    expect(page.locator("ul.roles")).to_contain_text("Familieafdelingen")
    expect(page.locator("[data-capability=citizens]")).to_contain_text("2")

    # Citizens: search narrows the list without a page load (htmx).
    page.locator("[data-capability=citizens] a").click()
    results = page.locator("#citizen-results")
    expect(results).to_contain_text("Anton Holm")
    expect(results).to_contain_text("170514-xxxx")
    page.fill("#id_q", "alma")
    expect(results).not_to_contain_text("Anton Holm")
    expect(results).to_contain_text("Alma Jensen")

    # The child's page: the full CPR number and the guardian.
    results.get_by_role("link", name="Alma Jensen").click()
    expect(page.locator("h1")).to_have_text("Alma Jensen")
    expect(page.get_by_test_id("cpr")).to_have_text(alma.cpr)
    expect(page.get_by_test_id("guardians")).to_have_text("Mette Jensen")

    # Registering: a mistyped CPR number is explained and nothing is saved.
    page.goto(live_server.url + "/citizens/")
    page.locator("a.button[href$='/citizens/register/']").click()
    before = Citizen.objects.count()
    page.fill("#id_cpr", "320416-1234")
    page.fill("#id_first_name", "Emil")
    page.fill("#id_last_name", "Nørgaard")
    page.select_option("#id_current_unit", label="Bakkeskolen")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".field-error")).to_contain_text("gyldig dato")
    assert Citizen.objects.count() == before

    number = synthetic_cpr(dt.date(2016, 4, 12), "M")
    formatted = f"{number[:6]}-{number[6:]}"
    page.fill("#id_cpr", formatted)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/citizens/\d+/$"))
    expect(page.locator(".message.success")).to_contain_text("Emil Nørgaard")
    expect(page.get_by_test_id("cpr")).to_have_text(formatted)
    assert Citizen.objects.count() == before + 1

    # English.
    page.locator(".lang button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".topbar nav")).to_contain_text("Home")
    expect(page.locator("h1")).to_have_text("Emil Nørgaard")  # back on the same page

    # The organisation: sectors in English now, and a search that filters the tree.
    page.locator(".topbar nav a[href='/organisation/']").click()
    tree = page.locator("#tree-results")
    expect(tree).to_contain_text("Familieafdelingen")
    expect(tree.locator("[data-unit] .badge.sector").first).to_be_visible()
    expect(tree).to_contain_text("School")
    expect(tree).to_contain_text("Social services")
    page.fill("#id_q", "bakke")
    expect(tree).not_to_contain_text("Familieafdelingen")
    tree.get_by_role("link", name="Bakkeskolen").click()

    # The unit page: its path, leader, staff and the spans below it.
    expect(page.locator("h1")).to_contain_text("Bakkeskolen")
    expect(page.locator(".breadcrumbs")).to_contain_text("Børn og Skole")
    expect(page.get_by_test_id("leader")).to_contain_text("Lise Lund")
    expect(page.locator("#staff")).to_contain_text("Tom Thy")
    expect(page.locator("table.spans")).to_contain_text("Lise Lund")
    page.screenshot(path=SCREENSHOT, full_page=True)
