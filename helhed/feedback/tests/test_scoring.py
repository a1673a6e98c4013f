"""The arithmetic of FIT with exact numbers, and properties that hold for any series."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from helhed.feedback import scoring
from helhed.feedback.scoring import Change

ORS: dict[str, Any] = {"cutoff": 25, "reliable_change": 5}
CORS: dict[str, Any] = {"cutoff": 28, "reliable_change": 6}
SRS: dict[str, Any] = {"cutoff": 36, "reliable_change": None}


class TestTotal:
    def test_it_sums_item_scores_to_one_decimal(self) -> None:
        assert scoring.total([1.1, 2.2, 3.3, 4.4]) == Decimal("11.0")
        assert scoring.total([10, 10, 10, 10]) == Decimal("40.0")
        assert scoring.total([Decimal("0.1"), 0, 0, 0]) == Decimal("0.1")

    def test_floats_do_not_drift(self) -> None:
        # 0.1 + 0.2 is 0.30000000000000004 in binary floating point.
        assert scoring.total([0.1, 0.2]) == Decimal("0.3")


class TestClinicalRange:
    def test_ors_cutoff_is_25(self) -> None:
        assert scoring.in_clinical_range(24.9, ORS["cutoff"]) is True
        assert scoring.in_clinical_range(25, ORS["cutoff"]) is False

    def test_child_version_cutoff_is_28(self) -> None:
        assert scoring.in_clinical_range(27.9, CORS["cutoff"]) is True
        assert scoring.in_clinical_range(28, CORS["cutoff"]) is False

    def test_srs_cutoff_is_36(self) -> None:
        assert scoring.in_clinical_range(35.9, SRS["cutoff"]) is True
        assert scoring.in_clinical_range(36, SRS["cutoff"]) is False

    def test_no_cutoff_means_no_answer(self) -> None:
        assert scoring.in_clinical_range(3, None) is None


class TestReliableChange:
    def test_ors_needs_five_points(self) -> None:
        assert scoring.classify(20, 25, ORS["reliable_change"]) is Change.IMPROVED
        assert scoring.classify(20, 24.9, ORS["reliable_change"]) is Change.NO_RELIABLE_CHANGE
        assert scoring.classify(20, 15, ORS["reliable_change"]) is Change.DETERIORATED
        assert scoring.classify(20, 15.1, ORS["reliable_change"]) is Change.NO_RELIABLE_CHANGE

    def test_cors_needs_six_points(self) -> None:
        assert scoring.classify(18, 24, CORS["reliable_change"]) is Change.IMPROVED
        assert scoring.classify(18, 23.9, CORS["reliable_change"]) is Change.NO_RELIABLE_CHANGE
        assert scoring.classify(18, 12, CORS["reliable_change"]) is Change.DETERIORATED

    def test_a_scale_without_a_threshold_is_not_classified(self) -> None:
        assert scoring.classify(10, 40, None) is None

    def test_change_from_first(self) -> None:
        assert scoring.change_from_first(20.5, 18) == Decimal("-2.5")


class TestNotImproving:
    def test_too_few_ratings_are_never_flagged(self) -> None:
        assert not scoring.not_improving([10, 10], **ORS)

    def test_flat_in_the_clinical_range_after_three_is_flagged(self) -> None:
        assert scoring.not_improving([18, 19, 22.9], **ORS)

    def test_reliable_improvement_is_not_flagged_even_below_the_cutoff(self) -> None:
        assert not scoring.not_improving([15, 17, 20], **ORS)  # +5, still below 25

    def test_no_reliable_change_above_the_cutoff_is_not_flagged(self) -> None:
        assert not scoring.not_improving([30, 31, 32], **ORS)

    def test_reliable_deterioration_is_flagged_above_the_cutoff_too(self) -> None:
        assert scoring.not_improving([38, 36, 32], **ORS)  # -6 from 38 ends above 25

    def test_the_number_of_sessions_is_configurable(self) -> None:
        totals = [18, 19, 20, 21]
        assert scoring.not_improving(totals, **CORS, after=4)
        assert not scoring.not_improving(totals[:3], **CORS, after=4)

    def test_session_scales_are_never_flagged(self) -> None:
        assert not scoring.not_improving([10, 10, 10, 10], **SRS)

    def test_the_series_summary(self) -> None:
        start = dt.date(2026, 1, 5)
        summary = scoring.series(
            [
                (start, 18),
                (start + dt.timedelta(days=14), 21.5),
                (start + dt.timedelta(days=28), 23),
            ],
            **CORS,
        )
        assert [p.change for p in summary.points] == [
            Decimal("0.0"),
            Decimal("3.5"),
            Decimal("5.0"),
        ]
        assert [p.clinical for p in summary.points] == [True, True, True]
        assert summary.latest.classification is Change.NO_RELIABLE_CHANGE
        assert summary.band == (Decimal("12.0"), Decimal("24.0"))
        assert summary.not_improving


totals = st.decimals(min_value=0, max_value=40, places=1, allow_nan=False, allow_infinity=False)
thresholds = st.decimals(min_value="0.1", max_value=20, places=1)


@given(first=totals, current=totals, threshold=thresholds)
def test_the_classification_is_antisymmetric(
    first: Decimal, current: Decimal, threshold: Decimal
) -> None:
    forward = scoring.classify(first, current, threshold)
    backward = scoring.classify(current, first, threshold)
    mirror = {
        Change.IMPROVED: Change.DETERIORATED,
        Change.DETERIORATED: Change.IMPROVED,
        Change.NO_RELIABLE_CHANGE: Change.NO_RELIABLE_CHANGE,
    }
    assert forward is not None
    assert backward is mirror[forward]


@given(value=totals, length=st.integers(min_value=1, max_value=12), threshold=thresholds)
def test_a_constant_series_never_improves(value: Decimal, length: int, threshold: Decimal) -> None:
    summary = scoring.series(
        [(dt.date(2026, 1, 1) + dt.timedelta(days=i), value) for i in range(length)],
        cutoff=25,
        reliable_change=threshold,
    )
    assert all(p.classification is Change.NO_RELIABLE_CHANGE for p in summary.points)
    # And it is flagged exactly when it sits in the clinical range long enough.
    assert summary.not_improving == (length >= 3 and value < 25)


@given(series=st.lists(totals, min_size=1, max_size=10), threshold=thresholds)
def test_a_reliably_improved_series_is_never_flagged(
    series: list[Decimal], threshold: Decimal
) -> None:
    if scoring.classify(series[0], series[-1], threshold) is Change.IMPROVED:
        assert not scoring.not_improving(series, cutoff=25, reliable_change=threshold)


@given(scores=st.lists(st.decimals(min_value=0, max_value=10, places=1), min_size=4, max_size=4))
def test_the_total_lies_within_the_scale(scores: list[Decimal]) -> None:
    assert Decimal(0) <= scoring.total(scores) <= Decimal(40)
    assert scoring.total(scores) == sum(scores)
