"""The curious reader of aggregates, played by linear programming: given every published
cell of a family of linked tables (a hidden one known only to be at least 1; a cell of the
lines that is never published, such as a gap, only to be at least 0), how far can each
hidden cell be narrowed? A hidden cell the programme pins to one whole number is a
disclosure. Used by the disclosure tests; knows nothing of how the cells were chosen."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping

import numpy as np
from scipy.optimize import linprog

from lachealth.insight.disclosure import Line


def ranges(
    published: Mapping[Hashable, int | None], lines: Iterable[Line]
) -> dict[Hashable, tuple[float, float]]:
    """The least and greatest value each hidden cell (None in `published`) can take."""
    lines = list(lines)
    hidden = sorted((k for k, v in published.items() if v is None), key=repr)
    if not hidden:
        return {}
    unpublished = {c for line in lines for c in line.cells if c not in published}
    secret = hidden + sorted(unpublished, key=repr)
    published = {**published, **dict.fromkeys(unpublished)}
    index = {k: i for i, k in enumerate(secret)}
    rows, rhs = [], []
    for line in lines:
        row, constant = np.zeros(len(secret)), 0.0
        for cell, sign in [(line.total, 1.0)] + [(p, -1.0) for p in line.parts]:
            value = published[cell]
            if value is None:
                row[index[cell]] += sign
            else:
                constant -= sign * value
        if row.any():
            rows.append(row)
            rhs.append(constant)
        elif abs(constant) > 1e-9:
            raise AssertionError(f"published cells contradict a line: {line}")
    # A "c" is at least 1; a cell never published (a gap) at least 0.
    bounds = [(0 if cell in unpublished else 1, None) for cell in secret]
    a_eq = np.array(rows) if rows else None
    b_eq = np.array(rhs) if rows else None
    found = {}
    for cell in hidden:
        limits = []
        for sense in (1.0, -1.0):
            c = np.zeros(len(secret))
            c[index[cell]] = sense
            result = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
            if result.status == 3:  # unbounded
                limits.append(math.inf)
            else:
                assert result.status == 0, result.message
                limits.append(sense * result.fun)
        found[cell] = (limits[0], limits[1])
    return found


def pinned(published: Mapping[Hashable, int | None], lines: Iterable[Line]) -> dict[Hashable, int]:
    """The hidden cells the published ones fix to a single whole number, with that number."""
    found = {}
    for cell, (low, high) in ranges(published, lines).items():
        if math.isfinite(high) and math.ceil(low - 1e-6) == math.floor(high + 1e-6):
            found[cell] = math.ceil(low - 1e-6)
    return found
