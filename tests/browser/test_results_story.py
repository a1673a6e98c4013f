"""Results-based leadership, end to end in a real browser (issue 6, "Done when").

* The chief of Børn og Skole opens Results from the top menu and her
  administration's page: its quality marker with both indicators, their
  red/amber/green status, value, target and plot; the municipality two levels
  up; the area and its schools two levels down. She drills down to
  Bakkeskolen, whose own target override is shown as its own and the
  municipality's target as inherited, and whose team's small numbers are
  suppressed.
* The chief opens the committee's quarterly status report from "Waiting for
  you", is refused submitting it without the marker's narrative, writes the
  narrative (saved in place), and submits. The municipal director, in a
  browser of her own, approves it and downloads the PDF: the committee, the
  marker, the narrative and the frozen numbers, no draft warning. A value
  changed after the approval shows on the unit page, never in the report.

The pages are read in English (the language cookie is set before the first
page load), so the assertions do not depend on the Danish wording.
"""

from __future__ import annotations

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
from pypdf import PdfReader

from helhed.lib.validity import today
from helhed.organisation.models import Municipality, Staff, Unit
from helhed.results.models import (
    Committee,
    Indicator,
    Marker,
    Measurement,
    ReportNarrative,
    StatusReport,
)
from helhed.results.pdf import pdf_filename
from helhed.results.periods import Frequency, Period
from helhed.test import (
    PASSWORD,
    indicator,
    make_ambition,
    make_committee,
    make_marker,
    make_staff,
    make_unit,
    record_value,
    set_target,
)

pytestmark = [
    pytest.mark.browser,
    # The live server needs real transactions; serialized_rollback brings back
    # the municipalities, code lists and rating scales the migrations seeded.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


# --------------------------------------------------------------------------- the world


MARKER_TITLE = "Eleverne er i skole og klarer afgangsprøverne"
NARRATIVE = (
    "Fraværet i Børn og Skole er faldet to kvartaler i træk, men ligger stadig over målet. "
    "Skovskolen har taget imod fraværsteamet, og vi følger op på Bakkeskolens eget mål."
)

# The latest value of each unit, and how much higher it was each period before
# (a quarter for absence, a year for the grades). Absence: lower is better, target
# 10 for the municipality and 8 at Bakkeskolen; grades: higher is better,
# target 90 everywhere (inherited). The statuses are mixed on purpose:
#   absence  Rudersdal 9.5 green, Børn og Skole 10.8 amber, Nord 12.4 red,
#            Bakkeskolen 8.5 amber (green against the inherited 10), Skovskolen 9.2 green
#   grades   Rudersdal 88 amber, Børn og Skole 80 red, Nord 84 amber,
#            Bakkeskolen 92 green, Skovskolen 76 red
ABSENCE = {
    "Rudersdal Kommune": ("9.5", "0.2"),
    "Børn og Skole": ("10.8", "0.3"),
    "Skoleområde Nord": ("12.4", "-0.2"),
    "Bakkeskolen": ("8.5", "0.1"),
    "Skovskolen": ("9.2", "0.4"),
    "Indskolingen": ("8.0", "0.1"),
}
GRADES = {
    "Rudersdal Kommune": ("88.0", "-1.0"),
    "Børn og Skole": ("80.0", "-2.0"),
    "Skoleområde Nord": ("84.0", "1.0"),
    "Bakkeskolen": ("92.0", "-1.5"),
    "Skovskolen": ("76.0", "-0.5"),
}
PDF_COPY = "/tmp/results-story-report.pdf"  # noqa: S108 - a file to look at after the run
TEAM_PERSONS = 4  # fewer than five pupils: the team's values are never shown


@dataclass
class World:
    root: Unit
    admin: Unit
    area: Unit
    bakkeskolen: Unit
    skovskolen: Unit
    team: Unit
    director: Staff
    chief: Staff
    leader: Staff
    committee: Committee
    marker: Marker
    absence: Indicator
    grades: Indicator
    quarter: Period
    report: StatusReport


def build_world() -> World:
    assert Municipality.objects.filter(code=230).exists(), "reference data missing"
    root = make_unit("Rudersdal Kommune", unit_type="municipality")
    admin = make_unit("Børn og Skole", parent=root, unit_type="administration")
    area = make_unit("Skoleområde Nord", parent=admin, unit_type="area")
    bakkeskolen = make_unit("Bakkeskolen", parent=area, sector="school")
    skovskolen = make_unit("Skovskolen", parent=area, sector="school")
    team = make_unit("Indskolingen", parent=bakkeskolen, unit_type="team", sector="school")
    director = make_staff("Dorte", "Dahl", unit=root, role="director", username="dorte")
    chief = make_staff("Claus", "Krog", unit=admin, role="chief", username="claus")
    leader = make_staff("Lise", "Lund", unit=bakkeskolen, role="leader", username="lise")

    quarter = Period.last_complete(today(), Frequency.QUARTERLY)
    committee = make_committee("Børne- og Skoleudvalget")
    ambition = make_ambition(
        committee=committee,
        owner=chief,
        units=[admin],
        title="Alle børn lærer mere",
        first_year=quarter.year - 4,
        last_year=quarter.year + 4,
    )
    absence = indicator("fravaer-over-10")
    grades = indicator("karakter-02-dansk-matematik")
    assert (absence.frequency, grades.frequency) == (Frequency.QUARTERLY, Frequency.YEARLY)
    marker = make_marker(ambition, owner=chief, indicators=[absence, grades], title=MARKER_TITLE)

    first_year = str(quarter.year - 5)
    set_target(absence, root, 10, applies_from=first_year)
    set_target(grades, root, 90, applies_from=first_year)
    set_target(absence, bakkeskolen, 8, applies_from=first_year)

    units = {u.name: u for u in (root, admin, area, bakkeskolen, skovskolen, team)}
    year = Period.containing(quarter.end, Frequency.YEARLY)
    for values, ind, latest_period, count in (
        (ABSENCE, absence, quarter, 8),
        (GRADES, grades, year, 5),
    ):
        for name, (latest, step) in values.items():
            persons = TEAM_PERSONS if units[name] == team else 60
            for back in range(count):
                value = Decimal(latest) + Decimal(step) * back
                period = latest_period.shift(-back).code
                record_value(ind, units[name], period, str(value), persons=persons)

    report = StatusReport.objects.create(
        committee=committee, period=quarter.code, due_on=today() + dt.timedelta(days=21)
    )
    return World(
        root=root,
        admin=admin,
        area=area,
        bakkeskolen=bakkeskolen,
        skovskolen=skovskolen,
        team=team,
        director=director,
        chief=chief,
        leader=leader,
        committee=committee,
        marker=marker,
        absence=absence,
        grades=grades,
        quarter=quarter,
        report=report,
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


@contextmanager
def another_browser(browser: Any) -> Iterator[Any]:
    """A second person's own browser (cookies, storage), failing on script errors like ``page``."""
    context = browser.new_context(
        locale="da-DK", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


def in_english_words(period: Period) -> str:
    """The period as the English pages name it ("Q3 2026"), whatever language this thread has."""
    with translation.override("en"):
        return period.label


def screenshot(page: Any, story: str) -> None:
    path = f"/tmp/results-story-{story}.png"  # noqa: S108 - a file to look at after the run
    page.screenshot(path=path, full_page=True)


def indicator_card(page: Any, ind: Indicator) -> Any:
    """The indicator's card in the unit's own section."""
    return page.get_by_test_id("own").locator(f"article[data-indicator='{ind.pk}']")


def report_row(page: Any, marker: Marker, ind: Indicator) -> Any:
    """The indicator's row in the marker's table of the report."""
    table = page.get_by_test_id(f"indicators-{marker.pk}")
    return table.locator("tbody tr", has_text=ind.name)


def pdf_text(data: bytes) -> str:
    """The PDF's text with its line breaks folded, as a reader would read it."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


# --------------------------------------------------------------------------- the stories


def test_a_chief_follows_her_administration_two_levels_up_and_down(
    live_server: Any, page: Any
) -> None:
    world = build_world()
    absence, grades = world.absence, world.grades
    in_english(page, live_server)
    log_in(page, live_server, "claus")

    # Results from the top menu, then her own administration.
    page.locator(".topbar nav a[href='/results/']").click()
    expect(page.locator("h1")).to_have_text("Results")
    expect(page.get_by_test_id("my-markers")).to_contain_text(MARKER_TITLE)
    page.get_by_test_id("my-units").locator(f"a[href='/results/units/{world.admin.pk}/']").click()
    expect(page.locator("h1")).to_contain_text("Børn og Skole")
    expect(page.get_by_test_id("period")).to_contain_text(in_english_words(world.quarter))

    # Her own unit: the marker, both indicators, value, target, status in words, and a plot.
    own = page.get_by_test_id("own")
    expect(own).to_contain_text("Alle børn lærer mere")
    expect(own).to_contain_text(MARKER_TITLE)
    expect(own).to_contain_text("Claus Krog")
    card = indicator_card(page, absence)
    expect(card.locator("h5")).to_have_text(absence.name)
    expect(card.get_by_test_id("value")).to_contain_text("10.8 %")
    expect(card.get_by_test_id("target")).to_contain_text("10.0 %")
    expect(card.get_by_test_id("inherited")).to_contain_text("Rudersdal Kommune")
    expect(card.locator("[data-rag=amber]")).to_have_text("Close to target")
    expect(card.locator("svg[role=img]")).to_be_visible()
    expect(card.locator("svg[role=img]")).to_have_attribute("aria-label", re.compile("Trend of"))
    # The plot's numbers, in a table beside it.
    card.locator("details summary").click()
    expect(card.locator("details table")).to_contain_text(in_english_words(world.quarter))
    expect(card.locator("details table")).to_contain_text("10.8")
    card = indicator_card(page, grades)
    expect(card.locator("h5")).to_have_text(grades.name)
    expect(card.get_by_test_id("value")).to_contain_text("80.0 %")
    expect(card.locator("[data-rag=red]")).to_have_text("Off target")
    expect(card.locator("svg[role=img]")).to_be_visible()

    # Two levels up: only the municipality is above an administration.
    up = page.get_by_test_id("up")
    expect(up.locator("thead")).to_contain_text("Rudersdal Kommune")
    root_cell = up.locator("tbody tr", has_text=absence.name).locator("td").first
    expect(root_cell).to_contain_text("9.5")
    expect(root_cell.locator("[data-rag=green]")).to_have_text("On target")

    # Two levels down: the area and its schools, not the team three levels down.
    down = page.get_by_test_id("down")
    expect(down.locator(f"tr.level-1[data-unit='{world.area.pk}']")).to_contain_text(
        "Skoleområde Nord"
    )
    for school in (world.bakkeskolen, world.skovskolen):
        expect(down.locator(f"tr.level-2[data-unit='{school.pk}']")).to_contain_text(school.name)
    expect(down.locator(f"tr[data-unit='{world.team.pk}']")).to_have_count(0)
    skovskolen = down.locator(f"tr[data-unit='{world.skovskolen.pk}'] td")
    expect(skovskolen.nth(0).locator("[data-rag=green]")).to_be_visible()
    expect(skovskolen.nth(1).locator("[data-rag=red]")).to_be_visible()
    # Bakkeskolen's absence is judged against its own, stricter target.
    bakkeskolen = down.locator(f"tr[data-unit='{world.bakkeskolen.pk}'] td")
    expect(bakkeskolen.nth(0)).to_contain_text("8.5")
    expect(bakkeskolen.nth(0).locator("[data-rag=amber]")).to_be_visible()
    screenshot(page, "unit")

    # Drill-down to a school.
    down.locator(f"tr[data-unit='{world.bakkeskolen.pk}'] th a").click()
    expect(page).to_have_url(re.compile(rf"/results/units/{world.bakkeskolen.pk}/\?period="))
    expect(page.locator("h1")).to_contain_text("Bakkeskolen")
    breadcrumbs = page.get_by_test_id("breadcrumbs")
    for name in ("Rudersdal Kommune", "Børn og Skole", "Skoleområde Nord"):
        expect(breadcrumbs).to_contain_text(name)
    expect(page.get_by_test_id("own")).to_contain_text(MARKER_TITLE)
    card = indicator_card(page, absence)
    expect(card.get_by_test_id("value")).to_contain_text("8.5 %")
    expect(card.get_by_test_id("target")).to_contain_text("8.0 %")
    expect(card.get_by_test_id("inherited")).to_have_count(0)
    expect(card.locator("[data-rag=amber]")).to_be_visible()
    card = indicator_card(page, grades)
    expect(card.get_by_test_id("target")).to_contain_text("90.0 %")
    expect(card.get_by_test_id("inherited")).to_have_text("inherited from Rudersdal Kommune")
    expect(card.locator("[data-rag=green]")).to_be_visible()
    # Two levels up from a school: the area and the administration, not the municipality.
    up = page.get_by_test_id("up").locator("thead")
    expect(up).to_contain_text("Skoleområde Nord")
    expect(up).to_contain_text("Børn og Skole")
    expect(up).not_to_contain_text("Rudersdal Kommune")
    # The team beneath it counts fewer than five pupils: its value is not shown.
    team = page.get_by_test_id("down").locator(f"tr[data-unit='{world.team.pk}']")
    expect(team).to_contain_text("Indskolingen")
    expect(team.locator("td").first.locator("[data-value]")).to_have_text("–")
    screenshot(page, "school")


def test_a_chief_submits_the_status_report_and_the_director_approves_it(
    live_server: Any, page: Any, browser: Any
) -> None:
    world = build_world()
    report, marker, absence = world.report, world.marker, world.absence
    report_path = f"/results/reports/{report.pk}/"
    in_english(page, live_server)
    log_in(page, live_server, "claus")

    # "Waiting for you" on her home page leads to the draft.
    waiting = page.get_by_test_id("attention").locator("[data-attention=reports-submit]")
    expect(waiting).to_contain_text("1 status report to write and submit")
    waiting.locator("a").click()
    expect(page).to_have_url(re.compile(r"/results/reports/\?status=draft$"))
    listed = page.get_by_test_id("report-list")
    expect(listed).to_contain_text(in_english_words(world.quarter))
    listed.locator(f"a[href='{report_path}']").click()
    expect(page.locator("h1")).to_contain_text("Børne- og Skoleudvalget")
    expect(page.get_by_test_id("report-status")).to_have_text("Draft")
    expect(page.locator("main")).to_contain_text("DRAFT – not approved")
    expect(report_row(page, marker, absence)).to_contain_text("10.8")
    expect(report_row(page, marker, absence).locator(".badge")).to_have_text("Close to target")
    expect(
        page.get_by_test_id(f"plot-{absence.pk}-{world.admin.pk}").locator("svg")
    ).to_be_visible()

    # Submitting without the marker's narrative is refused, and nothing changes.
    submit_button = page.locator(f"form[action='{report_path}submit/'] button[type=submit]")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        submit_button.click()
    assert answer.value.status == 422
    expect(page.get_by_test_id("report-error")).to_contain_text("Write a narrative")
    expect(page.get_by_test_id("report-error")).to_contain_text(MARKER_TITLE)
    report.refresh_from_db()
    assert report.status == StatusReport.Status.DRAFT
    screenshot(page, "report-draft")

    # The narrative, saved in place.
    article = page.locator(f"#marker-{marker.pk}")
    expect(article.get_by_test_id(f"narrative-{marker.pk}")).to_contain_text("No narrative")
    page.fill(f"#id_narrative_{marker.pk}_text", NARRATIVE)
    article.locator("form button[type=submit]").click()
    expect(article.locator(".message.success")).to_contain_text("The narrative is saved.")
    expect(article.get_by_test_id(f"narrative-{marker.pk}")).to_contain_text(NARRATIVE)
    expect(article).to_contain_text("Written by Claus Krog")
    narrative = ReportNarrative.objects.get(report=report, marker=marker)
    assert (narrative.text, narrative.written_by) == (NARRATIVE, world.chief)

    # Now it can be submitted.
    submit_button.click()
    expect(page).to_have_url(re.compile(rf"{report_path}$"))
    expect(page.locator(".message.success")).to_contain_text("submitted for approval")
    expect(page.get_by_test_id("report-status")).to_have_text("Submitted")
    expect(page.get_by_test_id(f"narrative-{marker.pk}")).to_contain_text(NARRATIVE)
    expect(page.locator(f"form[action='{report_path}submit/']")).to_have_count(0)
    report.refresh_from_db()
    assert (report.status, report.submitted_by) == (StatusReport.Status.SUBMITTED, world.chief)

    with another_browser(browser) as director:
        in_english(director, live_server)
        log_in(director, live_server, "dorte")

        # The director finds it waiting, approves it, and it is frozen.
        waiting = director.get_by_test_id("attention").locator("[data-attention=reports-approve]")
        expect(waiting).to_contain_text("1 status report to approve")
        waiting.locator("a").click()
        director.get_by_test_id("report-list").locator(f"a[href='{report_path}']").click()
        expect(director.get_by_test_id("report-status")).to_have_text("Submitted")
        expect(director.get_by_test_id(f"narrative-{marker.pk}")).to_contain_text(NARRATIVE)
        director.locator(f"form[action='{report_path}approve/'] button[type=submit]").click()
        expect(director).to_have_url(re.compile(rf"{report_path}$"))
        expect(director.locator(".message.success")).to_contain_text("approved and frozen")
        expect(director.get_by_test_id("report-status")).to_have_text("Approved")
        expect(director.locator("main")).not_to_contain_text("DRAFT")
        expect(director.locator("main")).to_contain_text("Figures frozen at")
        report.refresh_from_db()
        assert (report.status, report.approved_by) == (StatusReport.Status.APPROVED, world.director)
        assert report.snapshot is not None
        screenshot(director, "report-approved")

        # The PDF a committee reads: what was approved, without the draft warning.
        with director.expect_download() as download:
            director.locator(f"a[href='{report_path}pdf/']").click()
        assert download.value.suggested_filename == pdf_filename(report)
        download.value.save_as(PDF_COPY)
        data = Path(download.value.path()).read_bytes()
        assert data.startswith(b"%PDF")
        text = pdf_text(data)
        for expected in ("Børne- og Skoleudvalget", MARKER_TITLE, NARRATIVE, "Approved", "10.8"):
            assert expected in text, f"{expected!r} is missing from the PDF"
        assert "DRAFT" not in text
        assert any(sheet.images for sheet in PdfReader(io.BytesIO(data)).pages), "no plots"

        # A value corrected after the approval shows on the unit page, not in the report.
        changed = Measurement.objects.filter(
            indicator=absence, unit_key=world.admin.key, period=world.quarter.code
        ).update(value="25.0")
        assert changed == 1
        director.goto(f"{live_server.url}/results/units/{world.admin.pk}/")
        expect(indicator_card(director, absence).get_by_test_id("value")).to_contain_text("25.0 %")
        director.goto(live_server.url + report_path)
        row = report_row(director, marker, absence)
        expect(row).to_contain_text("10.8")
        expect(row).not_to_contain_text("25.0")
        expect(row.locator(".badge")).to_have_text("Close to target")
        expect(director.get_by_test_id(f"narrative-{marker.pk}")).to_contain_text(NARRATIVE)
        again = director.request.get(live_server.url + report_path + "pdf/")
        assert again.ok
        text = pdf_text(again.body())
        assert "10.8" in text
        assert "25.0" not in text
