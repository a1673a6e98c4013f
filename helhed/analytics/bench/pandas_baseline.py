"""The indicators as an analyst would compute them in pandas: group by, then roll up.

The benchmark's first baseline. It starts from the observations already in
a data frame (loading them is not timed) and, for each definition, filters
its kinds, groups by unit, period, sex and age band (a per-person step
first for the shares), merges events with populations for the rates, and
finally rolls every leaf up the unit tree by merging with a closure frame
and summing. The rules of the four person shares are written out here by
hand, as an analyst would, rather than read from the definitions' SQL: that
makes the comparison with the engine an independent check of the SQL too.

It assumes what the generator makes true: a person has the same sex and
birth year on all their rows (the engine takes the largest; here the first).
Values are summed as floats and rounded to thousandths, exact for the
generator's whole, half and quarter values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from helhed.analytics import engine
from helhed.analytics.definitions import (
    DEFINITIONS,
    ActiveRate,
    Definition,
    Mean,
    PersonShare,
    Rate,
    RatioOfSums,
    Total,
)
from helhed.analytics.kinds import AGE_BANDS

KEYS = ["unit_id", "period", "sex", "age_band"]
BAND_EDGES = [-np.inf, *(high for _name, _low, high in AGE_BANDS[:-1]), np.inf]
BAND_NAMES = [name for name, _low, _high in AGE_BANDS]

Rule = Callable[[pd.DataFrame], pd.Series]

# (base, numerator) of each person share, over the per-person frame.
PERSON_RULES: dict[str, tuple[Rule, Rule]] = {
    "karakter-02-dansk-matematik": (
        lambda p: (p["danish_n"] > 0) & (p["maths_n"] > 0),
        lambda p: (p["danish_sum"] >= 2 * p["danish_n"]) & (p["maths_sum"] >= 2 * p["maths_n"]),
    ),
    "ungdomsuddannelse-18": (
        lambda p: p["status"].notna(),
        lambda p: p["status"] >= 1,
    ),
    "fravaer-over-10": (
        lambda p: p["days"] > 0,
        lambda p: p["absent"] * 10 > p["days"],
    ),
    "almenskole-andel": (
        lambda p: p["enrolled"] > 0,
        lambda p: p["special"] == 0,
    ),
}


def load_frame(connection: Any) -> pd.DataFrame:
    """The store's observations as the analyst's frame (not timed): floats and categories."""
    frame = connection.execute(
        "SELECT pseudonym, birth_year, sex, unit_id, date, kind, CAST(value AS DOUBLE) AS value "
        "FROM observations"
    ).fetchdf()
    frame["kind"] = frame["kind"].astype("category")
    frame["sex"] = frame["sex"].astype("category")
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def age_band(age: pd.Series) -> pd.Series:
    return pd.cut(age, BAND_EDGES, labels=BAND_NAMES).astype(str)


def periods_frame(first: dt.date, last: dt.date) -> pd.DataFrame:
    rows = engine.period_rows(first, last)
    frame = pd.DataFrame(rows, columns=["period", "frequency", "year", "start_date", "end_date"])
    frame["start_date"] = pd.to_datetime(frame["start_date"])
    frame["end_date"] = pd.to_datetime(frame["end_date"])
    return frame


def closure_frame(units: pd.DataFrame) -> pd.DataFrame:
    """(descendant, ancestor) pairs: each unit with itself, then parents joined level by level."""
    parents = units.rename(columns={"unit_id": "ancestor", "parent_id": "next"})
    level = pd.DataFrame({"descendant": units["unit_id"], "ancestor": units["unit_id"]})
    levels = [level]
    while not level.empty:
        level = level.merge(parents, on="ancestor")[["descendant", "next"]].dropna()
        level = level.rename(columns={"next": "ancestor"}).astype("int64")
        levels.append(level)
    return pd.concat(levels, ignore_index=True)


def compute(
    observations: pd.DataFrame,
    units: pd.DataFrame,
    definitions: Sequence[Definition] = DEFINITIONS,
) -> pd.DataFrame:
    """Every definition for every unit, period and group: the engine's cell frame."""
    obs = observations
    obs = obs.assign(year=obs["date"].dt.year)
    obs = obs.assign(quarter=obs["year"] * 10 + obs["date"].dt.quarter)
    periods = periods_frame(obs["date"].min().date(), obs["date"].max().date())
    leaves = [leaf(obs, periods, definition) for definition in definitions]
    cells = roll_up(pd.concat(leaves, ignore_index=True), closure_frame(units))
    return engine.finish(cells, definitions)


def leaf(obs: pd.DataFrame, periods: pd.DataFrame, definition: Definition) -> pd.DataFrame:
    """One definition's cells per unit, period, sex and age band."""
    template = definition.template
    wanted = periods[periods["frequency"] == definition.frequency]
    period = "year" if definition.frequency == "year" else "quarter"
    if isinstance(template, PersonShare):
        frame = person_share(obs, period, definition.code, template)
    elif isinstance(template, Rate):
        frame = rate(obs, period, wanted, template)
    elif isinstance(template, ActiveRate):
        frame = active_rate(obs, wanted, template)
    elif isinstance(template, Mean | Total):
        frame = mean(obs[obs["kind"] == template.kind], period)
        if isinstance(template, Total):
            frame["denominator"] = pd.NA
    elif isinstance(template, RatioOfSums):
        frame = ratio_of_sums(obs, period, template)
    else:
        raise TypeError(f"No pandas for {type(template).__name__}")
    frame = frame[frame["period"].isin(wanted["period"])]
    return frame.assign(indicator=definition.code)


def person_share(obs: pd.DataFrame, period: str, code: str, template: PersonShare) -> pd.DataFrame:
    kinds = {kind for kind, _aggregate in template.columns.values()}
    rows = obs[obs["kind"].isin(kinds)]
    work = pd.DataFrame(
        {
            "unit_id": rows["unit_id"],
            "period": rows[period],
            "pseudonym": rows["pseudonym"],
            "year": rows["year"],
            "sex": rows["sex"],
            "birth_year": rows["birth_year"],
        }
    )
    aggregations: dict[str, tuple[str, str]] = {
        "year": ("year", "min"),
        "sex": ("sex", "first"),
        "birth_year": ("birth_year", "first"),
    }
    for name, (kind, aggregate) in template.columns.items():
        is_kind = rows["kind"] == kind
        if aggregate == "count":
            work[name] = is_kind.astype("int64")
            aggregations[name] = (name, "sum")
        else:
            work[name] = rows["value"].where(is_kind)
            aggregations[name] = (name, aggregate)
    persons = work.groupby(["unit_id", "period", "pseudonym"], observed=True).agg(**aggregations)
    base, numerator = PERSON_RULES[code]
    persons = persons[base(persons)].reset_index()
    persons["age_band"] = age_band(persons["year"] - persons["birth_year"])
    persons["hit"] = numerator(persons).astype("int64")
    frame = persons.groupby(KEYS, observed=True).agg(
        numerator=("hit", "sum"), persons=("hit", "size")
    )
    frame = frame.reset_index()
    frame["numerator"] *= 1000
    frame["denominator"] = frame["persons"] * 1000
    return frame


def _population(obs: pd.DataFrame, wanted: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Persons of the population each year, repeated for each period of that year."""
    rows = obs[obs["kind"] == kind]
    rows = rows.assign(age_band=age_band(rows["year"] - rows["birth_year"]))
    counts = rows.groupby(["unit_id", "year", "sex", "age_band"], observed=True)["pseudonym"]
    population = counts.nunique().rename("population").reset_index()
    population = population.merge(wanted[["period", "year"]], on="year")
    return population[[*KEYS, "population"]]


def _with_population(events: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    frame = events.merge(population, on=KEYS, how="outer")
    frame["events"] = frame["events"].fillna(0).astype("int64")
    frame["population"] = frame["population"].fillna(0).astype("int64")
    return pd.DataFrame(
        {
            **{key: frame[key] for key in KEYS},
            "numerator": frame["events"] * 1000,
            "denominator": frame["population"] * 1000,
            "persons": frame["population"],
        }
    )


def rate(obs: pd.DataFrame, period: str, wanted: pd.DataFrame, template: Rate) -> pd.DataFrame:
    rows = obs[obs["kind"] == template.event_kind]
    rows = rows.assign(period=rows[period], age_band=age_band(rows["year"] - rows["birth_year"]))
    events = rows.groupby(KEYS, observed=True).size().rename("events").reset_index()
    events = events[events["period"].isin(wanted["period"])]
    return _with_population(events, _population(obs, wanted, template.population_kind))


def active_rate(obs: pd.DataFrame, wanted: pd.DataFrame, template: ActiveRate) -> pd.DataFrame:
    """Each start closed by the person's next row (an end, or a new start); spells per period."""
    rows = obs[obs["kind"].isin([template.start_kind, template.end_kind])]
    rows = rows.assign(kind=rows["kind"].astype(str))
    rows = rows.sort_values(["pseudonym", "date", "kind", "unit_id"])
    rows = rows.assign(ended=rows.groupby("pseudonym")["date"].shift(-1))
    spells = rows[rows["kind"] == template.start_kind]
    active = spells.merge(wanted, how="cross")
    active = active[
        (active["date"] < active["end_date"])
        & (active["ended"].isna() | (active["ended"] >= active["start_date"]))
    ]
    active = active.assign(age_band=age_band(active["year_y"] - active["birth_year"]))
    counts = active.groupby(KEYS, observed=True)["pseudonym"].nunique()
    events = counts.rename("events").reset_index()
    return _with_population(events, _population(obs, wanted, template.population_kind))


def mean(rows: pd.DataFrame, period: str) -> pd.DataFrame:
    """Sum, count and distinct persons per cell (a mean; a total ignores the count)."""
    rows = rows.assign(period=rows[period], age_band=age_band(rows["year"] - rows["birth_year"]))
    frame = rows.groupby(KEYS, observed=True).agg(
        total=("value", "sum"), count=("value", "size"), persons=("pseudonym", "nunique")
    )
    frame = frame.reset_index()
    frame["numerator"] = (frame["total"] * 1000).round().astype("int64")
    frame["denominator"] = frame["count"] * 1000
    return frame[[*KEYS, "numerator", "denominator", "persons"]]


def ratio_of_sums(obs: pd.DataFrame, period: str, template: RatioOfSums) -> pd.DataFrame:
    rows = obs[obs["kind"].isin([template.numerator_kind, template.denominator_kind])]
    is_top = rows["kind"] == template.numerator_kind
    rows = rows.assign(
        period=rows[period],
        age_band=age_band(rows["year"] - rows["birth_year"]),
        top=rows["value"].where(is_top, 0.0),
        bottom=rows["value"].where(~is_top, 0.0),
    )
    sums = rows.groupby(KEYS, observed=True)[["top", "bottom"]].sum()
    persons = rows[~is_top].groupby(KEYS, observed=True)["pseudonym"].nunique()
    frame = sums.join(persons.rename("persons")).reset_index()
    frame["numerator"] = (frame["top"] * 1000).round().astype("int64")
    frame["denominator"] = (frame["bottom"] * 1000).round().astype("int64")
    frame["persons"] = frame["persons"].fillna(0).astype("int64")
    return frame[[*KEYS, "numerator", "denominator", "persons"]]


def roll_up(leaves: pd.DataFrame, closure: pd.DataFrame) -> pd.DataFrame:
    """Every leaf added to each of its unit's ancestors, for all, by sex and by age band."""
    leaves = leaves.astype({"denominator": "Int64"})
    joined = leaves.merge(closure, left_on="unit_id", right_on="descendant")
    parts = []
    for group, label in ((None, "all"), ("sex", "sex:"), ("age_band", "age:")):
        keys = ["indicator", "ancestor", "period"] + ([group] if group else [])
        summed = joined.groupby(keys, observed=True).agg(
            numerator=("numerator", "sum"),
            denominator=("denominator", "sum"),
            denominators=("denominator", "count"),
            persons=("persons", "sum"),
        )
        summed = summed.reset_index()
        # A total has no denominator: a sum of none is none, not 0.
        summed["denominator"] = summed["denominator"].mask(summed["denominators"] == 0)
        summed["grp"] = label + summed[group].astype(str) if group else label
        parts.append(summed.rename(columns={"ancestor": "unit_id"}))
    cells = pd.concat(parts, ignore_index=True)
    return cells[["indicator", "unit_id", "period", "grp", "numerator", "denominator", "persons"]]
