"""The curious reader of aggregates, played by linear programming: given every published
cell of a family of linked tables (a hidden one known only to be at least 1; a cell of the
lines that is never published, such as a gap, only to be at least 0), how far can each
hidden cell be narrowed? A hidden cell the programme pins to one whole number is a
disclosure. Used by the disclosure tests; knows nothing of how the cells were chosen.

First the reader does what needs no programme: a line with one unknown gives it (again and
again); then, for each group of unknowns linked by lines, the least and greatest value of
each hidden cell."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_array

from lachealth.insight.disclosure import Line


def ranges(
    published: Mapping[Hashable, int | None], lines: Iterable[Line], extra: Iterable = ()
) -> dict[Hashable, tuple[float, float]]:
    """The least and greatest value each hidden cell (None in `published`, or one of the
    unpublished cells `extra`) can take."""
    found, systems = _reduce(published, lines, extra)
    for system in systems:
        for cell in system.hidden:
            found[cell] = system.limits(cell)
    return found


def pinned(
    published: Mapping[Hashable, int | None],
    lines: Iterable[Line],
    truth: Mapping[Hashable, int] | None = None,
    extra: Iterable = (),
) -> dict[Hashable, int]:
    """The hidden cells the published ones fix to a single whole number, with that number.

    Given the `truth` of the hidden cells, a solution that moves a cell 1 or more from its
    true value is a witness that it is not pinned (between the two lies another whole
    number); a few programmes find witnesses for most cells at once, and only the rest get
    their least and greatest values solved. `extra`: cells never published that must not
    be pinned either (a small count of a breakdown shown only as a whole)."""
    found, systems = _reduce(published, lines, extra)
    limits = dict(found)
    for system in systems:
        rest = set(system.hidden)
        if truth is not None:
            rest -= system.witnessed(truth)
        for cell in rest:
            limits[cell] = system.limits(cell)
    single = {}
    for cell, (low, high) in limits.items():
        if math.isfinite(high) and math.ceil(low - 1e-6) == math.floor(high + 1e-6):
            single[cell] = math.ceil(low - 1e-6)
    return single


class _System:
    """One group of unknowns linked by lines: a @ x = b, x at least its floor."""

    def __init__(self, cells, rows, unpublished, hidden):  # type: ignore[no-untyped-def]
        self.cells = cells
        self.index = {c: i for i, c in enumerate(cells)}
        entries = [(r, self.index[c], s) for r, (terms, _) in enumerate(rows) for c, s in terms]
        r_i, c_i, signs = zip(*entries, strict=True)
        self.a_eq = csr_array((signs, (r_i, c_i)), shape=(len(rows), len(cells)))
        self.b_eq = np.array([constant for _, constant in rows])
        # A "c" is at least 1; a cell never published (a gap) at least 0.
        self.bounds = [(0.0 if c in unpublished else 1.0, None) for c in cells]
        self.hidden = [c for c in cells if c in hidden]

    def solve(self, objective, bounds=None):  # type: ignore[no-untyped-def]
        return linprog(
            objective,
            A_eq=self.a_eq,
            b_eq=self.b_eq,
            bounds=bounds or self.bounds,
            method="highs",
        )

    def limits(self, cell: Hashable) -> tuple[float, float]:
        found = []
        for sense in (1.0, -1.0):
            c = np.zeros(len(self.cells))
            c[self.index[cell]] = sense
            result = self.solve(c)
            if result.status == 3:  # unbounded
                found.append(math.inf)
            else:
                assert result.status == 0, result.message
                found.append(sense * result.fun)
        return found[0], found[1]

    def witnessed(self, truth: Mapping[Hashable, int]) -> set[Hashable]:
        """Hidden cells some solution moves 1 or more from the truth."""
        n = len(self.cells)
        at = np.array([truth.get(c, 0) for c in self.cells], dtype=float)
        wanted = np.array([c in truth and c in set(self.hidden) for c in self.cells])
        moved = np.zeros(n, dtype=bool)

        def check(result) -> bool:  # type: ignore[no-untyped-def]
            if result.status != 0:
                return False
            newly = wanted & ~moved & (np.abs(result.x - at) >= 1 - 1e-7)
            moved[:] |= newly
            return bool(newly.any())

        rng = np.random.default_rng(n)
        for _ in range(4):
            bounded = [(low, 1e6) for low, _ in self.bounds]
            check(self.solve(rng.standard_normal(n), bounded))
        for sense in (1.0, -1.0):
            while (wanted & ~moved).any():
                rest = wanted & ~moved
                box = []
                for i, (low, _) in enumerate(self.bounds):
                    if not rest[i]:
                        box.append((low, 1e6))
                    elif sense > 0:
                        box.append((low, at[i] + 1))
                    else:
                        box.append((max(low, at[i] - 1), 1e6))
                if not check(self.solve(np.where(rest, -sense, 0.0), box)):
                    break
        return {c for c, m in zip(self.cells, moved, strict=True) if m}


def _reduce(
    published: Mapping[Hashable, int | None], lines: Iterable[Line], extra: Iterable = ()
) -> tuple[dict[Hashable, tuple[float, float]], list[_System]]:
    """What lines with one unknown give away, and the groups of unknowns left."""
    lines = list(lines)
    hidden = {k for k, v in published.items() if v is None} | set(extra)
    unpublished = {c for line in lines for c in line.cells if c not in published}
    known: dict[Hashable, float] = {k: v for k, v in published.items() if v is not None}
    equations = [[(line.total, 1.0)] + [(p, -1.0) for p in line.parts] for line in lines]
    found: dict[Hashable, tuple[float, float]] = {}
    # Lines with a single unknown give it away, and what they give feeds other lines.
    changed = True
    while changed:
        changed = False
        for terms in equations:
            unknown = [(c, s) for c, s in terms if c not in known]
            if len(unknown) == 1:
                cell, sign = unknown[0]
                value = -sum(s * known[c] for c, s in terms if c in known) / sign
                known[cell] = value
                if cell in hidden:
                    found[cell] = (value, value)
                changed = True
    reduced = []
    for terms in equations:
        unknown = [(c, s) for c, s in terms if c not in known]
        constant = -sum(s * known[c] for c, s in terms if c in known)
        if unknown:
            reduced.append((unknown, constant))
        elif abs(constant) > 1e-9:
            raise AssertionError(f"published cells contradict a line: {terms}")
    systems = [_System(cells, rows, unpublished, hidden) for cells, rows in _components(reduced)]
    in_systems = {c for system in systems for c in system.cells}
    for cell in hidden - set(found) - in_systems:  # in no line at all: anything from 1 up
        found[cell] = (1.0, math.inf)
    return found, systems


def _components(
    rows: list[tuple[list[tuple[Hashable, float]], float]],
) -> list[tuple[list[Hashable], list[tuple[list[tuple[Hashable, float]], float]]]]:
    parent: dict[Hashable, Hashable] = {}

    def root(cell: Hashable) -> Hashable:
        parent.setdefault(cell, cell)
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    for terms, _ in rows:
        first = root(terms[0][0])
        for cell, _ in terms[1:]:
            other = root(cell)
            if other != first:
                parent[other] = first
    cells_of: dict[Hashable, list[Hashable]] = defaultdict(list)
    for cell in list(parent):
        cells_of[root(cell)].append(cell)
    rows_of: dict[Hashable, list] = defaultdict(list)
    for row in rows:
        rows_of[root(row[0][0][0])].append(row)
    return [(sorted(cells_of[r], key=repr), rows_of[r]) for r in cells_of]
