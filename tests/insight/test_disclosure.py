"""Hiding counts across linked tables: examples the per-table rule got wrong, and hypothesis
playing the attacker (linear programming over every published cell) on generated families of
areas, footprints, breakdowns, numerators and denominators. No database."""

from __future__ import annotations

from collections import defaultdict
from itertools import product

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lachealth.insight.disclosure import Line, determined, line_is_safe, protect

from .attacker import pinned, ranges

ALL = ("all", "")


def family(atoms, sets, dims):  # type: ignore[no-untyped-def]
    """Cells and lines of every one-way margin of `atoms` ({(area, *category per dimension):
    (denominator, numerator)}) over each set of areas in `sets`: the denominator ("d"), the
    numerator ("n") and the gap between them ("g"), with d = n + g in every cell."""
    values: dict = defaultdict(int)
    positions = [ALL] + [(d, c) for d, cats in enumerate(dims) for c in cats]
    for (area, *cats), (den, num) in atoms.items():
        for name in sets:
            if area not in sets[name]:
                continue
            for count, value in (("d", den), ("n", num), ("g", den - num)):
                values[(count, name, ALL)] += value
                for d, c in enumerate(cats):
                    values[(count, name, (d, c))] += value
    for count, name, position in product("dng", sets, positions):
        values.setdefault((count, name, position), 0)
    lines = []
    for count, name in product("dng", sets):
        for d, cats in enumerate(dims):
            lines.append(Line((count, name, ALL), tuple((count, name, (d, c)) for c in cats)))
        for position in positions:
            parts = tuple((count, part, position) for part in children(name, sets))
            if parts:
                lines.append(Line((count, name, position), parts))
    for name, position in product(sets, positions):
        lines.append(Line(("d", name, position), (("n", name, position), ("g", name, position))))
    return dict(values), lines


def shown_to_reader(values, hidden):  # type: ignore[no-untyped-def]
    """What the page shows: numerators and denominators, hidden or not (a gap is never shown)."""
    return {k: (None if k in hidden else v) for k, v in values.items() if k[0] != "g"}


def children(name, sets):  # type: ignore[no-untyped-def]
    """The largest sets inside a set of a nested family, and its areas in none of them."""
    members = sets[name]
    inner = [o for o in sets if o != name and len(sets[o]) > 1 and sets[o] < members]
    largest = [o for o in inner if not any(sets[o] < sets[p] for p in inner)]
    covered = set().union(*(sets[o] for o in largest)) if largest else set()
    if len(members) == 1:
        return []
    return sorted(largest) + sorted(members - covered)


def published(values, hidden):  # type: ignore[no-untyped-def]
    return {k: (None if k in hidden else v) for k, v in values.items()}


def test_a_hidden_count_is_no_longer_its_total_less_the_shown_others():
    # The area's annual assessments, 2025-26, by placement type: 40 in all, 3 in one type.
    values = {"all": 40, "foster": 30, "residential": 7, "other": 3}
    lines = [Line("all", ("foster", "residential", "other"))]
    hidden = protect(values, lines)
    assert hidden == {"other", "residential"}
    assert pinned(published(values, hidden), lines) == {}
    assert pinned(shown_to_reader(values, hidden), lines) == {}


def test_the_per_table_rule_leaks_and_the_linked_rule_does_not():
    # Two areas of a footprint by sex: each area's column and the footprint's row are
    # suppressed on their own by the old rule, and subtraction across them recovers the 2.
    atoms = {("A", "M"): (20, 0), ("A", "F"): (2, 0), ("B", "M"): (30, 0), ("B", "F"): (25, 0)}
    sets = {"A": {"A"}, "B": {"B"}, "fp": {"A", "B"}}
    values, lines = family(atoms, sets, [("M", "F")])
    values = {k: v for k, v in values.items() if k[0] == "d"}
    lines = [line for line in lines if all(c[0] == "d" for c in line.cells)]
    old = set()
    for name in sets:  # each area's breakdown suppressed as one table with its total
        parts = [("d", name, (0, "M")), ("d", name, (0, "F"))]
        hidden = {c for c in parts if 0 < values[c] < 6}
        if len(hidden) == 1:  # the one other part hidden too
            hidden |= {min((c for c in parts if c not in hidden), key=values.__getitem__)}
        old |= hidden
    assert pinned(published(values, old), lines)  # the attacker recovers a hidden count
    hidden = protect(values, lines)
    assert ("d", "A", (0, "F")) in hidden
    assert pinned(published(values, hidden), lines) == {}
    assert pinned(shown_to_reader(values, hidden), lines) == {}


def test_hidden_parts_that_are_all_ones_are_not_enough():
    values = {"all": 12, "a": 1, "b": 1, "c": 10}
    lines = [Line("all", ("a", "b", "c"))]
    assert not line_is_safe(lines[0], {"a", "b"}, values)
    hidden = protect(values, lines)
    assert hidden == {"a", "b", "c"}
    assert pinned(published(values, hidden), lines) == {}
    assert pinned(shown_to_reader(values, hidden), lines) == {}


def test_a_bridge_between_two_groups_of_hidden_cells_is_found_and_covered():
    # Rows r1..r4 and columns c1..c4 with margins: two 2x2 blocks of hidden cells joined by
    # one hidden cell: every line has two hidden cells, yet the joining cell is fixed.
    rows, cols = ["r1", "r2", "r3", "r4"], ["c1", "c2", "c3", "c4"]
    grid = {(r, c): 20 for r in rows for c in cols}
    for cell in [("r1", "c1"), ("r1", "c2"), ("r2", "c1"), ("r2", "c2")]:
        grid[cell] = 3
    for cell in [("r3", "c3"), ("r3", "c4"), ("r4", "c3"), ("r4", "c4")]:
        grid[cell] = 4
    grid[("r2", "c3")] = 9
    values = dict(grid)
    lines = []
    for r in rows:
        values[(r, "T")] = sum(grid[(r, c)] for c in cols)
        lines.append(Line((r, "T"), tuple((r, c) for c in cols)))
    for c in cols:
        values[("T", c)] = sum(grid[(r, c)] for r in rows)
        lines.append(Line(("T", c), tuple((r, c) for r in rows)))
    hidden = {k for k, v in grid.items() if v < 6} | {("r2", "c3")}
    assert all(line_is_safe(line, hidden, values) for line in lines)
    assert determined(hidden, lines, values) == {("r2", "c3")}
    protected = protect(values, lines)
    assert determined(protected, lines, values) == set()
    assert pinned(published(values, protected), lines) == {}


def test_crossing_footprints_make_an_odd_cycle_that_is_covered():
    # a+b, b+c and a+c are each a published footprint's count: three equations, three hidden.
    values = {"a": 3, "b": 4, "c": 5, "ab": 7, "bc": 9, "ac": 8, "abc": 12}
    lines = [
        Line("ab", ("a", "b")),
        Line("bc", ("b", "c")),
        Line("ac", ("a", "c")),
        Line("abc", ("a", "b", "c")),
    ]
    hidden = protect(values, lines)
    assert pinned(published(values, hidden), lines) == {}
    assert pinned(shown_to_reader(values, hidden), lines) == {}


def test_a_small_gap_is_shown_as_the_dfe_shows_it_and_hidden_only_to_protect():
    # 38 of 40 had their health assessment (24 of 25 in one area, 14 of 15 in the other):
    # the gaps are never published, so the rates near 100% that boards read stay shown.
    values = {"d": 40, "n": 38, "g": 2, "d_a": 25, "n_a": 24, "g_a": 1, "d_b": 15, "n_b": 14}
    values["g_b"] = 1
    lines = [
        Line("d", ("n", "g")),
        Line("d_a", ("n_a", "g_a")),
        Line("d_b", ("n_b", "g_b")),
        *(Line(k, (f"{k}_a", f"{k}_b")) for k in "dng"),
    ]
    counts = [k for k in values if k[0] != "g"]
    assert protect(values, lines, shown=counts) == set()
    # 4 of 15 in the other area: its numerator hidden, and so much else that neither the
    # footprint less the first area nor the denominator less a gap gives it back
    values |= {"n_b": 4, "g_b": 11, "n": 28, "g": 12}
    hidden = protect(values, lines, shown=counts)
    assert "n_b" in hidden and len(hidden & set(counts)) >= 2
    assert pinned(shown_to_reader(values, hidden), lines) == {}


def test_zeros_are_shown_and_nothing_small_is():
    values = {"all": 9, "a": 0, "b": 9, "c": 0}
    assert protect(values, [Line("all", ("a", "b", "c"))]) == frozenset()


def test_the_attacker_finds_a_lone_hidden_cell():
    values = {"all": 10, "a": 7, "b": 3}
    lines = [Line("all", ("a", "b"))]
    assert pinned(published(values, {"b"}), lines) == {"b": 3}
    assert ranges(published(values, {"a", "b"}), lines) == {"a": (1, 9), "b": (1, 9)}


AREAS = ("A", "B", "C", "D")


@st.composite
def populations(draw):  # type: ignore[no-untyped-def]
    areas = AREAS[: draw(st.integers(2, 4))]
    dims = [tuple(f"x{i}" for i in range(draw(st.integers(2, 3)))) for _ in range(2)]
    atoms = {}
    for key in product(areas, *dims):
        den = draw(st.integers(0, 9))
        atoms[key] = (den, draw(st.integers(0, den)))
    sets = {a: {a} for a in areas} | {"england": set(areas)}
    # Footprints nest or are apart, never cross (the family is laminar, as ICBs are).
    order = draw(st.permutations(areas))
    cut = draw(st.integers(0, len(areas)))
    if cut >= 2 and cut < len(areas):
        sets["fp1"] = set(order[:cut])
        if cut >= 3 and draw(st.booleans()):
            sets["fp2"] = set(order[:2])
    if len(areas) - cut >= 2 and draw(st.booleans()):
        sets["fp3"] = set(order[cut:])
    return atoms, sets, dims


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(populations())
def test_no_hidden_count_is_pinned_by_any_combination_of_published_ones(population):  # type: ignore[no-untyped-def]
    atoms, sets, dims = population
    values, lines = family(atoms, sets, dims)
    hidden = protect(values, lines)
    assert {k for k, v in values.items() if 0 < v < 6} <= hidden
    assert not any(values[k] == 0 for k in hidden)
    # The reader of the model knows every gap not hidden, and that a hidden one is at least 1:
    # more than the page tells, so what it cannot pin, the page's reader cannot either.
    assert pinned(published(values, hidden), lines) == {}
    assert pinned(shown_to_reader(values, hidden), lines) == {}
