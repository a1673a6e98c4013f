"""SQL generated from the definitions, in the subset DuckDB and Spark SQL share.

One function per template turns a ``Definition`` into a query over three
relations the engine registers first:

* ``obs``: the observation store (pseudonym, birth_year, sex, unit_id,
  municipality, date, kind, value DECIMAL(18,3));
* ``periods``: the periods to compute (period, frequency, year, start_date,
  end_date exclusive), with ``period`` an integer: 2025 for a year, 20253
  for the third quarter of 2025;
* ``closure``: every (descendant, ancestor) pair of the unit tree, a unit
  being its own ancestor at depth 0.

The queries use only what both engines read the same way (YEAR, QUARTER,
CASE, COUNT(DISTINCT), LEAD, GROUPING SETS, GROUPING, CONCAT) and return
numerators and denominators as whole thousandths (BIGINT), so the final
division is done once, in ``engine.finish``, identically for every engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from helhed.analytics.definitions import (
    ActiveRate,
    Definition,
    Mean,
    PersonShare,
    Rate,
    RatioOfSums,
    Total,
)
from helhed.analytics.kinds import AGE_BANDS

LEAF_COLUMNS = (
    "indicator",
    "unit_id",
    "period",
    "sex",
    "age_band",
    "numerator",
    "denominator",
    "persons",
)


def period_of(frequency: str, date: str = "date") -> str:
    """The integer period of a date column: 2025 or 20253."""
    if frequency == "year":
        return f"YEAR({date})"
    return f"(YEAR({date}) * 10 + QUARTER({date}))"


def age_band(year: str) -> str:
    """The age band of ``birth_year`` in the given year expression."""
    cases = " ".join(
        f"WHEN {year} - birth_year <= {high} THEN '{name}'" for name, _low, high in AGE_BANDS[:-1]
    )
    return f"CASE {cases} ELSE '{AGE_BANDS[-1][0]}' END"


def _quote(text: str) -> str:
    if "'" in text:
        raise ValueError("A quote in a generated literal")
    return f"'{text}'"


def _kinds(kinds: Iterable[str]) -> str:
    return ", ".join(_quote(kind) for kind in kinds)


def date_filter(ranges: Sequence[tuple[dt.date, dt.date]] | None) -> str:
    """``date`` within any of the [start, end) ranges; TRUE for a full computation."""
    if not ranges:
        return "TRUE"
    parts = [f"(date >= DATE '{start}' AND date < DATE '{end}')" for start, end in ranges]
    return "(" + " OR ".join(parts) + ")"


def _wanted(frequency: str, column: str = "period") -> str:
    return f"{column} IN (SELECT period FROM periods WHERE frequency = {_quote(frequency)})"


def leaf_query(
    definition: Definition, ranges: Sequence[tuple[dt.date, dt.date]] | None = None
) -> str:
    """The per-unit (not yet rolled-up) cells of one indicator, by sex and age band."""
    template = definition.template
    where = date_filter(ranges)
    period = period_of(definition.frequency)
    code = _quote(definition.code)
    if isinstance(template, PersonShare):
        return _person_share(definition, template, where, period, code)
    if isinstance(template, Rate):
        return _rate(definition, template, where, period, code)
    if isinstance(template, ActiveRate):
        return _active_rate(definition, template, code)
    if isinstance(template, Mean):
        return f"""
SELECT {code} AS indicator, unit_id, period, sex, age_band,
       CAST(SUM(value) * 1000 AS BIGINT) AS numerator,
       COUNT(*) * 1000 AS denominator,
       COUNT(DISTINCT pseudonym) AS persons
FROM (SELECT unit_id, {period} AS period, sex, {age_band("YEAR(date)")} AS age_band,
             pseudonym, value
      FROM obs WHERE kind = {_quote(template.kind)} AND {where}) o
WHERE {_wanted(definition.frequency)}
GROUP BY unit_id, period, sex, age_band"""
    if isinstance(template, Total):
        return f"""
SELECT {code} AS indicator, unit_id, period, sex, age_band,
       CAST(SUM(value) * 1000 AS BIGINT) AS numerator,
       CAST(NULL AS BIGINT) AS denominator,
       COUNT(DISTINCT pseudonym) AS persons
FROM (SELECT unit_id, {period} AS period, sex, {age_band("YEAR(date)")} AS age_band,
             pseudonym, value
      FROM obs WHERE kind = {_quote(template.kind)} AND {where}) o
WHERE {_wanted(definition.frequency)}
GROUP BY unit_id, period, sex, age_band"""
    if not isinstance(template, RatioOfSums):
        raise TypeError(f"No SQL for {type(template).__name__}")
    top, bottom = _quote(template.numerator_kind), _quote(template.denominator_kind)
    return f"""
SELECT {code} AS indicator, unit_id, period, sex, age_band,
       CAST(SUM(CASE WHEN kind = {top} THEN value ELSE 0 END) * 1000 AS BIGINT) AS numerator,
       CAST(SUM(CASE WHEN kind = {bottom} THEN value ELSE 0 END) * 1000 AS BIGINT)
           AS denominator,
       COUNT(DISTINCT CASE WHEN kind = {bottom} THEN pseudonym END) AS persons
FROM (SELECT unit_id, {period} AS period, sex, {age_band("YEAR(date)")} AS age_band,
             pseudonym, kind, value
      FROM obs WHERE kind IN ({_kinds((top[1:-1], bottom[1:-1]))}) AND {where}) o
WHERE {_wanted(definition.frequency)}
GROUP BY unit_id, period, sex, age_band"""


def _person_share(
    definition: Definition, template: PersonShare, where: str, period: str, code: str
) -> str:
    sums = []
    for name, (kind, aggregate) in template.columns.items():
        if aggregate == "sum":
            sums.append(f"SUM(CASE WHEN kind = {_quote(kind)} THEN value END) AS {name}")
        elif aggregate == "count":
            sums.append(f"SUM(CASE WHEN kind = {_quote(kind)} THEN 1 ELSE 0 END) AS {name}")
        elif aggregate == "max":
            sums.append(f"MAX(CASE WHEN kind = {_quote(kind)} THEN value END) AS {name}")
        else:
            raise ValueError(f"Unknown aggregate {aggregate!r}")
    kinds = _kinds(dict.fromkeys(kind for kind, _a in template.columns.values()))
    return f"""
SELECT {code} AS indicator, unit_id, period, sex, {age_band("year")} AS age_band,
       SUM(CASE WHEN {template.numerator} THEN 1000 ELSE 0 END) AS numerator,
       COUNT(*) * 1000 AS denominator,
       COUNT(*) AS persons
FROM (SELECT unit_id, {period} AS period, YEAR(MIN(date)) AS year, pseudonym,
             MAX(sex) AS sex, MAX(birth_year) AS birth_year,
             {", ".join(sums)}
      FROM obs WHERE kind IN ({kinds}) AND {where}
      GROUP BY unit_id, {period}, pseudonym) p
WHERE ({template.base}) AND {_wanted(definition.frequency)}
GROUP BY unit_id, period, sex, {age_band("year")}"""


def _population(template: Rate | ActiveRate, frequency: str) -> str:
    """Persons of the population on 1 January, repeated for each wanted period of the year.

    Counted once a year first, then joined to the year's periods: counting
    after the join would count every child four times over.
    """
    return f"""
SELECT n.unit_id, p.period, n.sex, n.age_band, n.population
FROM (SELECT unit_id, YEAR(date) AS year, sex, {age_band("YEAR(date)")} AS age_band,
             COUNT(DISTINCT pseudonym) AS population
      FROM obs WHERE kind = {_quote(template.population_kind)}
      GROUP BY unit_id, YEAR(date), sex, {age_band("YEAR(date)")}) n
JOIN periods p ON p.frequency = {_quote(frequency)} AND p.year = n.year"""


def _joined(code: str, events: str, population: str) -> str:
    return f"""
SELECT {code} AS indicator,
       COALESCE(e.unit_id, n.unit_id) AS unit_id,
       COALESCE(e.period, n.period) AS period,
       COALESCE(e.sex, n.sex) AS sex,
       COALESCE(e.age_band, n.age_band) AS age_band,
       COALESCE(e.events, 0) * 1000 AS numerator,
       COALESCE(n.population, 0) * 1000 AS denominator,
       COALESCE(n.population, 0) AS persons
FROM ({events}) e
FULL OUTER JOIN ({population}) n
  ON e.unit_id = n.unit_id AND e.period = n.period AND e.sex = n.sex
 AND e.age_band = n.age_band"""


def _rate(definition: Definition, template: Rate, where: str, period: str, code: str) -> str:
    events = f"""
SELECT unit_id, period, sex, age_band, COUNT(*) AS events
FROM (SELECT unit_id, {period} AS period, sex, {age_band("YEAR(date)")} AS age_band
      FROM obs WHERE kind = {_quote(template.event_kind)} AND {where}) o
WHERE {_wanted(definition.frequency)}
GROUP BY unit_id, period, sex, age_band"""
    return _joined(code, events, _population(template, definition.frequency))


def _active_rate(definition: Definition, template: ActiveRate, code: str) -> str:
    start, end = _quote(template.start_kind), _quote(template.end_kind)
    events = f"""
SELECT s.unit_id, p.period, s.sex, {age_band("p.year")} AS age_band,
       COUNT(DISTINCT s.pseudonym) AS events
FROM (SELECT pseudonym, unit_id, sex, birth_year, date AS started,
             -- The next event closes the spell: an end, or a new start without a
             -- recorded end (a change of placement; the new spell carries on).
             CASE WHEN next_kind IS NOT NULL THEN next_date END AS ended
      FROM (SELECT pseudonym, unit_id, sex, birth_year, date, kind,
                   LEAD(kind) OVER (PARTITION BY pseudonym ORDER BY date, kind, unit_id)
                       AS next_kind,
                   LEAD(date) OVER (PARTITION BY pseudonym ORDER BY date, kind, unit_id)
                       AS next_date
            FROM obs WHERE kind IN ({start}, {end})) ordered
      WHERE kind = {start}) s
JOIN periods p ON p.frequency = {_quote(definition.frequency)}
 AND s.started < p.end_date AND (s.ended IS NULL OR s.ended >= p.start_date)
GROUP BY s.unit_id, p.period, s.sex, {age_band("p.year")}"""
    return _joined(code, events, _population(template, definition.frequency))


def leaves_query(
    definitions: Sequence[Definition], ranges: Sequence[tuple[dt.date, dt.date]] | None = None
) -> str:
    """Every definition's leaf cells, as one UNION ALL the engine can run in parallel."""
    return "\nUNION ALL\n".join(f"({leaf_query(d, ranges)})" for d in definitions)


ROLLUP_QUERY = """
SELECT l.indicator, c.ancestor AS unit_id, l.period,
       CASE WHEN GROUPING(l.sex) = 0 THEN CONCAT('sex:', l.sex)
            WHEN GROUPING(l.age_band) = 0 THEN CONCAT('age:', l.age_band)
            ELSE 'all' END AS grp,
       CAST(SUM(l.numerator) AS BIGINT) AS numerator,
       CAST(SUM(l.denominator) AS BIGINT) AS denominator,
       CAST(SUM(l.persons) AS BIGINT) AS persons
FROM leaves l JOIN closure c ON c.descendant = l.unit_id
GROUP BY GROUPING SETS (
    (l.indicator, c.ancestor, l.period),
    (l.indicator, c.ancestor, l.period, l.sex),
    (l.indicator, c.ancestor, l.period, l.age_band)
)"""

# A unit's own observations (not its children's): suppression needs them to
# know what a parent holds beyond the sum of its published children.
OWN_QUERY = """
SELECT l.indicator, l.unit_id, l.period,
       CASE WHEN GROUPING(l.sex) = 0 THEN CONCAT('sex:', l.sex)
            WHEN GROUPING(l.age_band) = 0 THEN CONCAT('age:', l.age_band)
            ELSE 'all' END AS grp,
       CAST(SUM(l.persons) AS BIGINT) AS persons
FROM leaves l
GROUP BY GROUPING SETS (
    (l.indicator, l.unit_id, l.period),
    (l.indicator, l.unit_id, l.period, l.sex),
    (l.indicator, l.unit_id, l.period, l.age_band)
)"""
