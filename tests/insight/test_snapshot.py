"""The measures snapshot that commissioners and board reports read counts exactly what the
records count (every period it holds, breakdown and area); test_snapshot_views.py has the
rest."""

from __future__ import annotations

from datetime import date

import pytest

from lachealth.insight import snapshot
from lachealth.insight.measures import MEASURES, count
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
    """Every period it holds (trend-only years too), every breakdown, all areas or one."""
    taken = take_snapshot(as_of=AS_OF)
    from_cells = snapshot.counter(taken)
    periods = snapshot_periods(AS_OF)
    assert {(p.start, p.end) for p in (f() for f in PERIODS)} <= {(p.start, p.end) for p in periods}
    counted_somewhere = 0
    assert all(snapshot.covers(taken, period, MEASURES) for period in offered_periods(AS_OF))
    for period in periods:
        for breakdown in BREAKDOWNS:
            for areas in (None, AREAS[:1]):
                expected = count(MEASURES, period, breakdown=breakdown, areas=areas)
                got = from_cells(MEASURES, period, breakdown=breakdown, areas=areas)
                assert got == expected, (period, breakdown, areas)
                counted_somewhere += sum(bool(t) for t in expected.values())
    assert counted_somewhere > 100  # the world gives the comparison something to compare


def test_a_period_the_snapshot_does_not_hold_is_not_covered(random_world):  # type: ignore[no-untyped-def]  # noqa: F811
    taken = take_snapshot(as_of=AS_OF)
    assert not snapshot.covers(taken, year_to_march(2000), MEASURES)
    # 2013-14 is held as a year of 2016-17's trend, but its own trend is not
    earliest_offered = offered_periods(AS_OF)[-2]
    assert earliest_offered.label == "2016-17" and snapshot.covers(
        taken, earliest_offered, MEASURES
    )
    trend_only = year_to_march(2014)
    held = {(p.start, p.end) for p in snapshot_periods(AS_OF)}
    assert (trend_only.start, trend_only.end) in held
    assert not snapshot.covers(taken, trend_only, MEASURES)
    with pytest.raises(ValueError, match="not a caseload"):
        snapshot.counter(taken)(MEASURES, year_to_march(2026), rows_q=lambda cohort: None)
