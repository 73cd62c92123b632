"""The measures snapshot that commissioners and board reports read publishes exactly what
the live count publishes (every period it holds, scope and slice), from records that keep the
identities the suppression relies on; test_snapshot_views.py has the rest."""

from __future__ import annotations

from datetime import date

import pytest

from lachealth.insight import snapshot
from lachealth.insight.measures import MEASURES, grouped_counts
from lachealth.insight.periods import (
    TREND_YEARS,
    offered_periods,
    snapshot_periods,
    year_to_march,
)
from lachealth.insight.publish import (
    ALL,
    ENGLAND,
    Figure,
    _identities,
    area_tallies,
    breakdown_values,
    count_published,
    family,
    published_scopes,
    scope_key,
    scope_tallies,
)
from lachealth.insight.services import take_snapshot
from lachealth.people.models import OrganisationKind, Role

from ..factories import MembershipFactory, OrganisationFactory, area
from .test_measures import AREAS, random_world  # noqa: F401, F811

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 23)


def test_the_snapshot_holds_every_offered_period_and_its_trend():
    held = {(p.start, p.end) for p in snapshot_periods(AS_OF)}
    assert len(held) == len(snapshot_periods(AS_OF))  # each once
    for period in offered_periods(AS_OF):
        for back in range(TREND_YEARS):
            earlier = period.previous(back)
            assert (earlier.start, earlier.end) in held


@pytest.fixture
def footprint(random_world):  # type: ignore[no-untyped-def]  # noqa: F811
    """A commissioner of two of the world's areas: their footprint is published too."""
    icb = OrganisationFactory(kind=OrganisationKind.ICB, areas=[area(a) for a in AREAS[:2]])
    MembershipFactory(organisation=icb, role=Role.COMMISSIONER)
    return frozenset(AREAS[:2])


def test_the_snapshot_publishes_what_the_live_count_publishes(random_world, footprint):  # type: ignore[no-untyped-def]  # noqa: F811
    """Every period it holds (trend-only years too), every scope and every slice: the nightly
    count and a commissioner's live count give the same suppressed figures."""
    taken = take_snapshot(as_of=AS_OF)
    now = published_scopes()
    scopes = now.members
    key = scope_key(footprint, frozenset(scopes[ENGLAND]))
    assert scopes[key] == footprint and key in taken.footprint_keys and key in now.detailed
    values = breakdown_values()
    cuts = [ALL, *((name, v) for name, vs in values.items() for v in vs)]
    hidden = shown = 0
    for period in snapshot_periods(AS_OF):
        live = count_published(period, scopes, detailed=now.detailed)
        for cut in cuts:
            stored = snapshot.figures(taken, [period], MEASURES, cut, scopes)
            got = stored[(period.start, period.end)]
            want = {k: f for k, f in live.items() if (k[2], k[3]) == cut}
            nobody = Figure(0, 0)
            for k in set(got) | set(want):
                assert got.get(k, nobody) == want.get(k, nobody), (period, k)
            for f in want.values():
                hidden += (f.numerator is None) + (f.denominator is None)
                shown += (f.numerator is not None) + (f.denominator is not None)
    assert hidden > 100 and shown > 1000  # the world gives the comparison something to compare


def test_the_records_keep_the_identities_the_suppression_relies_on(random_world, footprint):  # type: ignore[no-untyped-def]  # noqa: F811
    """Counts the measures' definitions make equal (shared denominators, the placed-out-of-area
    numerator and the location breakdown...) are equal in every scope, so they are hidden
    together; were a definition to drift, this says which."""
    scopes = published_scopes().members
    values = breakdown_values()
    cuts = [ALL, *((name, v) for name, vs in values.items() for v in vs)]
    checked = 0
    for period in (year_to_march(2026), year_to_march(2025)):
        tallies = area_tallies(grouped_counts(MEASURES, period, by_dimension=True), values)
        sums = scope_tallies(tallies, scopes, MEASURES, values)
        _, _, merged, _ = family(sums, scopes, MEASURES, values)
        for (ca, ma, sa), (cb, mb, sb) in _identities(MEASURES, cuts):
            for scope in scopes:
                a, b = (ca, ma, scope, *sa), (cb, mb, scope, *sb)
                assert merged[a] == merged[b], (period.label, a, b)
                checked += 1
    assert checked > 1000


def test_a_period_the_snapshot_does_not_hold_is_not_covered(random_world, footprint):  # type: ignore[no-untyped-def]  # noqa: F811
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
    # a footprint it did not publish (a commissioner added since) is not covered
    latest = year_to_march(2026)
    every = frozenset(published_scopes().members[ENGLAND])
    key = scope_key(footprint, every)
    assert snapshot.covers(taken, latest, MEASURES, {key, ENGLAND})
    assert not snapshot.covers(taken, latest, MEASURES, {scope_key(AREAS[1:], every)})
    # broken down, a footprint and England are published; one area of a footprint is not
    placed = ("placement", "foster")
    assert snapshot.covers(taken, latest, MEASURES, {key, ENGLAND}, placed)
    assert snapshot.covers(taken, latest, MEASURES, {AREAS[0]})
    assert not snapshot.covers(taken, latest, MEASURES, {AREAS[0]}, placed)
