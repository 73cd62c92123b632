"""The statistics behind every published figure: pure, numbers in and numbers out.

- `wilson_interval`: the Wilson score interval of a proportion, as OHID's Fingertips
  (PHEindicatormethods) gives every rate.
- `funnel_limits`: the control limits of a funnel plot for proportions around the baseline
  (total numerator over total denominator), by OHID's Fingertips method (`Funnels.R`, after
  Spiegelhalter 2005): the limit at a denominator `n` is the proportion whose own Wilson
  interval just reaches the baseline, which may pass 0% or 100% (then no area is an outlier
  on that side). 95% uses z for p = 0.975, 99.8% z for p = 0.999.
- `funnel_position`, `mean_interval`, `change_z`: where a rate sits in its funnel, the
  interval of a mean (SDQ), and whether a change between two years is more than noise.
- `SUPPRESSED`: how a hidden count is shown ("c", as the DfE publishes them); which counts
  are hidden is `disclosure.py`'s and `publish.py`'s work.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from enum import StrEnum
from statistics import NormalDist

#: z for a two-sided 95% interval (p = 0.975) and for 99.8% (p = 0.999).
Z_95 = NormalDist().inv_cdf(0.975)
Z_998 = NormalDist().inv_cdf(0.999)
SUPPRESSED = "c"


def _wilson(events: float, n: int, z: float) -> tuple[float, float]:
    if n <= 0:
        raise ValueError("A proportion needs a denominator of at least 1")
    if not 0 <= events <= n:
        raise ValueError(f"The numerator must be between 0 and the denominator ({n})")
    p = events / n
    q = 1 - p
    root = math.sqrt(z * z + 4 * n * p * q)
    # The usual (2np + z² ± z·root) / 2(n + z²), rearranged so that neither limit is a
    # difference of nearly equal numbers: each is a distance from 0 or from 1, exact at the ends.
    low = 2 * n * p * p / (2 * n * p + z * z + z * root)
    high = 1 - 2 * n * q * q / (2 * n * q + z * z + z * root)
    return max(0.0, low), min(1.0, high)


def wilson_interval(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval of `k` events in `n` (95% by default)."""
    return _wilson(k, n, z)


def funnel_limits(p0: float, n: int, z: float) -> tuple[float, float]:
    """The funnel's lower and upper control limit at denominator `n` around the baseline
    `p0`, by OHID's Fingertips method (PHEindicatormethods `Funnels.R`, `sigma_adjustment`;
    DHSC's PHStatsMethods `utils_funnel.sigma_adjustment`): the proportion L whose own
    Wilson interval at the same z has p0 as its bound. Fingertips writes it in closed form as
    (p0·(n/z² + 1) ± √D / 8) / (1/z² + 1/n) / n, where
    D = 64·p0²·(n/z² + 1)² − 64·(1/z² + 1/n)·p0·(n·(p0·(n/z² + 2) − 1) + z²·(p0 − 1));
    D reduces to 64·p0·(1 − p0)·(n/z² + 1)²·z²/n, so the limits are exactly
    p0 ± z·√(p0·(1 − p0)/n), computed so here (no difference of nearly equal numbers).

    The limits are not clipped: one beyond 0 or 1 means no area can be an outlier on that
    side (at n = 27 and p0 = 98.9% the 99.8% upper limit is 105%, so 27 of 27 is within)."""
    if not 0 <= p0 <= 1:
        raise ValueError("The baseline is a proportion between 0 and 1")
    if n <= 0:
        raise ValueError("A funnel limit needs a denominator of at least 1")
    spread = z * math.sqrt(p0 * (1 - p0) / n)
    return p0 - spread, p0 + spread


def baseline(numerators: Sequence[int], denominators: Sequence[int]) -> float:
    """The funnel's centre line: the total numerator over the total denominator."""
    total = sum(denominators)
    if total <= 0:
        raise ValueError("A baseline needs at least one area with a denominator")
    return sum(numerators) / total


class Position(StrEnum):
    """Where a rate falls against the funnel around the baseline (Spiegelhalter's alert at
    95% and alarm at 99.8%)."""

    ABOVE_998 = "above_998"
    ABOVE_95 = "above_95"
    WITHIN = "within"
    BELOW_95 = "below_95"
    BELOW_998 = "below_998"


def funnel_position(k: int, n: int, p0: float) -> Position:
    """Where `k` events in `n` fall against the funnel around `p0`."""
    rate = k / n
    low_998, high_998 = funnel_limits(p0, n, Z_998)
    low_95, high_95 = funnel_limits(p0, n, Z_95)
    if rate > high_998:
        return Position.ABOVE_998
    if rate < low_998:
        return Position.BELOW_998
    if rate > high_95:
        return Position.ABOVE_95
    if rate < low_95:
        return Position.BELOW_95
    return Position.WITHIN


def mean_interval(total: float, squares: float, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The normal-approximation interval of a mean from its sum and sum of squares."""
    if n < 2:
        raise ValueError("An interval of a mean needs at least two values")
    mean = total / n
    variance = max(0.0, (squares - n * mean * mean) / (n - 1))
    margin = z * math.sqrt(variance / n)
    return mean - margin, mean + margin


def change_z(k1: int, n1: int, k2: int, n2: int) -> float:
    """The z statistic of the change from `k1`/`n1` to `k2`/`n2` (pooled two-proportion test);
    beyond ±1.96 the change is significant at 95%."""
    if n1 <= 0 or n2 <= 0:
        raise ValueError("Both proportions need a denominator of at least 1")
    pooled = (k1 + k2) / (n1 + n2)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if spread == 0:
        return 0.0
    return (k2 / n2 - k1 / n1) / spread
