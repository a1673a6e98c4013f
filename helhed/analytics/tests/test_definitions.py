"""Every indicator definition, on stores small enough to compute by hand (issue 7).

Each test builds a tiny store, runs ``engine.compute`` on DuckDB and compares
cells with numbers worked out in the comments. A cell is (numerator,
denominator, persons, value): numerator and denominator in whole thousandths,
the value in thousandths rounded half up (``value_milli``), so 33.333 % is
33333 and 1.5 per 1,000 is 1500.

Unit tree used throughout: municipality 1 > district 2 > schools 10 and 11;
municipality 1 > district 3.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

import pandas as pd

from helhed.analytics import engine
from helhed.analytics.tests.conftest import Person, StoreBuilder


class Cell(NamedTuple):
    numerator: int
    denominator: int | None
    persons: int
    value_milli: int | None


def tree(b: StoreBuilder) -> None:
    b.unit(1, unit_type="municipality")
    b.unit(2, 1, "district")
    b.unit(3, 1, "district")
    b.unit(10, 2, "school")
    b.unit(11, 2, "school")


def compute(b: StoreBuilder, **kwargs: Any) -> pd.DataFrame:
    return engine.compute(b.build(), **kwargs).cells


def cell(cells: pd.DataFrame, indicator: str, unit_id: int, period: int, grp: str = "all") -> Cell:
    rows = cells[
        (cells["indicator"] == indicator)
        & (cells["unit_id"] == unit_id)
        & (cells["period"] == period)
        & (cells["grp"] == grp)
    ]
    assert len(rows) == 1, f"{len(rows)} cells for {indicator} {unit_id} {period} {grp}"
    row = rows.iloc[0]
    return Cell(
        int(row["numerator"]),
        None if pd.isna(row["denominator"]) else int(row["denominator"]),
        int(row["persons"]),
        None if pd.isna(row["value_milli"]) else int(row["value_milli"]),
    )


def groups(cells: pd.DataFrame, indicator: str, unit_id: int, period: int) -> set[str]:
    mine = cells[
        (cells["indicator"] == indicator)
        & (cells["unit_id"] == unit_id)
        & (cells["period"] == period)
    ]
    return set(mine["grp"])


def pupil_quarter(
    b: StoreBuilder, pupil: Person, unit: int, days: int, absent: float, month: int = 1
) -> None:
    """Planned days and absent days (whole days, and one half day when ``absent`` has .5)."""
    b.observe(pupil, unit, dt.date(2025, month, 6), "enrolment", days)
    if int(absent):
        b.observe(pupil, unit, dt.date(2025, month, 13), "absence_day", 1, times=int(absent))
    if absent % 1:
        b.observe(pupil, unit, dt.date(2025, month, 14), "absence_day", "0.5")


# --------------------------------------------------------------------------- absence


def test_absence_counts_pupils_over_ten_percent_not_at_it(builder):
    tree(builder)
    over = builder.person(2013, "F")  # 7 of 60 days = 11.7 %: counted
    at = builder.person(2013, "M")  # 6 of 60 days = 10 % exactly: not counted
    none = builder.person(2013, "F")  # no absence at all: in the denominator only
    pupil_quarter(builder, over, 10, 60, 7)
    pupil_quarter(builder, at, 10, 60, 6)
    pupil_quarter(builder, none, 10, 60, 0)
    cells = compute(builder)
    # 1 of 3 pupils: 33.333 %.
    assert cell(cells, "fravaer-over-10", 10, 20251) == Cell(1000, 3000, 3, 33333)
    # Girls: 1 of 2 = 50 %; boys: 0 of 1.
    assert cell(cells, "fravaer-over-10", 10, 20251, "sex:F") == Cell(1000, 2000, 2, 50000)
    assert cell(cells, "fravaer-over-10", 10, 20251, "sex:M") == Cell(0, 1000, 1, 0)
    # Born 2013: 12 on 31 December 2025, every pupil in the 12-17 band, no other band.
    assert cell(cells, "fravaer-over-10", 10, 20251, "age:12-17") == Cell(1000, 3000, 3, 33333)
    assert groups(cells, "fravaer-over-10", 10, 20251) == {"all", "sex:F", "sex:M", "age:12-17"}


def test_absence_sums_half_days_and_needs_planned_days_at_the_same_unit(builder):
    tree(builder)
    half = builder.person(2013, "F")  # 6.5 of 60 days = 10.8 %: counted
    pupil_quarter(builder, half, 10, 60, 6.5)
    elsewhere = builder.person(2013, "F")  # absent at 10 but enrolled at 11 only
    pupil_quarter(builder, elsewhere, 11, 60, 0)
    builder.observe(elsewhere, 10, "2025-02-02", "absence_day", 1, times=9)
    cells = compute(builder)
    # At 10 only the half-day pupil has planned days: 1 of 1 = 100 %.
    assert cell(cells, "fravaer-over-10", 10, 20251) == Cell(1000, 1000, 1, 100000)
    # At 11 the other pupil has 60 planned days and no absence there: 0 of 1.
    assert cell(cells, "fravaer-over-10", 11, 20251) == Cell(0, 1000, 1, 0)


def test_absence_is_per_quarter(builder):
    tree(builder)
    pupil = builder.person(2013, "M")
    pupil_quarter(builder, pupil, 10, 30, 4, month=1)  # Q1: 4 of 30 = 13.3 %: counted
    pupil_quarter(builder, pupil, 10, 60, 2, month=4)  # Q2: 2 of 60 = 3.3 %: not counted
    cells = compute(builder)
    assert cell(cells, "fravaer-over-10", 10, 20251) == Cell(1000, 1000, 1, 100000)
    assert cell(cells, "fravaer-over-10", 10, 20252) == Cell(0, 1000, 1, 0)
    # A quarterly indicator has no cell for the year.
    assert groups(cells, "fravaer-over-10", 10, 2025) == set()


# --------------------------------------------------------------------------- grades


def test_grades_count_pupils_averaging_at_least_02_in_both_subjects(builder):
    tree(builder)
    june = "2025-06-20"
    exactly = builder.person(2010, "F")  # Danish 02; maths (0 + 4) / 2 = 02: counted
    builder.observe(exactly, 10, june, "grade_danish", 2)
    builder.observe(exactly, 10, june, "grade_maths", 0)
    builder.observe(exactly, 10, june, "grade_maths", 4)
    below = builder.person(2010, "M")  # Danish 12; maths (0 + 3) / 2 = 1.5: not counted
    builder.observe(below, 10, june, "grade_danish", 12)
    builder.observe(below, 10, june, "grade_maths", 0)
    builder.observe(below, 10, june, "grade_maths", 3)
    mixed = builder.person(2010, "M")  # Danish (-3 + 7) / 2 = 02, maths 02: counted
    builder.observe(mixed, 10, june, "grade_danish", -3)
    builder.observe(mixed, 10, june, "grade_danish", 7)
    builder.observe(mixed, 10, june, "grade_maths", 2)
    danish_only = builder.person(2010, "F")  # no maths grade: not in the denominator
    builder.observe(danish_only, 10, june, "grade_danish", 10)
    cells = compute(builder)
    # 2 of 3 pupils: 66.666... rounds half up to 66.667 %.
    assert cell(cells, "karakter-02-dansk-matematik", 10, 2025) == Cell(2000, 3000, 3, 66667)
    assert cell(cells, "karakter-02-dansk-matematik", 10, 2025, "sex:F") == Cell(
        1000, 1000, 1, 100000
    )
    assert cell(cells, "karakter-02-dansk-matematik", 10, 2025, "sex:M") == Cell(
        1000, 2000, 2, 50000
    )


# --------------------------------------------------------------------------- youth education


def test_youth_education_counts_persons_in_or_through_at_18(builder):
    tree(builder)
    october = "2025-10-01"
    for status in (1, 1, 0):
        builder.observe(builder.person(2007, "F"), 2, october, "youth_education_18", status)
    both = builder.person(2007, "M")  # reported 0 then 1: the best status counts
    builder.observe(both, 2, october, "youth_education_18", 0)
    builder.observe(both, 2, "2025-11-01", "youth_education_18", 1)
    cells = compute(builder)
    # 3 of 4 = 75 %; 18 in 2025, so the 18-29 band.
    assert cell(cells, "ungdomsuddannelse-18", 2, 2025) == Cell(3000, 4000, 4, 75000)
    assert cell(cells, "ungdomsuddannelse-18", 2, 2025, "age:18-29") == Cell(3000, 4000, 4, 75000)
    assert cell(cells, "ungdomsuddannelse-18", 2, 2025, "sex:F") == Cell(2000, 3000, 3, 66667)


# --------------------------------------------------------------------------- well-being


def test_pupil_wellbeing_is_the_mean_of_answers_rounded_half_up(builder):
    tree(builder)
    first, second = builder.person(2014, "F"), builder.person(2014, "M")
    builder.observe(first, 10, "2025-03-03", "wellbeing_pupil", "3.5")
    builder.observe(first, 10, "2025-09-03", "wellbeing_pupil", 4)
    builder.observe(second, 10, "2025-03-03", "wellbeing_pupil", "2.25")
    builder.observe(builder.person(2014, "F"), 10, "2025-03-03", "wellbeing_pupil", 5)
    cells = compute(builder)
    # (3.5 + 4 + 2.25 + 5) / 4 answers = 14.75 / 4 = 3.6875, half up 3.688; 3 persons.
    assert cell(cells, "trivsel", 10, 2025) == Cell(14750, 4000, 3, 3688)
    # Girls: (3.5 + 4 + 5) / 3 = 4.1666... -> 4.167.
    assert cell(cells, "trivsel", 10, 2025, "sex:F") == Cell(12500, 3000, 2, 4167)


def test_staff_wellbeing_is_the_mean_of_answers(builder):
    tree(builder)
    first, second = builder.person(1980, "F"), builder.person(1995, "M")
    builder.observe(first, 1, "2025-05-05", "staff_wellbeing", 70)
    builder.observe(first, 1, "2025-11-05", "staff_wellbeing", 81)
    builder.observe(second, 1, "2025-05-05", "staff_wellbeing", 90)
    cells = compute(builder)
    # (70 + 81 + 90) / 3 = 80.333...; 2 persons.
    assert cell(cells, "trivsel-medarbejdere", 1, 2025) == Cell(241000, 3000, 2, 80333)
    # Born 1980: 45 (30+); born 1995: 30 (30+ too: the 18-29 band ends at 29).
    assert cell(cells, "trivsel-medarbejdere", 1, 2025, "age:30+") == Cell(241000, 3000, 2, 80333)


# --------------------------------------------------------------------------- notifications


def notifications_store(b: StoreBuilder) -> None:
    """District 2: four children (two girls, two boys, 10 years old in 2025) living there
    on 1 January 2025, one of them already on 1 January 2024."""
    girl1, boy1, girl2, boy2 = (b.person(2015, sex) for sex in "FMFM")
    for child in (girl1, boy1, girl2, boy2):
        b.observe(child, 2, "2025-01-01", "child_resident")
    b.observe(girl1, 2, "2024-01-01", "child_resident")
    b.observe(girl1, 2, "2024-12-01", "notification")
    b.observe(girl1, 2, "2025-02-10", "notification")
    b.observe(girl1, 2, "2025-03-01", "notification")
    b.observe(boy1, 2, "2025-05-05", "notification")
    visitor = b.person(2020, "F")  # a 5-year-old not living in the district
    b.observe(visitor, 2, "2025-08-01", "notification")
    b.observe(girl2, 2, "2025-11-11", "notification")


def test_notifications_per_1000_use_the_population_of_1_january_each_quarter(builder):
    tree(builder)
    notifications_store(builder)
    cells = compute(builder)
    code = "underretninger-pr-1000"
    # 2025 population: 4 children in every quarter.
    # Q1: 2 notifications / 4 x 1,000 = 500; Q2, Q3, Q4: 1 each = 250.
    assert cell(cells, code, 2, 20251) == Cell(2000, 4000, 4, 500000)
    assert cell(cells, code, 2, 20252) == Cell(1000, 4000, 4, 250000)
    assert cell(cells, code, 2, 20253) == Cell(1000, 4000, 4, 250000)
    assert cell(cells, code, 2, 20254) == Cell(1000, 4000, 4, 250000)
    # 2024 population: 1 child; Q1-Q3 have none (0), Q4 has 1 per 1 child = 1,000.
    assert cell(cells, code, 2, 20241) == Cell(0, 1000, 1, 0)
    assert cell(cells, code, 2, 20244) == Cell(1000, 1000, 1, 1000000)
    # Girls in Q1 2025: 2 notifications / 2 girls = 1,000; boys 0 / 2.
    assert cell(cells, code, 2, 20251, "sex:F") == Cell(2000, 2000, 2, 1000000)
    assert cell(cells, code, 2, 20251, "sex:M") == Cell(0, 2000, 2, 0)
    # Q3's notification is a 5-year-old's, and no 0-5-year-old lives there: no value.
    assert cell(cells, code, 2, 20253, "age:0-5") == Cell(1000, 0, 0, None)
    assert cell(cells, code, 2, 20253, "age:6-11") == Cell(0, 4000, 4, 0)
    # The municipality holds the district's numbers (district 3 has no children).
    assert cell(cells, code, 1, 20251) == Cell(2000, 4000, 4, 500000)


# --------------------------------------------------------------------------- placements


def placements_store(b: StoreBuilder) -> None:
    """District 3: five children of 13 living there on 1 January 2025."""
    kids = [b.person(2012, "F") for _ in range(5)]
    for child in kids:
        b.observe(child, 3, "2025-01-01", "child_resident")
    first, second, third, fourth, fifth = kids
    # From Q4 2024 to February, and again for two weeks in March.
    b.observe(first, 3, "2024-11-15", "placement_start")
    b.observe(first, 3, "2025-02-10", "placement_end")
    b.observe(first, 3, "2025-03-01", "placement_start")
    b.observe(first, 3, "2025-03-15", "placement_end")
    b.observe(second, 3, "2025-03-20", "placement_start")  # Q1 to Q3
    b.observe(second, 3, "2025-08-01", "placement_end")
    b.observe(third, 3, "2025-05-01", "placement_start")  # open-ended: Q2 onwards
    b.observe(fourth, 3, "2025-06-30", "placement_start")  # ends on the first day of Q3
    b.observe(fourth, 3, "2025-07-01", "placement_end")
    b.observe(fifth, 3, "2025-12-31", "placement_start")  # the last day of Q4


def test_placements_count_children_placed_at_any_time_in_the_quarter(builder):
    tree(builder)
    placements_store(builder)
    cells = compute(builder)
    code = "anbringelser-pr-1000"
    # Population 5 in every quarter of 2025.
    # Q1: first (twice, counted once) and second = 2 / 5 x 1,000 = 400.
    assert cell(cells, code, 3, 20251) == Cell(2000, 5000, 5, 400000)
    # Q2: second, third, fourth = 600; Q3: the same three (fourth ends on 1 July) = 600.
    assert cell(cells, code, 3, 20252) == Cell(3000, 5000, 5, 600000)
    assert cell(cells, code, 3, 20253) == Cell(3000, 5000, 5, 600000)
    # Q4: third (open-ended) and fifth = 400.
    assert cell(cells, code, 3, 20254) == Cell(2000, 5000, 5, 400000)
    # Q4 2024: first was placed, but nobody was counted as living there in 2024.
    assert cell(cells, code, 3, 20244) == Cell(1000, 0, 0, None)
    # Born 2012: 13 in 2025, 12 in 2024.
    assert cell(cells, code, 3, 20252, "age:12-17") == Cell(3000, 5000, 5, 600000)
    assert cell(cells, code, 1, 20252) == Cell(3000, 5000, 5, 600000)


# --------------------------------------------------------------------------- mainstream class


def test_mainstream_share_counts_enrolled_pupils_never_in_a_special_class(builder):
    tree(builder)
    twice = builder.person(2014, "F")  # enrolled in two quarters, never special: counted
    builder.observe(twice, 10, "2025-01-06", "enrolment", 60)
    builder.observe(twice, 10, "2025-04-06", "enrolment", 55)
    special = builder.person(2014, "M")  # in a special class: not counted
    builder.observe(special, 10, "2025-01-06", "enrolment", 60)
    builder.observe(special, 10, "2025-02-01", "special_class")
    builder.observe(builder.person(2014, "M"), 10, "2025-01-06", "enrolment", 60)
    cells = compute(builder)
    # 2 of 3 = 66.667 %.
    assert cell(cells, "almenskole-andel", 10, 2025) == Cell(2000, 3000, 3, 66667)
    assert cell(cells, "almenskole-andel", 10, 2025, "sex:M") == Cell(1000, 2000, 2, 50000)


# --------------------------------------------------------------------------- lost earnings


def test_lost_earnings_are_thousands_of_kroner_paid_in_the_quarter(builder):
    tree(builder)
    first, second = builder.person(2016, "F"), builder.person(2018, "M")
    builder.observe(first, 2, "2025-01-20", "lost_earnings_payment", "1234.567")
    builder.observe(first, 2, "2025-02-20", "lost_earnings_payment", "800.5")
    builder.observe(second, 2, "2025-03-20", "lost_earnings_payment", 10000)
    builder.observe(second, 2, "2025-04-20", "lost_earnings_payment", "1500.5")
    cells = compute(builder)
    code = "tabt-arbejdsfortjeneste"
    # Q1: 1,234.567 + 800.5 + 10,000 = 12,035.067 DKK = 12.035 thousand; 2 persons; no
    # denominator.
    assert cell(cells, code, 2, 20251) == Cell(12035067, None, 2, 12035)
    # Q2: 1,500.5 DKK = 1.5005 thousand, half up 1.501.
    assert cell(cells, code, 2, 20252) == Cell(1500500, None, 1, 1501)
    assert cell(cells, code, 1, 20251, "sex:M") == Cell(10000000, None, 1, 10000)


# --------------------------------------------------------------------------- staff sickness


def test_staff_sickness_is_sick_days_over_planned_days(builder):
    tree(builder)
    first, second = builder.person(1980, "F"), builder.person(1990, "M")
    builder.observe(first, 1, "2025-01-02", "staff_workdays", 60)
    builder.observe(first, 1, "2025-01-10", "staff_sickness_day", 1, times=2)
    builder.observe(first, 1, "2025-01-20", "staff_sickness_day", "0.5")
    builder.observe(second, 1, "2025-01-02", "staff_workdays", 55)
    without_plan = builder.person(1985, "F")  # sick, but no planned days at the unit
    builder.observe(without_plan, 1, "2025-02-10", "staff_sickness_day", 1)
    cells = compute(builder)
    # (1 + 1 + 0.5 + 1) / (60 + 55) = 3.5 / 115 = 3.0434...%; persons of the planned days: 2.
    assert cell(cells, "sygefravaer-medarbejdere", 1, 20251) == Cell(3500, 115000, 2, 3043)
    # Women: 3.5 / 60 = 5.8333...%.
    assert cell(cells, "sygefravaer-medarbejdere", 1, 20251, "sex:F") == Cell(3500, 60000, 1, 5833)


# --------------------------------------------------------------------------- roll-up


def test_a_parent_holds_the_sum_of_its_children_and_its_own(builder):
    tree(builder)
    a, b, c = (builder.person(2013, sex) for sex in "FMF")
    pupil_quarter(builder, a, 10, 60, 7)  # counted
    pupil_quarter(builder, b, 10, 60, 6)  # not
    pupil_quarter(builder, c, 10, 60, 0)  # not
    d, e = builder.person(2016, "F"), builder.person(2016, "M")
    pupil_quarter(builder, d, 11, 50, 6)  # 6 of 50 = 12 %: counted
    pupil_quarter(builder, e, 11, 50, 5)  # 10 %: not
    own = builder.person(2013, "M")  # taught at the district itself
    pupil_quarter(builder, own, 2, 40, 0)
    result = engine.compute(builder.build())
    cells = result.cells
    code = "fravaer-over-10"
    assert cell(cells, code, 10, 20251) == Cell(1000, 3000, 3, 33333)
    assert cell(cells, code, 11, 20251) == Cell(1000, 2000, 2, 50000)
    # District 2: 3 + 2 + its own 1 = 6 pupils, 2 counted = 33.333 %.
    assert cell(cells, code, 2, 20251) == Cell(2000, 6000, 6, 33333)
    # Municipality 1: district 2 plus the empty district 3.
    assert cell(cells, code, 1, 20251) == Cell(2000, 6000, 6, 33333)
    assert groups(cells, code, 3, 20251) == set()
    # Groups roll up too: girls a, c, d (2 counted); boys b, e, own (none).
    assert cell(cells, code, 1, 20251, "sex:F") == Cell(2000, 3000, 3, 66667)
    assert cell(cells, code, 1, 20251, "sex:M") == Cell(0, 3000, 3, 0)
    # Born 2013 (12): a, b, c, own; born 2016 (9): d, e.
    assert cell(cells, code, 1, 20251, "age:12-17") == Cell(1000, 4000, 4, 25000)
    assert cell(cells, code, 1, 20251, "age:6-11") == Cell(1000, 2000, 2, 50000)
    # Own persons: the district's 1 pupil, not its schools'; the municipality has none.
    own_cells = result.own[(result.own["indicator"] == code) & (result.own["grp"] == "all")]
    assert dict(zip(own_cells["unit_id"], own_cells["persons"], strict=True)) == {
        2: 1,
        10: 3,
        11: 2,
    }


def test_a_pupil_at_two_schools_in_a_quarter_counts_at_both_and_twice_above(builder):
    tree(builder)
    mover = builder.person(2013, "M")
    pupil_quarter(builder, mover, 10, 30, 4)  # 4 of 30: counted at 10
    pupil_quarter(builder, mover, 11, 30, 0)  # not at 11
    cells = compute(builder)
    assert cell(cells, "fravaer-over-10", 10, 20251) == Cell(1000, 1000, 1, 100000)
    assert cell(cells, "fravaer-over-10", 11, 20251) == Cell(0, 1000, 1, 0)
    assert cell(cells, "fravaer-over-10", 2, 20251) == Cell(1000, 2000, 2, 50000)


# --------------------------------------------------------------------------- incremental


def test_an_incremental_run_recomputes_the_touched_years_to_the_same_cells(builder):
    tree(builder)
    notifications_store(builder)
    placements_store(builder)
    employee = builder.person(1980, "F")
    builder.observe(employee, 1, "2024-05-05", "staff_wellbeing", 50)
    builder.observe(employee, 1, "2025-05-05", "staff_wellbeing", 60)
    connection = builder.build()
    full = engine.normalise(engine.compute(connection).cells)
    # A batch with days in March 2025 only: all of 2025 is recomputed, 2024 is not.
    part = engine.normalise(
        engine.compute(connection, ranges=[(dt.date(2025, 3, 1), dt.date(2025, 3, 31))]).cells
    )
    assert set(part["period"]) == {2025, 20251, 20252, 20253, 20254}
    of_2025 = full[full["period"].isin([2025, 20251, 20252, 20253, 20254])]
    assert part.equals(of_2025.reset_index(drop=True))
    # The placement begun in 2024 still counts in Q1 2025.
    assert cell(part, "anbringelser-pr-1000", 3, 20251) == Cell(2000, 5000, 5, 400000)
    assert cell(part, "underretninger-pr-1000", 2, 20251) == Cell(2000, 4000, 4, 500000)
    assert cell(part, "trivsel-medarbejdere", 1, 2025) == Cell(60000, 1000, 1, 60000)
    assert cell(full, "trivsel-medarbejdere", 1, 2024) == Cell(50000, 1000, 1, 50000)


def test_only_groups_with_persons_have_cells(builder):
    tree(builder)
    pupil_quarter(builder, builder.person(2013, "F"), 10, 60, 7)
    cells = compute(builder)
    assert groups(cells, "fravaer-over-10", 10, 20251) == {"all", "sex:F", "age:12-17"}
