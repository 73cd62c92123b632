"""The commissioner as an attacker sees the published figures: what they know holds between
them, written here from the measures' definitions (not taken from insight/publish.py), so
the attack in attacker.py can be run on whatever figures a test collected."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from lachealth.insight.disclosure import Line
from lachealth.insight.measures import Kind, Measure, Tally
from lachealth.insight.publish import ALL, Figure

NOBODY = Tally(0, 0)


def _same(s: tuple[str, str]) -> list[tuple[tuple, tuple]]:  # type: ignore[type-arg]
    """Counts the measures' definitions make equal, in every scope."""
    same = [
        *(
            (("d", k, s), ("d", "health_assessment", s))
            for k in ("immunisations", "dental_check", "substance_misuse")
        ),
        (("d", "sdq_mean", s), ("n", "sdq_received", s)),
        (("d", "sdq_concern", s), ("n", "sdq_received", s)),
        (("d", "placed_out_of_area", s), ("d", "three_placements", s)),
    ]
    if s in (("age_band", "under-1"), ("age_band", "1-4")):  # under 5 on the last day
        same.append((("d", "development", s), ("d", "health_assessment", s)))
    if s in (("age_band", "5-9"), ("age_band", "10-15")):  # 4 to 16 all year
        same.append((("d", "sdq_received", s), ("d", "health_assessment", s)))
    if s in (ALL, ("location", "out")):  # placed out of area: the children placed "out"
        out = ("location", "out")
        same.append((("n", "placed_out_of_area", s), ("d", "three_placements", out)))
    return same


def reader(
    obtained: Mapping[tuple[str, str, str, str], Figure],
    scopes: Mapping[str, frozenset[str]],
    tallies: Mapping[tuple[str, str, str, str], Tally],
    values: Mapping[str, Sequence[str]],
    measures: Sequence[Measure],
) -> tuple[dict, list[Line], dict]:  # type: ignore[type-arg]
    """What the reader holds (each obtained count, None for a "c"), the sums and equalities
    they know hold between every count (obtained or not), and, for the test alone, the true
    value of every count."""
    slices = [ALL, *((name, v) for name, vs in values.items() for v in vs)]
    keys = {m.key for m in measures}
    published: dict = {}
    truth: dict = {}
    lines: list[Line] = []
    for m in measures:
        counts = ("d",) if m.kind == Kind.MEAN else ("n", "g", "d")
        for scope, members in scopes.items():
            for s in slices:
                true = sum((tallies.get((m.key, a, *s), NOBODY) for a in members), NOBODY)
                truth[("d", m.key, scope, s)] = true.denominator
                truth[("n", m.key, scope, s)] = true.numerator
                truth[("g", m.key, scope, s)] = true.denominator - true.numerator
                fig = obtained.get((m.key, scope, *s))
                if fig is not None:
                    published[("d", m.key, scope, s)] = fig.denominator
                    if m.kind != Kind.MEAN:
                        published[("n", m.key, scope, s)] = fig.numerator
                if m.kind != Kind.MEAN:
                    cells = [(c, m.key, scope, s) for c in "ng"]
                    lines.append(Line(("d", m.key, scope, s), tuple(cells)))
            for c in counts:
                for name, vs in values.items():
                    parts = tuple((c, m.key, scope, (name, v)) for v in vs)
                    lines.append(Line((c, m.key, scope, ALL), parts))
                if members != {scope}:
                    for s in slices:
                        parts = tuple((c, m.key, a, s) for a in sorted(members))
                        lines.append(Line((c, m.key, scope, s), parts))
    for scope in scopes:
        for s in slices:
            for (ca, ma, sa), (cb, mb, sb) in _same(s):
                if ma in keys and mb in keys:
                    lines.append(Line((ca, ma, scope, sa), ((cb, mb, scope, sb),)))
    for line in lines:  # the lines hold (else an attack on them proves nothing)
        assert truth[line.total] == sum(truth[p] for p in line.parts), line
    return published, lines, truth


def small_unpublished(published, truth):  # type: ignore[no-untyped-def]
    """The counts (numerators and denominators) from 1 to 5 the reader is never shown: they
    must not be worked out either."""
    return {c for c, v in truth.items() if c not in published and c[0] != "g" and 0 < v < 6}


def collect(audience, periods, taken):  # type: ignore[no-untyped-def]
    """Every figure the measures page and its downloads give an aggregate-only `audience`
    for `periods` from the snapshot `taken`: each filter (one characteristic at a time), each
    area of theirs and their footprint, compared with the footprint and with England, with
    the trend years of each. Returns ({period: {key: figure}}, the rows as shown: (key, row)),
    and fails if one figure is shown two ways."""
    from lachealth.insight import selectors
    from lachealth.insight.forms import BREAKDOWNS
    from lachealth.insight.measures import EVERYONE, Breakdown
    from lachealth.insight.publish import ENGLAND, OTHER, breakdown_values, scope_key
    from lachealth.people.models import Area

    every = frozenset(Area.objects.values_list("code", flat=True))
    footprint = scope_key(audience.areas, every)
    values = breakdown_values()
    cuts = [EVERYONE] + [
        Breakdown(**{name: value})
        for name in BREAKDOWNS
        for value in values[name]
        if value != OTHER  # not offered: the reader only works it out
    ]
    obtained: dict = defaultdict(dict)  # type: ignore[type-arg]
    rows = []
    for period in periods:
        earlier = {period.previous(n).label: period.previous(n) for n in range(5)}
        for focus in ("", *sorted(audience.areas)):
            for england in (False, True):
                for breakdown in cuts:
                    if focus and breakdown != EVERYONE and len(audience.areas) > 1:
                        continue  # refused: broken down, figures are for the footprint
                    choice = selectors.Choice(period, focus, england, breakdown)
                    board = selectors.dashboard(audience, choice, charts_wanted=False, taken=taken)
                    assert board.as_at is not None  # read from the snapshot
                    cut = selectors._slice(breakdown)
                    total_scope = ENGLAND if england else footprint
                    for result in board.results:
                        key = result.measure.key
                        got = [(period, (key, r.code, *cut), r) for r in result.rows]
                        got.append((period, (key, total_scope, *cut), result.total))
                        for label, row in result.trend:
                            got.append((earlier[label], (key, focus or footprint, *cut), row))
                        for p, k, row in got:
                            fig = Figure(row.numerator.value, row.denominator.value)
                            seen = obtained[p].setdefault(k, fig)
                            assert seen == fig, (p.label, k)  # one figure, wherever shown
                            rows.append((k, row))
    return obtained, rows


def attack(obtained, areas):  # type: ignore[no-untyped-def]
    """The hidden counts of `obtained` (as `collect` gives them, for a reader of the
    footprint `areas`) that linear programming over the sums the reader knows pins to one
    value, and how many hidden counts there were."""
    from lachealth.insight.measures import MEASURES, grouped_counts
    from lachealth.insight.publish import ENGLAND, area_tallies, breakdown_values, scope_key
    from lachealth.people.models import Area

    from .attacker import pinned

    every = frozenset(Area.objects.values_list("code", flat=True))
    footprint = scope_key(areas, every)
    values = breakdown_values()
    found: dict = {}  # type: ignore[type-arg]
    hidden = 0
    for period, figures in obtained.items():
        tallies = area_tallies(grouped_counts(MEASURES, period, by_dimension=True), values)
        present = {a for (_, a, *_) in tallies}
        scopes = {a: frozenset({a}) for a in present}
        scopes[ENGLAND] = frozenset(present)
        scopes[footprint] = frozenset(areas) & present
        # a scope with nobody in it shows 0 of 0 (the page leaves the row out)
        shown = {k: f for k, f in figures.items() if k[1] in scopes}
        published, lines, truth = reader(shown, scopes, tallies, values, MEASURES)
        secret = small_unpublished(published, truth)
        hidden += sum(v is None for v in published.values()) + len(secret)
        pins = pinned(published, lines, truth, extra=secret)
        found |= {(period.label, *cell): v for cell, v in pins.items()}
    return found, hidden
