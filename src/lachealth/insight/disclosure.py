"""Which published counts to hide so that no count from 1 to 5 can be worked out from the
others, however a reader combines them (ADR 010): pure, counts in and hidden cells out.

The DfE's rule shows counts from 1 to 5 as "c". On its own that protects nothing in a table
builder: a hidden count is a total less its shown parts, or one area's share of a footprint
less the others'. So every count an aggregate-only reader can obtain for a period is one
family of linked tables: cells (a count each) and `Line`s saying which cell is the sum of
which others. A measure's numerator, its gap (the children counted but not in the numerator)
and its denominator are cells too, with the line denominator = numerator + gap: a gap from 1 to
5 is a small group of children as much as a numerator is, and modelling it leaves the reader
nothing but sums. `protect` hides cells of the whole family together:

1. primary: every count from 1 to `threshold - 1` (zeros are shown, as the DfE shows them);
2. secondary: until every line with a hidden cell has two or more, and the hidden parts of a
   line whose total is shown are not all at the least a reader can work out they are (1 for
   a "c", the sum of its parts' least for a hidden total): where a line falls short, its
   smallest shown non-zero part is hidden too (its total if none is);
3. the check a careful reader would make: the lines are equations in the hidden cells, each
   at least 1; a hidden cell that no solution moves by a whole 1 from its true value (a
   bridge between two groups of hidden cells, the end of an odd cycle of sums, a cell pressed
   against the floor of 1 by its neighbours) gets another cell of its lines hidden (the
   nearest there is), and steps 2 and 3 repeat.

A family's lines should follow its nesting (England = its footprints + areas in none; a
footprint = its areas), so that a difference of two published totals is itself a line. What
a reader knows of a hidden cell is that it is at least 1; the tests play that reader with
linear programming over every published cell.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np

K = TypeVar("K", bound=Hashable)

#: The DfE's threshold: counts below it (and above 0) are shown as "c".
SMALLEST_SHOWN = 6
#: How far from its true value the check lets a hidden cell go (a move inside it is a move).
_BOX = 1e6
#: Programmes with random objectives solved before each cell not yet moved gets its own.
_RANDOM_PROGRAMMES = 6


@dataclass(frozen=True)
class Line(Generic[K]):
    """`total` is the sum of `parts` (a cell known to be 0 is simply left out)."""

    total: K
    parts: tuple[K, ...]

    @property
    def cells(self) -> tuple[K, ...]:
        return (self.total, *self.parts)


def protect(
    values: Mapping[K, int],
    lines: Iterable[Line[K]],
    *,
    threshold: int = SMALLEST_SHOWN,
) -> frozenset[K]:
    """The cells of `values` to show as "c" (never a 0)."""
    all_lines = [line for line in lines if line.parts]
    for line in all_lines:
        missing = [cell for cell in line.cells if cell not in values]
        if missing:
            raise ValueError(f"A line names a cell with no value: {missing[0]!r}")
    by_cell: dict[K, list[Line[K]]] = defaultdict(list)
    for line in all_lines:
        for cell in line.cells:
            by_cell[cell].append(line)
    hidden = {cell for cell, value in values.items() if 0 < value < threshold}
    while True:
        _complete(hidden, all_lines, values)
        fixed = determined(hidden, all_lines, values)
        if not fixed:
            return frozenset(hidden)
        added = False
        for cell in sorted(fixed, key=repr):
            added |= _widen(cell, hidden, by_cell, values)
        if not added:  # every cell of its lines is hidden or 0: nothing more can be done
            return frozenset(hidden)


def lower_bounds(
    hidden: set[K] | frozenset[K],
    lines: list[Line[K]],
    values: Mapping[K, int],
) -> dict[K, int]:
    """The least each hidden cell can be, as a reader works it out: 1 (a "c" is never 0), and
    a hidden total at least the sum of its parts' least."""
    least = dict.fromkeys(hidden, 1)
    changed = True
    while changed:
        changed = False
        for line in lines:
            if line.total in hidden:
                floor = sum(least[p] if p in hidden else values[p] for p in line.parts)
                if floor > least[line.total]:
                    least[line.total] = floor
                    changed = True
    return least


def line_is_safe(
    line: Line[K],
    hidden: set[K] | frozenset[K],
    values: Mapping[K, int],
    least: Mapping[K, int] | None = None,
) -> bool:
    """A line gives no hidden cell away on its own: none hidden, or two or more and, when its
    total is shown, hidden parts that are not all at the least they could be (`least`; 1 by
    default) - else each of them is known."""
    secret = [cell for cell in line.cells if cell in hidden]
    if not secret:
        return True
    if len(secret) < 2:
        return False
    if line.total in hidden:
        return True
    floor = least or {}
    return sum(values[cell] - floor.get(cell, 1) for cell in secret) > 0


def _complete(hidden: set[K], lines: list[Line[K]], values: Mapping[K, int]) -> None:
    """Step 2: hide more until every line is safe."""
    changed = True
    while changed:
        changed = False
        least = lower_bounds(hidden, lines, values)
        for line in lines:
            if not line_is_safe(line, hidden, values, least):
                choice = _another(line, hidden, values)
                if choice is not None:
                    hidden.add(choice)
                    least.setdefault(choice, 1)
                    changed = True


def _another(line: Line[K], hidden: set[K], values: Mapping[K, int]) -> K | None:
    """The cell to hide next in a line: its smallest shown non-zero part, else its total."""
    parts = [cell for cell in line.parts if cell not in hidden and values[cell] > 0]
    if parts:
        return min(parts, key=lambda cell: (values[cell], repr(cell)))
    if line.total not in hidden and values[line.total] > 0:
        return line.total
    return None


def _widen(
    cell: K, hidden: set[K], by_cell: Mapping[K, list[Line[K]]], values: Mapping[K, int]
) -> bool:
    """Hide one more cell in a line through `cell` (the line with the fewest hidden first), or,
    when all of those are hidden or 0, in the nearest line through the hidden cells linked to
    it: a new unknown in an equation that fixed `cell`. `by_cell`: the lines through each."""
    seen, frontier = {cell}, [cell]
    while frontier:
        through = sorted(
            {id(line): line for c in frontier for line in by_cell.get(c, [])}.values(),
            key=lambda line: (sum(c in hidden for c in line.cells), repr(line.total)),
        )
        for line in through:
            choice = _another(line, hidden, values)
            if choice is not None:
                hidden.add(choice)
                return True
        frontier = [c for line in through for c in line.cells if c in hidden and c not in seen]
        seen.update(frontier)
    return False


def determined(
    hidden: set[K] | frozenset[K], lines: Iterable[Line[K]], values: Mapping[K, int]
) -> set[K]:
    """The hidden cells a reader can narrow to one whole number from the lines, knowing each
    hidden cell is at least 1 (the linear programme a careful reader would solve, rounded).

    A cell is safe when some values the lines allow put it at least 1 away from its true
    value. A few programmes with random objectives find such values for most cells at once;
    each cell left gets its own two (raise it; lower it)."""
    equations = []
    for line in lines:
        terms = [(cell, 1.0) for cell in (line.total,) if cell in hidden]
        terms += [(cell, -1.0) for cell in line.parts if cell in hidden]
        if terms:
            equations.append(terms)
    from scipy.sparse import csr_array

    fixed: set[K] = set()
    for cells, rows in _components(hidden, equations):
        position = {cell: i for i, cell in enumerate(cells)}
        entries = [
            (r, position[cell], sign) for r, terms in enumerate(rows) for cell, sign in terms
        ]
        r_index, c_index, signs = zip(*entries, strict=True)
        # Sparse: a line touches a few of the thousands of hidden cells of England's family.
        matrix = csr_array((signs, (r_index, c_index)), shape=(len(rows), len(cells)))
        truth = np.array([values[cell] for cell in cells], dtype=float)
        fixed.update(cells[i] for i in _unmovable(matrix, truth))
    return fixed


def _unmovable(matrix: Any, truth: np.ndarray) -> list[int]:
    """The cells that no solution of matrix @ x = matrix @ truth with x >= 1 moves by 1 or
    more. The change from the truth is solved for, boxed (a move within the box is a move)."""
    from scipy.optimize import linprog

    n = matrix.shape[1]
    bounds = [(1 - t, _BOX) for t in truth]
    zeros = np.zeros(matrix.shape[0])

    def extreme(objective: np.ndarray) -> np.ndarray:
        result = linprog(objective, A_eq=matrix, b_eq=zeros, bounds=bounds, method="highs")
        if result.status != 0:
            raise RuntimeError(f"The disclosure check could not be solved: {result.message}")
        return np.asarray(result.x)

    moved = np.zeros(n, dtype=bool)
    rng = np.random.default_rng(n)
    for _ in range(_RANDOM_PROGRAMMES):
        moved |= np.abs(extreme(rng.standard_normal(n))) >= 1 - 1e-7
        if moved.all():
            return []
    stuck = []
    for i in np.flatnonzero(~moved):
        unit = np.zeros(n)
        unit[i] = 1.0
        if extreme(-unit)[i] < 1 - 1e-7 and extreme(unit)[i] > -1 + 1e-7:
            stuck.append(int(i))
    return stuck


def _components(
    hidden: set[K] | frozenset[K], equations: list[list[tuple[K, float]]]
) -> list[tuple[list[K], list[list[tuple[K, float]]]]]:
    """The equations split into groups that share no hidden cell."""
    parent: dict[K, K] = {}

    def root(cell: K) -> K:
        parent.setdefault(cell, cell)
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    for terms in equations:
        first = root(terms[0][0])
        for cell, _ in terms[1:]:
            other = root(cell)
            if other != first:
                parent[other] = first
    cells_of: dict[K, list[K]] = defaultdict(list)
    for cell in parent:
        cells_of[root(cell)].append(cell)
    rows_of: dict[K, list[list[tuple[K, float]]]] = defaultdict(list)
    for terms in equations:
        rows_of[root(terms[0][0])].append(terms)
    return [(cells_of[r], rows_of[r]) for r in cells_of]
