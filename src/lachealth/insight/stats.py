"""The statistics behind every published figure: pure, numbers in and numbers out.

- `wilson_interval`: the Wilson score interval of a proportion, as OHID's Fingertips
  (PHEindicatormethods) gives every rate.
- `funnel_limits`: the control limits of a funnel plot for proportions around the baseline
  (total numerator over total denominator), by the same Wilson-based method as OHID's
  `Funnels.R` (after Spiegelhalter 2005): the limits for a denominator `n` are the Wilson
  interval of `n * p0` events in `n`. 95% uses z for p = 0.975, 99.8% z for p = 0.999.
- `suppress`: small counts replaced by "c" as the DfE publishes them, with secondary
  suppression so that no hidden count can be worked back from its row or column total.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
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
    """The funnel's lower and upper limit at denominator `n` around the baseline `p0`."""
    if not 0 <= p0 <= 1:
        raise ValueError("The baseline is a proportion between 0 and 1")
    return _wilson(p0 * n, n, z)


def baseline(numerators: Sequence[int], denominators: Sequence[int]) -> float:
    """The funnel's centre line: the total numerator over the total denominator."""
    total = sum(denominators)
    if total <= 0:
        raise ValueError("A baseline needs at least one area with a denominator")
    return sum(numerators) / total


Cell = int | str


def suppress(table: Sequence[Sequence[int]], threshold: int = 6) -> list[list[Cell]]:
    """The table with every count from 1 to `threshold - 1` shown as "c" (zeros stay), and
    enough other cells hidden that no "c" can be recomputed from its totals.

    `table` has its totals: the last column is each row's total and the last row each
    column's. A line (a row or column with its total) never has exactly one hidden cell: where
    it would, the smallest other count of the line is hidden too (a total only if nothing else
    is left), and this repeats until every line is safe.
    """
    rows = len(table)
    cols = len(table[0]) if rows else 0
    if any(len(row) != cols for row in table):
        raise ValueError("Every row of the table must have the same number of cells")
    hidden = {(r, c) for r in range(rows) for c in range(cols) if 0 < table[r][c] < threshold}
    lines = [[(r, c) for c in range(cols)] for r in range(rows)]
    lines += [[(r, c) for r in range(rows)] for c in range(cols)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(cell in hidden for cell in line) != 1:
                continue
            shown = [cell for cell in line if cell not in hidden]
            inner = [(r, c) for r, c in shown if r < rows - 1 and c < cols - 1]
            candidates = inner or shown
            if candidates:
                hidden.add(min(candidates, key=lambda rc: (table[rc[0]][rc[1]], rc)))
                changed = True
    return [
        [SUPPRESSED if (r, c) in hidden else table[r][c] for c in range(cols)] for r in range(rows)
    ]
