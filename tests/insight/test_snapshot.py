"""The measures snapshot that commissioners and board reports read counts exactly what the
records count (every period, breakdown and area) and replaces the snapshot before it whole."""

from __future__ import annotations

from datetime import date

import pytest

from lachealth.insight import snapshot
from lachealth.insight.measures import MEASURES, count
from lachealth.insight.models import MeasureCell, MeasureSnapshot
from lachealth.insight.periods import (
    TREND_YEARS,
    offered_periods,
    snapshot_periods,
    year_to_march,
)
from lachealth.insight.services import take_snapshot

from .test_measures import AREAS, BREAKDOWNS, PERIODS, random_world  # noqa: F401, F811

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 23)


def test_the_snapshot_holds_every_offered_period_and_its_trend():
    held = {(p.start, p.end) for p in snapshot_periods(AS_OF)}
    assert len(held) == len(snapshot_periods(AS_OF))  # each once
    for period in offered_periods(AS_OF):
        for back in range(TREND_YEARS):
            earlier = period.previous(back)
            assert (earlier.start, earlier.end) in held


def test_the_snapshot_counts_what_the_records_count(random_world):  # type: ignore[no-untyped-def]  # noqa: F811
    taken = take_snapshot(as_of=AS_OF)
    from_cells = snapshot.counter(taken)
    for period_of in PERIODS:
        period = period_of()
        assert snapshot.covers(taken, period, MEASURES)
        for breakdown in BREAKDOWNS:
            assert from_cells(MEASURES, period, breakdown=breakdown) == count(
                MEASURES, period, breakdown=breakdown
            ), (period, breakdown)
        assert from_cells(MEASURES, period, areas=AREAS[:1]) == count(
            MEASURES, period, areas=AREAS[:1]
        )


def test_a_new_snapshot_replaces_the_old_one_whole(random_world):  # type: ignore[no-untyped-def]  # noqa: F811
    first = take_snapshot(as_of=AS_OF)
    second = take_snapshot(as_of=AS_OF)
    assert list(MeasureSnapshot.objects.all()) == [second]
    assert not MeasureCell.objects.filter(snapshot=first.pk).exists()
    assert MeasureCell.objects.filter(snapshot=second).exists()
    assert snapshot.latest_snapshot() == second


def test_a_period_the_snapshot_does_not_hold_is_not_covered(random_world):  # type: ignore[no-untyped-def]  # noqa: F811
    taken = take_snapshot(as_of=AS_OF)
    assert not snapshot.covers(taken, year_to_march(2000), MEASURES)
    with pytest.raises(ValueError, match="not a caseload"):
        snapshot.counter(taken)(MEASURES, year_to_march(2026), rows_q=lambda cohort: None)
