"""Which published counts to hide so that no count from 1 to 5 can be worked out from the
others, however a reader combines them (ADR 010): pure, counts in and hidden cells out.

The DfE's rule shows counts from 1 to 5 as "c". On its own that protects nothing in a table
builder: a hidden count is a total less its shown parts, or one area's share of a footprint
less the others'. So every count an aggregate-only reader can obtain for a period is one
family of linked tables: cells (a count each) and `Line`s saying which cell is the sum of
which others. A measure's numerator, its gap (the children counted but not in the numerator)
and its denominator are cells too, with the line denominator = numerator + gap, so that the
reader has nothing but sums. The gap is not published, so it is not hidden for its own sake
(`protect`'s `shown`): 68 of 70 is shown as the DfE would show it, and a gap is hidden only
where that protects a hidden count. `protect` hides cells of the whole family together:

1. primary: every published count from 1 to `threshold - 1` (zeros are shown, as the DfE
   shows them);
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

from collections import defaultdict, deque
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
    shown: Iterable[K] | None = None,
    unknown: Iterable[K] = (),
    unknown_counts: Iterable[K] = (),
) -> frozenset[K]:
    """The cells of `values` to show as "c" (never a 0). `shown`: the cells published as
    counts, each hidden from 1 to `threshold - 1` (by default every cell); the others (a gap
    between a numerator and its denominator) are in the lines, hidden only to protect one.
    `unknown`: cells never published (a breakdown of an area published only as a whole):
    hidden from the start and at least 0 to a reader; those of them that are counts
    (`unknown_counts`) from 1 to `threshold - 1` are protected like a hidden count (no
    published figure may pin them), the others need no protection."""
    all_lines = [line for line in lines if line.parts]
    for line in all_lines:
        missing = [cell for cell in line.cells if cell not in values]
        if missing:
            raise ValueError(f"A line names a cell with no value: {missing[0]!r}")
    by_cell: dict[K, list[Line[K]]] = defaultdict(list)
    for line in all_lines:
        for cell in line.cells:
            by_cell[cell].append(line)
    hidden: set[K] = set()
    unknown = frozenset(unknown)
    small = {c for c in unknown_counts if c in unknown and 0 < values[c] < threshold}
    exempt = unknown - small  # never published, and no small group of children
    floors = _Floors(hidden, by_cell, values, unknown)
    for cell in unknown:
        floors.hide(cell)
    for cell in values if shown is None else shown:
        if 0 < values[cell] < threshold:
            floors.hide(cell)
    # A cell once moved by a solution stays movable as more are hidden (the same solution,
    # with the newly hidden at their true values, still holds): only the others are checked.
    safe: set[K] = set()
    todo: Iterable[Line[K]] = all_lines
    while True:
        _complete(todo, floors)
        fixed = determined(
            hidden, all_lines, values, safe=safe, by_cell=by_cell, unknown=unknown, exempt=exempt
        )
        if not fixed:
            return frozenset(hidden - unknown)
        before = set(hidden)
        for cell in sorted(fixed, key=repr):
            _widen(cell, floors)
        if hidden == before:
            # Nothing left to hide beside them: check them over the whole family (the check
            # near them may have missed a way out); a cell still pinned cannot be protected.
            still = determined(hidden, all_lines, values, unknown=unknown, exempt=exempt)
            if still:
                raise RuntimeError(
                    f"{len(still)} counts cannot be protected, e.g. {sorted(still, key=repr)[0]!r}"
                )
            return frozenset(hidden - unknown)
        todo = {id(line): line for c in hidden - before for line in by_cell[c]}.values()


class _Floors(Generic[K]):
    """The hidden cells, and the least each can be as a reader works it out (1 for a "c", 0 for
    a cell never published, and a hidden total at least the sum of its parts' least), kept up
    to date as cells are hidden one by one."""

    def __init__(
        self,
        hidden: set[K],
        by_cell: Mapping[K, list[Line[K]]],
        values: Mapping[K, int],
        unknown: frozenset[K] = frozenset(),
    ) -> None:
        self.hidden, self.by_cell, self.values = hidden, by_cell, values
        self.unknown = unknown  # never published: at least 0, not 1 (a "c")
        self.least: dict[K, int] = {}

    def hide(self, cell: K) -> None:
        self.hidden.add(cell)
        self._settle(cell)
        # It was a shown part of the totals above it: their least now counts its least.
        for line in self.by_cell.get(cell, []):
            if line.total in self.hidden and line.total != cell:
                self._settle(line.total)

    def _settle(self, cell: K) -> None:
        floor = 0 if cell in self.unknown else 1
        for line in self.by_cell.get(cell, []):
            if line.total == cell:
                floor = max(floor, sum(self.of(p) for p in line.parts))
        if self.least.get(cell) != floor:
            self.least[cell] = floor
            for line in self.by_cell.get(cell, []):
                if line.total != cell and line.total in self.hidden:
                    self._settle(line.total)

    def of(self, cell: K) -> int:
        return self.least[cell] if cell in self.hidden else self.values[cell]


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


def _complete(todo: Iterable[Line[K]], floors: _Floors[K]) -> None:
    """Step 2: hide more until every line is safe, starting from the lines `todo` and going
    on to the lines through each cell hidden on the way."""
    queue = deque(todo)
    queued = {id(line) for line in queue}
    while queue:
        line = queue.popleft()
        queued.discard(id(line))
        if line_is_safe(line, floors.hidden, floors.values, floors.least):
            continue
        choice = _another(line, floors.hidden, floors.values)
        if choice is None:
            continue
        floors.hide(choice)
        for again in [line, *floors.by_cell[choice]]:
            if id(again) not in queued:
                queued.add(id(again))
                queue.append(again)


def _another(line: Line[K], hidden: set[K], values: Mapping[K, int]) -> K | None:
    """The cell to hide next in a line: its smallest shown non-zero part, else its total."""
    parts = [cell for cell in line.parts if cell not in hidden and values[cell] > 0]
    if parts:
        return min(parts, key=lambda cell: (values[cell], repr(cell)))
    if line.total not in hidden and values[line.total] > 0:
        return line.total
    return None


def _widen(cell: K, floors: _Floors[K]) -> None:
    """Hide one more cell near `cell`: a new unknown in an equation that fixed it. The smallest
    shown non-zero cell of the lines through it, or through the hidden cells linked to it
    (a line further out, where it is smaller: hiding less is worth a line's distance), or, if
    none, of the nearest lines further out that have one."""
    hidden, by_cell, values = floors.hidden, floors.by_cell, floors.values
    seen, frontier = {cell}, [cell]
    found: list[tuple[int, int, str, K]] = []
    level = 0
    while frontier and (not found or level < 2):
        through = {id(line): line for c in frontier for line in by_cell.get(c, [])}.values()
        for line in through:
            for other in line.cells:
                if other not in hidden and values[other] > 0:
                    found.append((values[other], level, repr(other), other))
        frontier = [c for line in through for c in line.cells if c in hidden and c not in seen]
        seen.update(frontier)
        level += 1
    if found:
        floors.hide(min(found)[3])


def determined(
    hidden: set[K] | frozenset[K],
    lines: Iterable[Line[K]],
    values: Mapping[K, int],
    *,
    safe: set[K] | None = None,
    by_cell: Mapping[K, list[Line[K]]] | None = None,
    unknown: frozenset[K] | None = None,
    exempt: frozenset[K] | None = None,
) -> set[K]:
    """The hidden cells not shown to be safe: every one a reader can narrow to one whole
    number from the lines, knowing each hidden cell is at least 1 (the linear programme a
    careful reader would solve, rounded), and rarely one more.

    A cell is safe when some values the lines allow put it at least 1 away from its true
    value; a few programmes find such values for most cells at once (`_moved`). Given the
    cells already found `safe` (added to as more are found) and the lines through each cell
    (`by_cell`), only the others are checked, in programmes over the hidden cells a few
    lines around them, the rest held at their true values (a solution there is a solution
    of the whole)."""
    targets = set(hidden) - (safe or set()) - (exempt or set())
    if not targets:
        return set()
    everything = len(targets) == len(set(hidden) - (exempt or set())) or by_cell is None
    if everything:
        region: set[K] | frozenset[K] = hidden
        chosen: Iterable[Line[K]] = lines
    else:
        assert by_cell is not None
        region = _around(targets, hidden, by_cell)
        chosen = {id(line): line for c in region for line in by_cell[c]}.values()
    equations = []
    for line in chosen:
        terms = [(cell, 1.0) for cell in (line.total,) if cell in region]
        terms += [(cell, -1.0) for cell in line.parts if cell in region]
        if terms:
            equations.append(terms)
    from scipy.sparse import csr_array

    fixed: set[K] = set()
    for cells, rows in _components(equations):
        wanted = np.array([cell in targets for cell in cells])
        if not wanted.any():
            continue
        position = {cell: i for i, cell in enumerate(cells)}
        entries = [
            (r, position[cell], sign) for r, terms in enumerate(rows) for cell, sign in terms
        ]
        r_index, c_index, signs = zip(*entries, strict=True)
        # Sparse: a line touches a few of the thousands of hidden cells of England's family.
        matrix = csr_array((signs, (r_index, c_index)), shape=(len(rows), len(cells)))
        truth = np.array([values[cell] for cell in cells], dtype=float)
        floor = np.array([0.0 if cell in (unknown or ()) else 1.0 for cell in cells])
        moved = _moved(matrix, truth, wanted, floor, randomly=everything)
        if safe is not None:
            safe.update(cells[i] for i in np.flatnonzero(moved))
        fixed.update(cells[i] for i in np.flatnonzero(wanted & ~moved))
    return fixed


#: How many lines out from the cells to check the programmes of later rounds reach.
_REACH = 3


def _around(
    cells: set[K], hidden: set[K] | frozenset[K], by_cell: Mapping[K, list[Line[K]]]
) -> set[K]:
    """The hidden cells within `_REACH` lines of `cells`."""
    region, frontier = set(cells), set(cells)
    for _ in range(_REACH):
        frontier = {
            other
            for cell in frontier
            for line in by_cell.get(cell, [])
            for other in line.cells
            if other in hidden
        } - region
        region |= frontier
    return region


def _moved(
    matrix: Any, truth: np.ndarray, wanted: np.ndarray, floor: np.ndarray, *, randomly: bool
) -> np.ndarray:
    """The cells some solution of matrix @ x = matrix @ truth with x >= floor was found to move
    by 1 or more, looking for the `wanted` ones. The change from the truth is solved for,
    boxed (a move within the box is a move).

    Every solution found is a witness: a cell it moves by 1 is safe. Random objectives (when
    `randomly`: every cell is wanted) find witnesses for most cells; then the wanted cells
    left are pushed up together (each capped at +1, so the programme prefers moving many by
    a whole 1), then down, while that moves any. A wanted cell left unmoved is rarely one a
    programme of its own would have moved: hiding one more cell than needed then is the
    price of checking the whole of England nightly."""
    from scipy.optimize import linprog

    n = matrix.shape[1]
    bounds = [(f - t, _BOX) for f, t in zip(floor, truth, strict=True)]
    zeros = np.zeros(matrix.shape[0])

    def extreme(objective: np.ndarray, box: list[tuple[float, float]] = bounds) -> np.ndarray:
        result = linprog(objective, A_eq=matrix, b_eq=zeros, bounds=box, method="highs")
        if result.status != 0:
            raise RuntimeError(f"The disclosure check could not be solved: {result.message}")
        return np.asarray(result.x)

    moved = np.zeros(n, dtype=bool)
    rng = np.random.default_rng(n)
    for _ in range(_RANDOM_PROGRAMMES if randomly else 0):
        moved |= np.abs(extreme(rng.standard_normal(n))) >= 1 - 1e-7
        if moved[wanted].all():
            return moved
    for sense in (1.0, -1.0):
        while not moved[wanted].all():
            rest = np.flatnonzero(wanted & ~moved)
            objective = np.zeros(n)
            objective[rest] = -sense
            box = list(bounds)
            for i in rest:
                low, high = bounds[i]
                box[i] = (low, min(high, 1.0)) if sense > 0 else (max(low, -1.0), high)
            found = np.abs(extreme(objective, box)) >= 1 - 1e-7
            if not (found & wanted & ~moved).any():
                moved |= found
                break
            moved |= found
    return moved


def _components(
    equations: list[list[tuple[K, float]]],
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
