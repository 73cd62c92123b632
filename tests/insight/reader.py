"""The commissioner as an attacker sees the published figures: what they know holds between
them, written here from the measures' definitions (not taken from insight/publish.py), so
the attack in attacker.py can be run on whatever figures a test collected."""

from __future__ import annotations

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
