"""The one write of `insight`: taking the measures snapshot (models.py says why), in one
transaction, so a reader sees the old snapshot or the new one and never half of either."""

from __future__ import annotations

import time
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from .measures import DIMENSIONS, EMPTY, MEASURES, Tally, grouped_counts
from .models import MeasureCell, MeasureSnapshot
from .periods import snapshot_periods

BATCH = 5_000
Cell = tuple[str, ...]  # (measure, area, *breakdown values)


def take_snapshot(
    *, as_of: date, taken_at: datetime | None = None, progress: Any = None
) -> MeasureSnapshot:
    """Count every measure for every area and breakdown over the periods offered on `as_of`
    (with their trends), store the aggregates and drop older snapshots. A progress bar goes
    to `progress` (a stream), when given."""
    started = time.perf_counter()
    periods = tqdm(
        snapshot_periods(as_of),
        desc="Counting the measures",
        unit="period",
        file=progress,
        disable=progress is None,
    )
    with transaction.atomic():
        snapshot = MeasureSnapshot.objects.create(
            as_of=as_of,
            taken_at=taken_at or timezone.now(),
            measures=",".join(m.key for m in MEASURES),
        )
        for period in periods:
            cells: dict[Cell, Tally] = {}
            for where, tallies in grouped_counts(MEASURES, period, by_dimension=True):
                values = tuple(where[name] for name in ("area", *DIMENSIONS))
                for key, tally in tallies.items():
                    cell = (key, *values)
                    cells[cell] = cells.get(cell, EMPTY) + tally
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
        older = MeasureSnapshot.objects.exclude(pk=snapshot.pk)
        MeasureCell.objects.filter(snapshot__in=older).delete()
        older.delete()
        if connection.vendor == "postgresql":
            # Half a million new rows: plan the readers' sums on them, not on the old ones.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {MeasureCell._meta.db_table}")
        snapshot.seconds = time.perf_counter() - started
        snapshot.save(update_fields=["seconds"])
    return snapshot
