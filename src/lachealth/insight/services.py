"""The writes of `insight`: an area's unit costs (`save_unit_costs`), and taking the measures
snapshot (models.py says why): for each
period, the figures `publish` gives (suppressed as one family, ADR 010), the same function a
commissioner's page counts with when the snapshot does not hold what it asks for.

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
from django.http import HttpRequest
from django.utils import timezone
from tqdm import tqdm

from lachealth.people import audit
from lachealth.people.models import AccessAction, Area

from .measures import MEASURES
from .models import COST_CATEGORIES, MeasureSnapshot, PublishedFigure, UnitCost
from .periods import snapshot_periods
from .publish import ENGLAND, count_published, published_scopes

BATCH = 5_000
#: An unfinished snapshot older than this was interrupted (a count of England takes minutes).
INTERRUPTED_AFTER = timedelta(hours=6)


def take_snapshot(
    *, as_of: date, taken_at: datetime | None = None, progress: Any = None
) -> MeasureSnapshot:
    """Count every measure for every area, footprint and breakdown over the periods offered
    on `as_of` (with their trends), store the published figures, mark them complete, and
    drop the complete snapshots but this one and the one before it, and any count left
    unfinished hours ago. A progress bar goes to `progress` (a stream), when given."""
    started = time.perf_counter()
    periods = tqdm(
        snapshot_periods(as_of),
        desc="Counting the measures",
        unit="period",
        file=progress,
        disable=progress is None,
    )
    scopes = published_scopes()
    snapshot = MeasureSnapshot.objects.create(
        as_of=as_of,
        taken_at=taken_at or timezone.now(),
        measures=",".join(m.key for m in MEASURES),
        footprints=",".join(sorted(scopes.detailed - {ENGLAND})),
    )
    for period in periods:
        figures = count_published(period, scopes.members, MEASURES, scopes.detailed)
        with transaction.atomic():
            PublishedFigure.objects.bulk_create(
                (
                    PublishedFigure(
                        snapshot=snapshot,
                        period_start=period.start,
                        period_end=period.end,
                        measure=measure,
                        scope=scope,
                        breakdown=breakdown,
                        value=value,
                        numerator=f.numerator,
                        denominator=f.denominator,
                        total=f.total,
                        squares=f.squares,
                    )
                    for (measure, scope, breakdown, value), f in figures.items()
                    # 0 of 0 is what a missing figure means; England is always kept
                    if f.numerator != 0 or f.denominator != 0 or scope == ENGLAND
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
        # A million new rows: plan the readers' queries on them, not on the old ones.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {PublishedFigure._meta.db_table}")
    return snapshot


def _delete(snapshots: Any) -> None:
    with transaction.atomic():
        PublishedFigure.objects.filter(snapshot__in=snapshots).delete()
        snapshots.delete()


@transaction.atomic
def save_unit_costs(
    request: HttpRequest, area: Area, held: dict[str, UnitCost], data: dict[str, Any]
) -> list[str]:
    """Write an area's weekly unit costs that changed (a blank removes one; each change is
    in the costs' history, and the access log says who changed which); the names of those
    changed."""
    changed = []
    names = dict(COST_CATEGORIES)
    for key, _ in COST_CATEGORIES:
        value, old = data.get(key), held.get(key)
        if value is None and old is not None:
            old.delete()
        elif value is not None and (old is None or old.weekly_cost != value):
            UnitCost.objects.update_or_create(
                area=area,
                category=key,
                defaults={"weekly_cost": value, "changed_by": request.user},
            )
        else:
            continue
        changed.append(names[key].lower())
    if changed:
        audit.record(
            request,
            AccessAction.CHANGE,
            detail=f"unit costs of {area.code}: {', '.join(changed)}",
        )
    return changed
