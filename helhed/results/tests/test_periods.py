from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from helhed.results.periods import Frequency, Period


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        ("2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        ("2025-H2", dt.date(2025, 7, 1), dt.date(2025, 12, 31)),
        ("2025-Q1", dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
        ("2024-q4", dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
    ],
)
def test_it_parses_codes_into_dates(code: str, start: dt.date, end: dt.date) -> None:
    period = Period.parse(code)
    assert (period.start, period.end) == (start, end)
    assert Period.parse(period.code) == period


@pytest.mark.parametrize("code", ["", "25", "2025-Q5", "2025-13", "2025-H3", "1800", "2025Q1", "x"])
def test_it_refuses_what_is_not_a_period(code: str) -> None:
    with pytest.raises(ValidationError):
        Period.parse(code)


def test_it_steps_across_years() -> None:
    assert Period.parse("2025-Q1").previous().code == "2024-Q4"
    assert Period.parse("2024-12").next().code == "2025-01"
    assert [p.code for p in Period.parse("2025-Q2").back(3)] == ["2024-Q4", "2025-Q1", "2025-Q2"]


def test_the_last_complete_quarter_is_the_one_before_today() -> None:
    assert Period.last_complete(dt.date(2026, 11, 23), Frequency.QUARTERLY).code == "2026-Q3"
    assert Period.last_complete(dt.date(2026, 1, 1), Frequency.YEARLY).code == "2025"


def test_labels_follow_the_language() -> None:
    with translation.override("en"):
        assert Period.parse("2025-Q3").label == "Q3 2025"
