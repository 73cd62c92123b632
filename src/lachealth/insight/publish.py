"""What an aggregate-only reader (a commissioner, a published board report) is shown: every
measure's counts for every area, every commissioner's footprint and England, for all
children, and for each value of each breakdown for the footprints and England (an area of a
larger footprint is shown whole), suppressed as one family of linked tables
(`disclosure.protect`, ADR 010).

The same function serves the nightly count (`services.take_snapshot` stores what it returns)
and the live count a commissioner falls back on when the snapshot does not hold a period, so
both give the same suppressed figures. `family` and `publish` are pure; `count_published`
reads the records.

The family, for each cohort's measures (cohorts share no child's row, so each is its own):

- cells: a measure's numerator ("n"), its gap ("g": counted but not in the numerator) and
  its denominator ("d") for each scope (an area, a footprint, England) and each slice (all
  children, or one value of one breakdown, with a value for "none of the others" so that a
  breakdown's values always add up to its total); a mean has its count ("d") only;
- lines: d = n + g; all = the sum of a breakdown's values; a footprint (or England) = the
  footprints nested inside it and its areas in none of them (a footprint that crosses
  another, the sum of its areas);
- what the reader knows: the published numerators and denominators (from 1 to 5 hidden,
  and more as the check needs); a gap is not published, so it is never hidden for its own
  sake (68 of 70 is shown as the DfE shows it); an area's breakdown, when not published, is
  in the lines as a count the reader does not know (`protect`'s `unknown`), and one from 1
  to 5 is protected like a hidden count (England less a footprint must not give it away);
  counts an identity makes 0 are known to be 0;
- identities: two cells the measures' definitions make equal (the denominators of measures
  counting the same children; an SDQ mean's count and the SDQ scores received; the children
  placed out of area and the at-end count of those placed "outside") are one cell, so that
  hiding one hides the other. Cells are merged only where their values agree, which is always
  for a true identity and safe for a coincidence (the check then assumes more than a reader
  knows).

A rate or mean is shown only where its counts are and on `MIN_DENOMINATOR` or more, so a
mean's sum is stored only where it may be shown.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from .disclosure import Line, protect
from .measures import DIMENSIONS, EMPTY, MEASURES, Kind, Measure, Tally, grouped_counts
from .periods import AGE_BANDS, ETHNICITY_GROUPS, PLACEMENT_GROUPS, Period

#: Rates and means on fewer than this many are not shown to an aggregate-only reader.
MIN_DENOMINATOR = 10
#: The scope of every area lachealth holds.
ENGLAND = "england"
#: A breakdown's value for rows in none of its offered values (unknown, or an old code).
OTHER = ""

Slice = tuple[str, str]  # (breakdown, value); ALL for every child
ALL: Slice = ("", "")
Key = tuple[str, str, str, str]  # (measure, scope, breakdown, value)
Cell = tuple[str, str, str, str, str]  # ("n" | "g" | "d", measure, scope, breakdown, value)


@dataclass(frozen=True)
class Figure:
    """One measure's counts for one scope and slice as published: None is a hidden count
    ("c"); a mean's sum and sum of squares only where the mean may be shown."""

    numerator: int | None
    denominator: int | None
    total: float | None = None
    squares: float | None = None

    @property
    def tally(self) -> Tally:
        """The shown counts as a tally (a hidden count as 0: nothing is worked out from it)."""
        return Tally(
            self.numerator or 0, self.denominator or 0, self.total or 0.0, self.squares or 0.0
        )


def breakdown_values() -> dict[str, tuple[str, ...]]:
    """Each breakdown's offered values and `OTHER`, in the order the page offers them."""
    from lachealth.care.codes import Sex

    return {
        "age_band": (*(b.key for b in AGE_BANDS), OTHER),
        "sex": (*Sex.values, OTHER),
        "ethnicity": (*ETHNICITY_GROUPS, OTHER),
        "placement": (*PLACEMENT_GROUPS, OTHER),
        "location": ("in", "out", OTHER),
    }


def scope_key(areas: Iterable[str], every_area: frozenset[str]) -> str:
    """How a set of areas is named in the family: an area's code, ENGLAND for every area,
    else a digest of the codes (a footprint)."""
    members = frozenset(areas)
    if len(members) == 1:
        return next(iter(members))
    if members == every_area:
        return ENGLAND
    digest = hashlib.sha256(",".join(sorted(members)).encode()).hexdigest()[:16]
    return f"fp-{digest}"


def scopes_for(
    every_area: Iterable[str], footprints: Iterable[frozenset[str]]
) -> dict[str, frozenset[str]]:
    """Every scope a reader can ask for: each area, each footprint, England."""
    everywhere = frozenset(every_area)
    scopes = {code: frozenset({code}) for code in everywhere}
    for members in [everywhere, *footprints]:
        members = members & everywhere
        if members:
            scopes[scope_key(members, everywhere)] = members
    return scopes


def area_tallies(
    groups: Iterable[tuple[dict[str, str], dict[str, Tally]]],
    values: Mapping[str, Sequence[str]],
) -> dict[Key, Tally]:
    """One-way margins per area from `grouped_counts(..., by_dimension=True)`: (measure,
    area, breakdown, value), with ("", "") for all children and a value not offered as
    OTHER."""
    tallies: dict[Key, Tally] = defaultdict(lambda: EMPTY)
    for where, counted in groups:
        area = where["area"]
        for key, tally in counted.items():
            tallies[(key, area, *ALL)] += tally
            for name in DIMENSIONS:
                value = where[name] if where[name] in values[name] else OTHER
                tallies[(key, area, name, value)] += tally
    return dict(tallies)


def _identities(
    measures: Sequence[Measure], slices: Sequence[Slice]
) -> Iterator[tuple[tuple[str, str, Slice], tuple[str, str, Slice]]]:
    """Pairs of (count, measure, slice) that the measures' definitions make equal in every
    scope (tests/insight/test_snapshot.py holds the records to them)."""
    keys = {m.key for m in measures}
    pairs: list[tuple[tuple[str, str, Slice], tuple[str, str, Slice]]] = []
    for s in slices:
        for m in ("immunisations", "dental_check", "substance_misuse"):
            pairs.append((("d", m, s), ("d", "health_assessment", s)))
        pairs.append((("d", "sdq_mean", s), ("n", "sdq_received", s)))
        pairs.append((("d", "sdq_concern", s), ("n", "sdq_received", s)))
        pairs.append((("d", "placed_out_of_area", s), ("d", "three_placements", s)))
    for band in ("under-1", "1-4"):
        s = ("age_band", band)
        pairs.append((("d", "development", s), ("d", "health_assessment", s)))
    for band in ("5-9", "10-15"):
        s = ("age_band", band)
        pairs.append((("d", "sdq_received", s), ("d", "health_assessment", s)))
    out = ("location", "out")
    for s in (ALL, out):
        pairs.append((("n", "placed_out_of_area", s), ("d", "three_placements", out)))
    pairs.append(
        (
            ("g", "placed_out_of_area", ("location", "in")),
            ("d", "three_placements", ("location", "in")),
        )
    )
    for a, b in pairs:
        if a[1] in keys and b[1] in keys:
            yield a, b


def _parts(scope: str, scopes: Mapping[str, frozenset[str]]) -> list[str]:
    """What a scope is the sum of: the footprints nested in it with nothing nested between,
    and its areas in none of them; its areas alone if those footprints cross. An area is
    the sum of nothing."""
    members = scopes[scope]
    if members == {scope}:
        return []
    inner = [k for k, s in scopes.items() if s < members and s != {k}]
    largest = [k for k in inner if not any(scopes[k] < scopes[o] for o in inner)]
    covered: set[str] = set()
    for k in largest:
        if covered & scopes[k]:  # crossing footprints: no nesting to follow
            return sorted(members)
        covered |= scopes[k]
    return sorted(largest) + sorted(members - covered)


def _slices(values: Mapping[str, Sequence[str]]) -> list[Slice]:
    """All children, then each value of each breakdown."""
    return [ALL, *((name, v) for name, vs in values.items() for v in vs)]


def scope_tallies(
    tallies: Mapping[Key, Tally],
    scopes: Mapping[str, frozenset[str]],
    measures: Sequence[Measure],
    values: Mapping[str, Sequence[str]],
) -> dict[Key, Tally]:
    """Each measure's tally for each scope and slice: the sum of its areas' (`area_tallies`)."""
    return {
        (m.key, scope, *s): sum(
            (tallies.get((m.key, a, *s), EMPTY) for a in sorted(members)), EMPTY
        )
        for m in measures
        for scope, members in scopes.items()
        for s in _slices(values)
    }


def family(
    sums: Mapping[Key, Tally],
    scopes: Mapping[str, frozenset[str]],
    measures: Sequence[Measure],
    values: Mapping[str, Sequence[str]],
) -> tuple[dict[Cell, int], list[Line[Cell]], dict[Cell, Cell], frozenset[Cell]]:
    """The cells (merged by identity), their lines, each cell's merged name, and the cells
    the identities make 0 (a reader knows them, published or not). `sums`: the tallies of
    every scope and slice (`scope_tallies`)."""
    slices = _slices(values)
    raw: dict[Cell, int] = {}
    for m in measures:
        counts = ("d",) if m.kind == Kind.MEAN else ("n", "g", "d")
        for scope in scopes:
            for s in slices:
                t = sums[(m.key, scope, *s)]
                figures = {"n": t.numerator, "g": t.denominator - t.numerator, "d": t.denominator}
                for c in counts:
                    raw[(c, m.key, scope, *s)] = figures[c]
    parent: dict[Cell, Cell] = {}

    def root(cell: Cell) -> Cell:
        while parent.get(cell, cell) != cell:
            cell = parent[cell]
        return cell

    for (ca, ma, sa), (cb, mb, sb) in _identities(measures, slices):
        for scope in scopes:
            a, b = (ca, ma, scope, *sa), (cb, mb, scope, *sb)
            if a in raw and b in raw and raw[a] == raw[b] and root(a) != root(b):
                parent[root(a)] = root(b)
    merged = {cell: root(cell) for cell in raw}
    cells = {merged[cell]: value for cell, value in raw.items()}
    seen: set[tuple[Cell, tuple[Cell, ...]]] = set()
    lines: list[Line[Cell]] = []

    zeros: set[Cell] = set()

    def add(total: Cell, parts: Iterable[Cell]) -> None:
        line = (merged[total], tuple(sorted(merged[p] for p in parts)))
        if line[0] in line[1]:
            # The total is one of its parts (an identity): the others are 0, and a reader
            # knows it from the definitions.
            rest = list(line[1])
            rest.remove(line[0])
            zeros.update(rest)
        elif line not in seen:
            seen.add(line)
            lines.append(Line(*line))

    for m in measures:
        counts = ("d",) if m.kind == Kind.MEAN else ("n", "g", "d")
        for scope in scopes:
            inside = _parts(scope, scopes)
            for s in slices:
                if m.kind != Kind.MEAN:
                    add(("d", m.key, scope, *s), [("n", m.key, scope, *s), ("g", m.key, scope, *s)])
                for c in counts:
                    if inside:
                        add((c, m.key, scope, *s), [(c, m.key, part, *s) for part in inside])
            for c in counts:
                for name, vs in values.items():
                    add((c, m.key, scope, *ALL), [(c, m.key, scope, name, v) for v in vs])
    for line in lines:
        if cells[line.total] != sum(cells[p] for p in line.parts):
            raise ValueError(f"The counts do not add up: {line}")
    for cell in zeros:
        if cells[cell] != 0:
            raise ValueError(f"The counts do not add up: {cell} is {cells[cell]}, not 0")
    return cells, lines, merged, frozenset(zeros)


def publish(
    tallies: Mapping[Key, Tally],
    scopes: Mapping[str, frozenset[str]],
    measures: Sequence[Measure] = MEASURES,
    values: Mapping[str, Sequence[str]] | None = None,
    detailed: frozenset[str] | None = None,
) -> dict[Key, Figure]:
    """Every (measure, scope, breakdown, value) as published, the family of each cohort's
    measures suppressed together. Breakdowns are published for the `detailed` scopes only
    (by default all); another scope's are in the lines, unknown to the reader. A scope with
    nobody counted in a cohort is left out (its counts are all 0, shown): `Figure(0, 0)` is
    what a missing key means."""
    values = values or breakdown_values()
    detailed = frozenset(scopes) if detailed is None else detailed
    by_cohort: dict[str, list[Measure]] = defaultdict(list)
    for m in measures:
        by_cohort[m.cohort.key].append(m)
    figures: dict[Key, Figure] = {}
    for group in by_cohort.values():
        keys = {m.key for m in group}
        counted = {area for (key, area, *_) in tallies if key in keys}
        # An area with nobody in the cohort only adds lines of zeros: leave it out.
        present = {scope: members & counted for scope, members in scopes.items()}
        present = {scope: members for scope, members in present.items() if members}
        sums = scope_tallies(tallies, present, group, values)
        cells, lines, merged, zeros = family(sums, present, group, values)
        # Numerators and denominators of all children, and of each breakdown value of the
        # detailed scopes, are published; a gap, or another scope's breakdown, only sits in
        # the lines (a cell merged with a published one is published).
        published = {
            merged[cell]
            for cell in merged
            if cell[0] != "g" and (cell[3] == "" or cell[2] in detailed)
        }
        unknown = (
            {merged[cell] for cell in merged if cell[3] != "" and cell[2] not in detailed}
            - published
            - zeros
        )
        # An unpublished count from 1 to 5 (an area's breakdown) must not be pinned either.
        counts = {merged[cell] for cell in merged if cell[0] != "g"}
        hidden = protect(
            cells, lines, shown=published, unknown=unknown, unknown_counts=counts & unknown
        )
        for m in group:
            for scope in present:
                cuts = values if scope in detailed else {}
                for key, fig in _figures(m, scope, sums, cuts, merged, hidden):
                    figures[key] = fig
    return figures


def _figures(
    m: Measure,
    scope: str,
    sums: Mapping[Key, Tally],
    values: Mapping[str, Sequence[str]],
    merged: Mapping[Cell, Cell],
    hidden: frozenset[Cell],
) -> Iterator[tuple[Key, Figure]]:
    for s in _slices(values):
        t = sums[(m.key, scope, *s)]
        d_hidden = merged[("d", m.key, scope, *s)] in hidden
        # A mean's count is its numerator and its denominator both.
        n_hidden = d_hidden if m.kind == Kind.MEAN else merged[("n", m.key, scope, *s)] in hidden
        mean_shown = m.kind == Kind.MEAN and not d_hidden and t.denominator >= MIN_DENOMINATOR
        yield (
            (m.key, scope, *s),
            Figure(
                None if n_hidden else t.numerator,
                None if d_hidden else t.denominator,
                t.total if mean_shown else None,
                t.squares if mean_shown else None,
            ),
        )


def count_published(
    period: Period,
    scopes: Mapping[str, frozenset[str]],
    measures: Sequence[Measure] = MEASURES,
    detailed: frozenset[str] | None = None,
) -> dict[Key, Figure]:
    """The published figures of one period, counted from the records."""
    values = breakdown_values()
    groups = grouped_counts(measures, period, by_dimension=True)
    return publish(area_tallies(groups, values), scopes, measures, values, detailed)


@dataclass(frozen=True)
class Scopes:
    """The scopes of the family as lachealth stands: every area, every commissioner's
    footprint and England (`members`), and those published broken down (`detailed`: the
    footprints, one area's included, and England; an area of a larger footprint is
    published as a whole only)."""

    members: dict[str, frozenset[str]]
    detailed: frozenset[str]


def published_scopes() -> Scopes:
    from lachealth.people import access
    from lachealth.people.models import Area

    every = frozenset(Area.english.values_list("code", flat=True))
    footprints = access.commissioner_footprints()
    members = scopes_for(every, footprints)
    detailed = {ENGLAND} | {scope_key(fp & every, every) for fp in footprints if fp & every}
    return Scopes(members, frozenset(detailed))
