"""The indicator definitions, written once, for every engine.

Each indicator of the results catalogue that is measured from event data is
defined here by a *template* and a few portable SQL expressions (column
references, arithmetic, comparisons, AND/OR), never by engine-specific code.
``sql.py`` turns a definition into the query that DuckDB runs on one machine
and Spark runs on a cluster; the pandas and ORM baselines in ``bench``
implement the same templates so the benchmark can check that all give the
same numbers.

Templates (numerators and denominators are exact decimals, so every engine
agrees to the last digit):

* ``PersonShare``: per person, unit and period, a few sums of the person's
  observations (``columns``); the person is in the denominator when ``base``
  holds and in the numerator when ``numerator`` also holds. Persons = the
  denominator. (Absence over 10 %, grades, mainstream class, education at 18.)
* ``Rate``: events (``event_kind``) in the period per person of a population
  (``population_kind``, counted once a year, 1 January) in the period's
  year. Persons = the population. (Notifications per 1,000 children.)
* ``ActiveRate``: persons with a spell (``start_kind`` to the person's next
  event) overlapping the period per person of the population. (Placements.)
  An end and a start on the same day read as a change of placement (the end
  closes the earlier spell); a start without an end is closed by the next
  start. A placement that starts and ends on one day is therefore read as
  still open: send such a stay with its end on the next day.
* ``Mean``: the sum of the values over the number of observations. Persons =
  the distinct persons answering. (Well-being.)
* ``Total``: the sum of the values divided by ``scale``; no denominator.
  Persons = the distinct persons paid. (Lost earnings in thousand DKK.)
* ``RatioOfSums``: the sum of one kind over the sum of another. Persons = the
  distinct persons of the denominator kind. (Staff sickness.)

A person observed at two units in one period counts at both, and a parent
unit's numbers are the sums of its children's and its own (the roll-up is a
sum, as in FLIS): the same pupil moving school in a quarter counts twice at
the municipality. Ages are whole years on 31 December of the period's year.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from helhed.analytics.kinds import KINDS


@dataclass(frozen=True)
class PersonShare:
    columns: dict[str, tuple[str, str]]  # name -> (kind, "sum" | "count" | "max")
    base: str
    numerator: str


@dataclass(frozen=True)
class Rate:
    event_kind: str
    population_kind: str


@dataclass(frozen=True)
class ActiveRate:
    start_kind: str
    end_kind: str
    population_kind: str


@dataclass(frozen=True)
class Mean:
    kind: str


@dataclass(frozen=True)
class Total:
    kind: str
    scale: int = 1


@dataclass(frozen=True)
class RatioOfSums:
    numerator_kind: str
    denominator_kind: str


Template = PersonShare | Rate | ActiveRate | Mean | Total | RatioOfSums


@dataclass(frozen=True)
class Definition:
    """One indicator: its catalogue code, how often it is measured, and its template."""

    code: str
    frequency: str  # "quarter" or "year", as results.periods.Frequency
    factor: int
    template: Template
    kinds: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "kinds", kinds_of(self.template))
        unknown = [kind for kind in self.kinds if kind not in KINDS]
        if unknown:
            raise ValueError(f"{self.code}: unknown kinds {unknown}")

    @property
    def has_denominator(self) -> bool:
        return not isinstance(self.template, Total)


def kinds_of(template: Template) -> tuple[str, ...]:
    if isinstance(template, PersonShare):
        return tuple(dict.fromkeys(kind for kind, _agg in template.columns.values()))
    if isinstance(template, Rate):
        return (template.event_kind, template.population_kind)
    if isinstance(template, ActiveRate):
        return (template.start_kind, template.end_kind, template.population_kind)
    if isinstance(template, Mean | Total):
        return (template.kind,)
    return (template.numerator_kind, template.denominator_kind)


DEFINITIONS: tuple[Definition, ...] = (
    Definition(
        "karakter-02-dansk-matematik",
        "year",
        100,
        PersonShare(
            columns={
                "danish_sum": ("grade_danish", "sum"),
                "danish_n": ("grade_danish", "count"),
                "maths_sum": ("grade_maths", "sum"),
                "maths_n": ("grade_maths", "count"),
            },
            base="danish_n > 0 AND maths_n > 0",
            # The average of each subject's grades is at least 02.
            numerator="danish_sum >= 2 * danish_n AND maths_sum >= 2 * maths_n",
        ),
    ),
    Definition(
        "ungdomsuddannelse-18",
        "year",
        100,
        PersonShare(
            columns={"status": ("youth_education_18", "max")},
            base="status IS NOT NULL",
            numerator="status >= 1",
        ),
    ),
    Definition(
        "fravaer-over-10",
        "quarter",
        100,
        PersonShare(
            columns={"days": ("enrolment", "sum"), "absent": ("absence_day", "sum")},
            base="days > 0",
            # Over 10 % of the planned school days, without a division.
            numerator="absent * 10 > days",
        ),
    ),
    Definition("trivsel", "year", 1, Mean("wellbeing_pupil")),
    Definition("underretninger-pr-1000", "quarter", 1000, Rate("notification", "child_resident")),
    Definition(
        "anbringelser-pr-1000",
        "quarter",
        1000,
        ActiveRate("placement_start", "placement_end", "child_resident"),
    ),
    Definition(
        "almenskole-andel",
        "year",
        100,
        PersonShare(
            columns={"enrolled": ("enrolment", "count"), "special": ("special_class", "count")},
            base="enrolled > 0",
            numerator="special = 0",
        ),
    ),
    Definition("tabt-arbejdsfortjeneste", "quarter", 1, Total("lost_earnings_payment", 1000)),
    Definition(
        "sygefravaer-medarbejdere",
        "quarter",
        100,
        RatioOfSums("staff_sickness_day", "staff_workdays"),
    ),
    Definition("trivsel-medarbejdere", "year", 1, Mean("staff_wellbeing")),
)

BY_CODE: dict[str, Definition] = {definition.code: definition for definition in DEFINITIONS}
