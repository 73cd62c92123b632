"""The one write of `insight`: taking the measures snapshot (models.py says why).

Each period's cells are written in a transaction of their own, so a count of England (minutes)
never holds the database's write lock for long; the snapshot is marked complete only when
every period is in. Readers read the latest complete snapshot, and the one before it is kept,
so a page that began reading it while the next was being finished still finds its cells.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from tqdm import tqdm

from .measures import DIMENSIONS, EMPTY, MEASURES, Tally, grouped_counts
from .models import MeasureCell, MeasureSnapshot
from .periods import Period, snapshot_periods

BATCH = 5_000
#: An unfinished snapshot older than this was interrupted (a count of England takes minutes).
INTERRUPTED_AFTER = timedelta(hours=6)
Cell = tuple[str, ...]  # (measure, area, *breakdown values)


def take_snapshot(
    *, as_of: date, taken_at: datetime | None = None, progress: Any = None
) -> MeasureSnapshot:
    """Count every measure for every area and breakdown over the periods offered on `as_of`
    (with their trends), store the aggregates, mark them complete, and drop the complete
    snapshots but this one and the one before it, and any count left unfinished hours ago. A
    progress bar goes to `progress` (a stream), when given."""
    started = time.perf_counter()
    periods = tqdm(
        snapshot_periods(as_of),
        desc="Counting the measures",
        unit="period",
        file=progress,
        disable=progress is None,
    )
    snapshot = MeasureSnapshot.objects.create(
        as_of=as_of,
        taken_at=taken_at or timezone.now(),
        measures=",".join(m.key for m in MEASURES),
    )
    for period in periods:
        cells = _count(period)
        with transaction.atomic():
            MeasureCell.objects.bulk_create(
                (
                    MeasureCell(
                        snapshot=snapshot,
                        period_start=period.start,
                        period_end=period.end,
                        measure=measure,
                        area=area,
                        **dict(zip(DIMENSIONS, breakdown, strict=True)),
                        numerator=t.numerator,
                        denominator=t.denominator,
                        total=t.total,
                        squares=t.squares,
                    )
                    for (measure, area, *breakdown), t in cells.items()
                ),
                batch_size=BATCH,
            )
    with transaction.atomic():
        snapshot.complete = True
        snapshot.seconds = time.perf_counter() - started
        snapshot.save(update_fields=["complete", "seconds"])
        done = MeasureSnapshot.objects.filter(complete=True).order_by("-taken_at", "-pk")
        kept = [s.pk for s in done[:2]]
        # An unfinished count hours old was interrupted (it is never read); a newer one may
        # still be running beside this one, and is left to finish.
        interrupted = Q(complete=False, taken_at__lt=snapshot.taken_at - INTERRUPTED_AFTER)
        _delete(MeasureSnapshot.objects.filter(Q(complete=True) | interrupted).exclude(pk__in=kept))
    if connection.vendor == "postgresql":
        # Half a million new rows: plan the readers' sums on them, not on the old ones.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {MeasureCell._meta.db_table}")
    return snapshot


def _count(period: Period) -> dict[Cell, Tally]:
    """One period's tallies by measure, area and breakdown values."""
    cells: dict[Cell, Tally] = {}
    for where, tallies in grouped_counts(MEASURES, period, by_dimension=True):
        values = tuple(where[name] for name in ("area", *DIMENSIONS))
        for key, tally in tallies.items():
            cell = (key, *values)
            cells[cell] = cells.get(cell, EMPTY) + tally
    return cells


def _delete(snapshots: Any) -> None:
    with transaction.atomic():
        MeasureCell.objects.filter(snapshot__in=snapshots).delete()
        snapshots.delete()
