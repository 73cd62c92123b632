"""The statistics: Wilson intervals against published values and funnel limits (examples
and hypothesis properties; no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lachealth.insight.stats import (
    Z_95,
    Z_998,
    baseline,
    funnel_limits,
    wilson_interval,
)


def test_wilson_interval_matches_the_published_worked_value():
    low, high = wilson_interval(81, 263)
    assert round(low, 4) == 0.2553 and round(high, 4) == 0.3662


def test_wilson_interval_at_the_edges_stays_in_zero_to_one():
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == 1.0
    assert round(wilson_interval(0, 10)[1], 4) == 0.2775  # the "rule of three"-like bound


def test_the_two_funnel_levels_use_the_fingertips_z_values():
    assert round(Z_95, 6) == 1.959964 and round(Z_998, 6) == 3.090232


def test_funnel_limits_narrow_as_the_denominator_grows_and_998_is_wider():
    p0 = 0.7
    widths = [
        funnel_limits(p0, n, Z_95)[1] - funnel_limits(p0, n, Z_95)[0] for n in (10, 100, 1000)
    ]
    assert widths == sorted(widths, reverse=True)
    low95, high95 = funnel_limits(p0, 50, Z_95)
    low998, high998 = funnel_limits(p0, 50, Z_998)
    assert low998 < low95 < p0 < high95 < high998


def test_baseline_is_total_numerator_over_total_denominator():
    assert baseline([10, 30], [20, 80]) == 0.4
    with pytest.raises(ValueError):
        baseline([], [])


@pytest.mark.parametrize(("k", "n"), [(-1, 5), (6, 5), (0, 0)])
def test_impossible_proportions_are_refused(k, n):
    with pytest.raises(ValueError):
        wilson_interval(k, n)


@given(n=st.integers(min_value=1, max_value=100_000), data=st.data())
def test_the_interval_contains_the_rate_and_lies_in_zero_to_one(n, data):
    k = data.draw(st.integers(min_value=0, max_value=n))
    low, high = wilson_interval(k, n)
    assert 0.0 <= low <= k / n <= high <= 1.0


def test_funnel_position_against_the_limits():
    from lachealth.insight.stats import Position, funnel_position

    assert funnel_position(65, 100, 0.65) == Position.WITHIN
    assert funnel_position(53, 100, 0.65) == Position.BELOW_95  # limits about 55.7 to 74.3
    assert funnel_position(45, 100, 0.65) == Position.BELOW_998  # 99.8% lower about 50.3
    assert funnel_position(76, 100, 0.65) == Position.ABOVE_95
    assert funnel_position(85, 100, 0.65) == Position.ABOVE_998


@given(st.integers(min_value=1, max_value=5000), st.data())
def test_funnel_position_agrees_with_funnel_limits(n, data):
    from lachealth.insight.stats import Position, funnel_position

    k = data.draw(st.integers(min_value=0, max_value=n))
    p0 = data.draw(st.floats(min_value=0.01, max_value=0.99))
    low, high = funnel_limits(p0, n, Z_95)
    inside = low <= k / n <= high
    assert (funnel_position(k, n, p0) == Position.WITHIN) == inside


def test_mean_interval_of_known_values():
    from lachealth.insight.stats import mean_interval

    values = [10, 12, 14, 16, 18]  # mean 14, sample sd sqrt(10)
    low, high = mean_interval(sum(values), sum(v * v for v in values), len(values))
    assert round(low, 3) == round(14 - 1.959964 * (10 / 5) ** 0.5, 3)
    assert round(high, 3) == round(14 + 1.959964 * (10 / 5) ** 0.5, 3)
    with pytest.raises(ValueError):
        mean_interval(5, 25, 1)


def test_change_z_is_significant_only_for_a_real_change():
    from lachealth.insight.stats import change_z

    assert abs(change_z(60, 100, 62, 100)) < 1.96
    assert change_z(600, 1000, 700, 1000) > 1.96
    assert change_z(700, 1000, 600, 1000) < -1.96
    assert change_z(0, 10, 0, 10) == 0.0
