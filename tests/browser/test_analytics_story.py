"""Analytics dashboards and benchmarking, end to end in a real browser (issue 7, "Done when").

"A leader in the demo sees dashboards with plots for her units and benchmarks
against comparable municipalities; nothing under 5 is shown anywhere."

The data take the real path: pupils' enrolment and absence days are loaded
into an in-memory observation store over today's unit tree, the engine
computes and suppresses them (``compute_and_publish``), and the pages read
the published cells. Nothing is written to ``Cell`` by hand.

* Lene leads Børn og Skole (Rudersdal), with three schools beneath it; one,
  Lilleskolen, has 3 pupils. She opens Dashboards from the top menu: the
  absence card has a trend plot and its table, and the comparison of her
  schools shows Lilleskolen hidden and Midtskolen hidden with it (otherwise
  Børn og Skole minus Storskolen would give Lilleskolen away). The hidden
  values are nowhere on the page. She chooses the girls: the numbers change.
  She downloads the CSV: the hidden rows have no value.
* The municipal director follows the absence card to benchmarking:
  Rudersdal ranked 2 of 3 among comparable municipalities, with a plot, and
  the schools ranked with the small ones hidden.
* A teacher at Storskolen opens benchmarking too: no schools league table,
  no comparison with other municipalities.

The pages are read in English (the language cookie is set before the first
page load), so the assertions do not depend on the Danish wording.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import expect

from helhed.analytics import store
from helhed.analytics.actions import compute_and_publish, units_from_organisation
from helhed.analytics.models import Cell, Profile
from helhed.lib.validity import today
from helhed.organisation.models import Unit
from helhed.results.periods import Frequency, Period
from helhed.test import PASSWORD, indicator, make_staff, make_unit, municipality

pytestmark = [
    pytest.mark.browser,
    # The live server needs real transactions; serialized_rollback brings back
    # the municipalities, code lists and rating scales the migrations seeded.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ABSENCE = "fravaer-over-10"
RUDERSDAL, LYNGBY, GENTOFTE = 230, 173, 157
BORN_2014 = 2014
SCHOOL_DAYS = 60
ABSENT_DAYS = 7  # 7 of 60 days: over 10 %

# --------------------------------------------------------------------------- the world
#
# Pupils per school and quarter: (girls, absent girls, boys, absent boys).
# Q is the last complete quarter, Q-1 the one before.
#
#                    Q                      Q-1
# Storskolen   20 (8) + 20 (2)        20 (6) + 20 (8)
# Midtskolen   15 (4) + 15 (3)        15 (3) + 15 (3)
# Lilleskolen   2 (1) +  1 (0)         2 (0) +  1 (1)
#
# Absence over 10 %, by hand:
#   Q    everyone  Storskolen 10/40 = 25.0, Midtskolen 7/30 = 23.333, Lilleskolen 1/3 = 33.333,
#                  Børn og Skole (and Rudersdal) 18/73 = 24.658 -> 24.7
#        girls     Storskolen 8/20 = 40.0, Midtskolen 4/15 = 26.667, Lilleskolen 1/2 = 50.0,
#                  Børn og Skole 13/37 = 35.135 -> 35.1
#   Q-1  everyone  Storskolen 14/40 = 35.0, Børn og Skole 21/73 = 28.767 -> 28.8
#        girls     Storskolen 6/20 = 30.0, Børn og Skole 9/37 = 24.324 -> 24.3
# Lilleskolen counts 3 pupils (2 girls): hidden. Midtskolen is hidden with it in
# the same comparisons, or Børn og Skole - Storskolen would give Lilleskolen away.
#
# Comparable municipalities, Q (one school each, at the root):
#   Lyngby-Taarbæk 10/50 = 20.0, Gentofte 6/20 = 30.0; lower is better:
#   1 Lyngby-Taarbæk 20.0, 2 Rudersdal 24.7, 3 Gentofte 30.0.
#   The comparable group: 16/70 = 22.857 -> 22.9; all three: 34/143 = 23.776 -> 23.8.

PUPILS: dict[str, dict[int, tuple[int, int, int, int]]] = {
    "Storskolen": {0: (20, 8, 20, 2), -1: (20, 6, 20, 8)},
    "Midtskolen": {0: (15, 4, 15, 3), -1: (15, 3, 15, 3)},
    "Lilleskolen": {0: (2, 1, 1, 0), -1: (2, 0, 1, 1)},
    "Lyngby Skole": {0: (25, 5, 25, 5)},
    "Gentofte Skole": {0: (10, 3, 10, 3)},
}
# The values the engine hides, as the pages would print them (everyone, then girls).
HIDDEN_EVERYONE = ["23.3", "33.3", "23.333", "33.333"]
HIDDEN_GIRLS = ["26.7", "50.0", "26.667", "50.000"]


@dataclass
class World:
    root: Unit
    admin: Unit
    big: Unit
    middle: Unit
    small: Unit
    quarter: Period


def pupils(school: Unit, code: int, quarter: Period, counts: tuple, first: int) -> list[tuple]:
    """Enrolment (60 days) for each pupil of a quarter, and 7 absence days for the absent ones."""
    girls, absent_girls, boys, absent_boys = counts
    rows: list[tuple] = []
    number = first
    for sex, count, absent in (("F", girls, absent_girls), ("M", boys, absent_boys)):
        for index in range(count):
            person = (number, BORN_2014, sex, str(school.key), code)
            rows.append((*person, quarter.start, "enrolment", SCHOOL_DAYS))
            if index < absent:
                rows += [
                    (*person, quarter.start + dt.timedelta(days=day), "absence_day", 1)
                    for day in range(ABSENT_DAYS)
                ]
            number += 1
    return rows


def build_world() -> World:
    root = make_unit("Rudersdal Kommune", unit_type="municipality")
    admin = make_unit("Børn og Skole", parent=root, unit_type="administration")
    big = make_unit("Storskolen", parent=admin, sector="school")
    middle = make_unit("Midtskolen", parent=admin, sector="school")
    small = make_unit("Lilleskolen", parent=admin, sector="school")
    lyngby = make_unit("Lyngby-Taarbæk Kommune", unit_type="municipality", municipality_code=LYNGBY)
    gentofte = make_unit("Gentofte Kommune", unit_type="municipality", municipality_code=GENTOFTE)
    schools = {
        "Storskolen": big,
        "Midtskolen": middle,
        "Lilleskolen": small,
        "Lyngby Skole": make_unit("Lyngby Skole", parent=lyngby, sector="school"),
        "Gentofte Skole": make_unit("Gentofte Skole", parent=gentofte, sector="school"),
    }
    make_staff("Dorte", "Dahl", unit=root, role="director", username="dorte")
    make_staff("Lene", "Lund", unit=admin, role="leader", username="lene")
    make_staff("Tine", "Thomsen", unit=big, role="teacher", username="tine")
    # Size and social profile: the three are each other's comparables.
    for code, inhabitants, index in (
        (RUDERSDAL, 56_000, "0.80"),
        (LYNGBY, 56_000, "0.85"),
        (GENTOFTE, 75_000, "0.78"),
    ):
        Profile.objects.create(
            municipality=municipality(code), inhabitants=inhabitants, social_index=Decimal(index)
        )
        indicator(ABSENCE, code)  # installs the municipality's catalogue

    quarter = Period.last_complete(today(), Frequency.QUARTERLY)
    rows: list[tuple] = []
    first = 1
    for name, periods in PUPILS.items():
        school = schools[name]
        for back, counts in periods.items():
            rows += pupils(school, school.municipality.code, quarter.shift(back), counts, first)
            first += 100
    connection = store.open_store()
    try:
        store.replace_units(connection, units_from_organisation())
        store.load_rows(connection, rows, "story")
        compute_and_publish(connection, full=True)
    finally:
        connection.close()
    assert Cell.objects.filter(indicator_code=ABSENCE).exists()
    return World(root, admin, big, middle, small, quarter)


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


def in_english_words(period: Period) -> str:
    """The period as the English pages name it ("Q3 2026"), whatever language this thread has."""
    with translation.override("en"):
        return period.label


@contextmanager
def another_browser(browser: Any) -> Iterator[Any]:
    """A second person's own browser (cookies, storage), failing on script errors like ``page``."""
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


def screenshot(page: Any, story: str) -> None:
    path = f"/tmp/analytics-story-{story}.png"  # noqa: S108 - a file to look at after the run
    page.screenshot(path=path, full_page=True)


# Every text a reader or a screen reader gets: the text (SVG labels included)
# and the attributes that carry words or numbers, not the plots' geometry.
READABLE = """() => {
  const out = [document.body.textContent];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const name = attr.name;
      if (name.startsWith("aria-") || name.startsWith("data-") || name === "title"
          || name === "alt" || name === "value" || name === "href") out.push(attr.value);
    }
  }
  return out.join("\\n");
}"""


def readable(page: Any) -> str:
    return str(page.evaluate(READABLE))


def absence_card(page: Any) -> Any:
    return page.locator(f"section[data-indicator='{ABSENCE}']")


def school_row(card: Any, unit: Unit) -> Any:
    return card.get_by_test_id("comparison").locator(f"tbody tr[data-unit='{unit.pk}']")


@dataclass
class Cells:
    """One row of a table: its header and its data cells."""

    th: Any
    td: Any


def cells_of(row: Any) -> Cells:
    return Cells(row.locator("th"), row.locator("td"))


# --------------------------------------------------------------------------- the stories


def test_a_leader_sees_her_schools_with_the_small_one_hidden(live_server: Any, page: Any) -> None:
    world = build_world()
    quarter, before = world.quarter, world.quarter.shift(-1)
    in_english(page, live_server)
    log_in(page, live_server, "lene")

    # Dashboards from the top menu open on her own unit.
    page.locator(".topbar nav a[href='/analytics/']").click()
    expect(page.locator("h1")).to_contain_text("Børn og Skole")
    expect(page.get_by_test_id("breadcrumbs")).to_contain_text("Rudersdal Kommune")
    expect(page.get_by_test_id("selection")).to_contain_text("Everyone")
    expect(page.get_by_test_id("selection")).to_contain_text(in_english_words(quarter))

    # The absence card: a trend plot with its accessible name, the same numbers beside it.
    card = absence_card(page)
    trend = card.get_by_test_id("trend")
    plot = trend.locator("svg[role=img]")
    expect(plot).to_be_visible()
    expect(plot).to_have_attribute("aria-label", re.compile(r"Børn og Skole \(Everyone\)"))
    series = trend.locator("tbody tr")
    newest = cells_of(series.nth(0))
    expect(newest.th).to_have_text(in_english_words(quarter).replace(" ", "\u00a0"))
    expect(newest.td.nth(0)).to_have_text("24.7")
    expect(newest.td.nth(2)).to_have_text("73")
    older = cells_of(series.nth(1))
    expect(older.th).to_have_text(in_english_words(before).replace(" ", "\u00a0"))
    expect(older.td.nth(0)).to_have_text("28.8")

    # Her schools compared: Storskolen shown; Lilleskolen (3 pupils) hidden, and
    # Midtskolen hidden with it, without their numbers or persons.
    comparison = card.get_by_test_id("comparison")
    expect(comparison.locator("svg[role=img]")).to_be_visible()
    expect(comparison.locator("h3")).to_contain_text(in_english_words(quarter))
    big = cells_of(school_row(card, world.big))
    expect(big.td.nth(0)).to_have_text("25.0")
    expect(big.td.nth(2)).to_have_text("40")
    small = school_row(card, world.small)
    expect(small).to_have_attribute("data-hidden", "true")
    expect(small.locator("td").nth(0)).to_have_text("hidden (fewer than 5)")
    expect(small.locator("td").nth(2)).to_have_text("")
    middle = school_row(card, world.middle)
    expect(middle).to_have_attribute("data-hidden", "true")
    expect(middle.locator("td").nth(0)).to_have_text(
        "hidden (so a number under 5 cannot be worked out)"
    )
    expect(middle.locator("td").nth(2)).to_have_text("")
    text = readable(page)
    for shown in ("24.7", "28.8", "25.0"):
        assert shown in text, shown
    for hidden in HIDDEN_EVERYONE:
        assert hidden not in text, f"{hidden} is on the page"
    screenshot(page, "leader")

    # The girls: other numbers, the same schools hidden.
    page.get_by_test_id("filters").get_by_label("Group").select_option(label="Female")
    page.get_by_test_id("filters").get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"group=sex%3AF"))
    expect(page.get_by_test_id("selection")).to_contain_text("Female")
    card = absence_card(page)
    expect(card.get_by_test_id("trend").locator("svg[role=img]")).to_have_attribute(
        "aria-label", re.compile(r"\(Female\)")
    )
    series = card.get_by_test_id("trend").locator("tbody tr")
    expect(series.nth(0).locator("td").nth(0)).to_have_text("35.1")
    expect(series.nth(0).locator("td").nth(2)).to_have_text("37")
    expect(card.get_by_test_id("trend")).to_contain_text("24.3")
    expect(school_row(card, world.big).locator("td").nth(0)).to_have_text("40.0")
    expect(school_row(card, world.small)).to_have_attribute("data-hidden", "true")
    expect(school_row(card, world.middle)).to_have_attribute("data-hidden", "true")
    text = readable(page)
    for hidden in HIDDEN_EVERYONE + HIDDEN_GIRLS:
        assert hidden not in text, f"{hidden} is on the page"
    screenshot(page, "leader-girls")

    # The file holds the same selection: the hidden rows say why, never what.
    with page.expect_download() as download_info:
        page.get_by_test_id("exports").get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    content = Path(download.path()).read_bytes().decode("utf-8-sig")
    for hidden in HIDDEN_EVERYONE + HIDDEN_GIRLS:
        assert hidden not in content, f"{hidden} is in the file"
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))[1:]
    absence = {(row[0], row[3]): row for row in rows if row[1] == ABSENCE}
    assert absence[("Børn og Skole", quarter.code)][4:7] == ["Female", "35.135", "37"]
    assert absence[("Storskolen", quarter.code)][5:7] == ["40.000", "20"]
    assert absence[("Storskolen", before.code)][5:7] == ["30.000", "20"]
    for school in ("Lilleskolen", "Midtskolen"):
        for period in (quarter, before):
            _unit, _code, _name, _period, group, value, persons, why = absence[
                (school, period.code)
            ]
            assert (group, value, persons) == ("Female", "", ""), (school, period.code)
            assert why.startswith("hidden"), (school, period.code)


def test_the_director_benchmarks_and_a_teacher_gets_no_league_table(
    live_server: Any, page: Any, browser: Any
) -> None:
    build_world()
    in_english(page, live_server)
    log_in(page, live_server, "dorte")

    # From the municipality's absence card to benchmarking, for the same quarter.
    page.locator(".topbar nav a[href='/analytics/']").click()
    expect(page.locator("h1")).to_contain_text("Rudersdal Kommune")
    absence_card(page).get_by_test_id("benchmark-indicator").click()
    expect(page).to_have_url(re.compile(rf"/analytics/benchmark/\?indicator={ABSENCE}"))
    expect(page.locator("h1")).to_have_text("Benchmarking")

    # Rudersdal among the comparable municipalities, lower is better.
    section = page.get_by_test_id("municipality")
    expect(section.get_by_test_id("rank")).to_contain_text("Rank 2 of 3")
    expect(section.get_by_test_id("rank")).to_contain_text("1 is best; lower is better.")
    plot = section.locator("svg[role=img]")
    expect(plot).to_be_visible()
    expect(plot).to_have_attribute(
        "aria-label", re.compile("Rudersdal beside comparable municipalities")
    )
    table = section.get_by_test_id("benchmark-table").locator("tbody tr")
    expect(table).to_have_count(5)
    expected = [
        ("1", "Lyngby-Taarbæk", "20.0"),
        ("2", "Rudersdal", "24.7"),
        ("3", "Gentofte", "30.0"),
        ("", "Comparable municipalities (2)", "22.9"),
        ("", "All municipalities in the data (3)", "23.8"),
    ]
    for index, (rank, name, value) in enumerate(expected):
        row = table.nth(index)
        expect(row.get_by_test_id("rank-cell")).to_have_text(rank)
        expect(row.locator("th")).to_contain_text(name)
        expect(row.get_by_test_id("value")).to_have_text(value)
    expect(table.nth(1)).to_have_attribute("data-self", "true")

    # The schools ranked; the small one and its sibling hidden, not ranked.
    schools = page.get_by_test_id("schools").get_by_test_id("benchmark-table").locator("tbody tr")
    expect(schools).to_have_count(3)
    expect(schools.nth(0).get_by_test_id("rank-cell")).to_have_text("1")
    expect(schools.nth(0).locator("th")).to_have_text("Storskolen")
    expect(schools.nth(0).get_by_test_id("value")).to_have_text("25.0")
    for index, name in ((1, "Lilleskolen"), (2, "Midtskolen")):
        expect(schools.nth(index).locator("th")).to_have_text(name)
        expect(schools.nth(index).get_by_test_id("rank-cell")).to_have_text("")
        expect(schools.nth(index).get_by_test_id("hidden")).to_be_visible()
    text = readable(page)
    for hidden in HIDDEN_EVERYONE:
        assert hidden not in text, f"{hidden} is on the page"
    screenshot(page, "director-benchmark")

    # A teacher at Storskolen: her school's dashboard, but no league table of schools.
    with another_browser(browser) as teacher:
        in_english(teacher, live_server)
        log_in(teacher, live_server, "tine")
        teacher.locator(".topbar nav a[href='/analytics/']").click()
        expect(teacher.locator("h1")).to_contain_text("Storskolen")
        absence_card(teacher).get_by_test_id("benchmark-indicator").click()
        expect(teacher.locator("h1")).to_have_text("Benchmarking")
        expect(teacher.get_by_test_id("schools-not-for-you")).to_be_visible()
        expect(teacher.get_by_test_id("not-for-you")).to_be_visible()
        expect(teacher.get_by_test_id("benchmark-table")).to_have_count(0)
        for name in ("Midtskolen", "Lilleskolen", "Lyngby-Taarbæk"):
            expect(teacher.locator("main")).not_to_contain_text(name)
        screenshot(teacher, "teacher-benchmark")
