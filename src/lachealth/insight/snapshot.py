"""Reading the measures snapshot (models.py says why it exists): which periods, measures and
footprints it holds, and its published figures for some periods and one slice, in the shape
`publish.publish` gives, so the selectors treat a snapshot and a live count alike."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .measures import Measure
from .models import MeasureSnapshot, PublishedFigure
from .periods import TREND_YEARS, Period, snapshot_periods
from .publish import ALL, ENGLAND, Figure, Key, Slice


def latest_snapshot() -> MeasureSnapshot | None:
    """The latest complete snapshot, if one has been taken."""
    return MeasureSnapshot.objects.filter(complete=True).order_by("-taken_at", "-pk").first()


def covers(
    snapshot: MeasureSnapshot,
    period: Period,
    measures: Sequence[Measure],
    scopes: Iterable[str] = (),
    cut: Slice = ALL,
) -> bool:
    """Whether the snapshot counted these measures for this period and the years of its trend
    (a year it holds only as another's trend is not covered: its own trend is missing), and
    published these scopes for this slice: areas and England always as a whole, a footprint
    (one area's included) and England broken down only if it was a commissioner's then."""
    held = {(p.start, p.end) for p in snapshot_periods(snapshot.as_of)}
    wanted = {(p.start, p.end) for p in (period.previous(n) for n in range(TREND_YEARS))}
    scopes = set(scopes)
    return (
        wanted <= held
        and {m.key for m in measures} <= snapshot.measure_keys
        and scopes_held(snapshot, scopes, cut) == scopes
    )


def scopes_held(snapshot: MeasureSnapshot, scopes: Iterable[str], cut: Slice) -> set[str]:
    """Those of `scopes` the snapshot published for this slice (see `covers`)."""
    detailed = snapshot.footprint_keys | {ENGLAND}
    if cut == ALL:
        return {s for s in scopes if s in detailed or not s.startswith("fp-")}
    return {s for s in scopes if s in detailed}


def figures(
    snapshot: MeasureSnapshot,
    periods: Sequence[Period],
    measures: Sequence[Measure],
    cut: Slice,
    scopes: Iterable[str],
) -> dict[tuple[object, object], dict[Key, Figure]]:
    """The published figures of `measures` in `scopes` for one slice, per (start, end) of
    each period. A key not there is 0 of 0."""
    found: dict[tuple[object, object], dict[Key, Figure]] = {(p.start, p.end): {} for p in periods}
    rows = PublishedFigure.objects.filter(
        snapshot=snapshot,
        breakdown=cut[0],
        value=cut[1],
        period_end__in=sorted({p.end for p in periods}),
        measure__in=[m.key for m in measures],
        scope__in=sorted(set(scopes)),
    ).values_list(
        "period_start",
        "period_end",
        "measure",
        "scope",
        "numerator",
        "denominator",
        "total",
        "squares",
    )
    for start, end, measure, scope, n, d, total, squares in rows:
        if (start, end) in found:
            found[(start, end)][(measure, scope, *cut)] = Figure(n, d, total, squares)
    return found
