"""Reading the measures snapshot (models.py says why it exists): which periods it holds, and
each measure's tally per area counted from its cells, in the shape `measures.count` gives, so
the selectors treat a snapshot and a live count alike."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from django.db.models import Q, Sum

from .measures import DIMENSIONS, EVERYONE, Breakdown, Cohort, Measure, Tally
from .models import MeasureCell, MeasureSnapshot
from .periods import TREND_YEARS, Period, snapshot_periods


def latest_snapshot() -> MeasureSnapshot | None:
    """The latest complete snapshot, if one has been taken."""
    return MeasureSnapshot.objects.filter(complete=True).order_by("-taken_at", "-pk").first()


def covers(snapshot: MeasureSnapshot, period: Period, measures: Sequence[Measure]) -> bool:
    """Whether the snapshot counted these measures for this period and the years of its trend
    (a year it holds only as another's trend is not covered: its own trend is missing)."""
    held = {(p.start, p.end) for p in snapshot_periods(snapshot.as_of)}
    wanted = {(p.start, p.end) for p in (period.previous(n) for n in range(TREND_YEARS))}
    return wanted <= held and {m.key for m in measures} <= snapshot.measure_keys


def counter(snapshot: MeasureSnapshot) -> Callable[..., dict[str, dict[str, Tally]]]:
    """A function like `measures.count` that reads the snapshot instead of the records."""

    def count_cells(
        measures: Sequence[Measure],
        period: Period,
        *,
        breakdown: Breakdown = EVERYONE,
        areas: Iterable[str] | None = None,
        rows_q: Callable[[Cohort], Q] | None = None,
    ) -> dict[str, dict[str, Tally]]:
        if rows_q is not None:
            raise ValueError("A snapshot holds every area's aggregates, not a caseload's")
        cells = MeasureCell.objects.filter(
            snapshot=snapshot,
            period_start=period.start,
            period_end=period.end,
            measure__in=[m.key for m in measures],
        )
        for name in DIMENSIONS:
            if value := getattr(breakdown, name):
                cells = cells.filter(**{name: value})
        if areas is not None:
            cells = cells.filter(area__in=sorted(areas))
        result: dict[str, dict[str, Tally]] = {m.key: {} for m in measures}
        summed = (
            cells.values("measure", "area")
            .annotate(n=Sum("numerator"), d=Sum("denominator"), t=Sum("total"), s=Sum("squares"))
            .order_by()
        )
        for row in summed:
            if row["d"]:
                result[row["measure"]][row["area"]] = Tally(
                    row["n"], row["d"], float(row["t"] or 0), float(row["s"] or 0)
                )
        return result

    return count_cells
