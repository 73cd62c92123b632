"""Funnel limits by OHID's Fingertips method, held to the published formula: PHEindicatormethods
`Funnels.R` (`sigma_adjustment`), written out below term by term as published, at worked
(n, p0, level) triples; the cases users met by name; and hypothesis properties. No database."""

from __future__ import annotations

import math
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lachealth.insight.stats import Z_95, Z_998, Position, funnel_limits, funnel_position


def published(probability: float, population: int, average: float, side: str) -> float:
    """`sigma_adjustment` of Funnels.R as published (multiplier 1), with qnorm(probability)."""
    from statistics import NormalDist

    q = NormalDist().inv_cdf(probability)
    first_part = average * (population / q**2 + 1)
    adj = math.sqrt(
        (-8 * average * (population / q**2 + 1)) ** 2
        - 64
        * (1 / q**2 + 1 / population)
        * average
        * (population * (average * (population / q**2 + 2) - 1) + q**2 * (average - 1))
    )
    last_part = 1 / q**2 + 1 / population
    sign = -1 if side == "low" else 1
    return (first_part + sign * adj / 8) / last_part / population


LEVELS = {0.975: Z_95, 0.999: Z_998}
TRIPLES = list(
    product(
        (1, 5, 10, 27, 100, 250, 1_000, 12_000),
        (0.01, 0.05, 0.5, 0.8, 0.989),
        LEVELS,
    )
)  # 80 (n, p0, level) triples


@pytest.mark.parametrize(("n", "p0", "level"), TRIPLES)
def test_limits_are_the_published_formulas(n, p0, level):  # type: ignore[no-untyped-def]
    low, high = funnel_limits(p0, n, LEVELS[level])
    assert low == pytest.approx(published(level, n, p0, "low"), abs=1e-12)
    assert high == pytest.approx(published(level, n, p0, "high"), abs=1e-12)


def test_27_of_27_against_98_9_percent_is_within_the_funnel():
    # At 98.9% a team gets 27 of 27 three times in four: no "very unlikely to be chance".
    low, high = funnel_limits(0.989, 27, Z_998)
    assert round(100 * high) == 105
    assert funnel_position(27, 27, 0.989) == Position.WITHIN
    assert 0.989**27 > 0.74


def test_the_cases_the_wilson_of_n_p0_got_wrong():
    assert round(100 * funnel_limits(0.05, 10, Z_95)[1], 1) == 18.5  # was 34.5
    low, high = funnel_limits(0.5, 100, Z_95)
    assert (round(100 * low, 1), round(100 * high, 1)) == (40.2, 59.8)  # was 40.4-59.6


def test_a_limit_beyond_0_or_100_percent_means_no_outlier_on_that_side():
    low, high = funnel_limits(0.02, 10, Z_95)
    assert low < 0  # not clipped: drawn to the chart's edge
    assert funnel_position(0, 10, 0.02) == Position.WITHIN
    assert funnel_position(10, 10, 0.999) == Position.WITHIN


def test_a_baseline_of_0_or_100_percent_has_no_width():
    assert funnel_limits(1.0, 50, Z_95) == (1.0, 1.0)
    assert funnel_position(50, 50, 1.0) == Position.WITHIN
    assert funnel_position(49, 50, 1.0) == Position.BELOW_998


@pytest.mark.parametrize(("p0", "n"), [(-0.1, 10), (1.1, 10), (0.5, 0)])
def test_impossible_baselines_and_denominators_are_refused(p0, n):  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        funnel_limits(p0, n, Z_95)


baselines = st.floats(min_value=0, max_value=1, allow_nan=False)
sizes = st.integers(min_value=1, max_value=1_000_000)


@given(baselines, sizes)
def test_the_998_funnel_contains_the_95_funnel(p0, n):  # type: ignore[no-untyped-def]
    low95, high95 = funnel_limits(p0, n, Z_95)
    low998, high998 = funnel_limits(p0, n, Z_998)
    assert low998 <= low95 <= p0 <= high95 <= high998


@given(baselines, sizes, st.integers(min_value=1, max_value=1_000))
def test_the_limits_close_in_on_the_baseline_as_n_grows(p0, n, more):  # type: ignore[no-untyped-def]
    low, high = funnel_limits(p0, n, Z_95)
    low_more, high_more = funnel_limits(p0, n + more, Z_95)
    assert low <= low_more <= p0 <= high_more <= high


@given(st.integers(min_value=1, max_value=10_000), st.data())
def test_an_area_at_exactly_the_baseline_is_never_an_outlier(n, data):  # type: ignore[no-untyped-def]
    k = data.draw(st.integers(min_value=0, max_value=n))
    assert funnel_position(k, n, k / n) == Position.WITHIN
