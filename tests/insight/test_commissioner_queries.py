"""Every query a commissioner can make, played by the attacker on the records: every filter
(one characteristic at a time, as the page allows), every area of the footprint and the
footprint itself, compared with the footprint and with England, both period kinds, with the
trend years each page shows. The figures the selectors hand to the page, its downloads and
the board report are collected and attacked together (linear programming over the sums the
reader knows hold); none of the hidden counts may be pinned. The reported example, a count
found by subtracting downloads, is a named regression in test_views.py."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest

from lachealth.insight import selectors
from lachealth.insight.forms import BREAKDOWNS
from lachealth.insight.measures import EVERYONE, MEASURES, Breakdown, grouped_counts
from lachealth.insight.periods import rolling_year, year_to_march
from lachealth.insight.publish import (
    ENGLAND,
    OTHER,
    Figure,
    area_tallies,
    breakdown_values,
    published_scopes,
    scope_key,
)
from lachealth.insight.selectors import Audience, Choice
from lachealth.insight.services import take_snapshot
from lachealth.people.models import OrganisationKind, Role

from ..factories import MembershipFactory, OrganisationFactory, area
from .attacker import pinned
from .reader import reader
from .test_measures import AREAS, random_world  # noqa: F401

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 23)


def _figure(row: selectors.Row) -> Figure:
    return Figure(row.numerator.value, row.denominator.value)  # None where "c"


def test_no_combination_of_a_commissioners_queries_pins_a_hidden_count(random_world):  # type: ignore[no-untyped-def]  # noqa: F811
    every = frozenset(published_scopes().members[ENGLAND])
    footprint = frozenset(AREAS[:2])
    icb = OrganisationFactory(kind=OrganisationKind.ICB, areas=[area(a) for a in footprint])
    MembershipFactory(organisation=icb, role=Role.COMMISSIONER)
    # another commissioner's footprint crosses this one: published too, not to this reader
    other = OrganisationFactory(kind=OrganisationKind.ICB, areas=[area(a) for a in AREAS[1:]])
    MembershipFactory(organisation=other, role=Role.COMMISSIONER)
    taken = take_snapshot(as_of=AS_OF)
    audience = Audience(True, footprint, None, False)
    values = breakdown_values()
    cuts = [EVERYONE] + [
        Breakdown(**{name: value})
        for name in BREAKDOWNS
        for value in values[name]
        if value != OTHER  # not offered: the reader only works it out
    ]
    obtained: dict[tuple[date, date], dict] = defaultdict(dict)  # type: ignore[type-arg]
    rates = 0
    for period in (year_to_march(2026), rolling_year(AS_OF)):
        for focus in ("", *sorted(footprint)):
            for england in (False, True):
                for breakdown in cuts:
                    if focus and breakdown != EVERYONE:
                        continue  # broken down, figures are for the footprint as a whole
                    choice = Choice(period, focus, england, breakdown)
                    board = selectors.dashboard(audience, choice, charts_wanted=False, taken=taken)
                    assert board.as_at is not None  # read from the snapshot
                    cut = selectors._slice(breakdown)
                    total_scope = ENGLAND if england else scope_key(footprint, every)
                    focus_scope = focus or scope_key(footprint, every)
                    for result in board.results:
                        key = result.measure.key
                        got = {(period, (key, r.code, *cut)): r for r in result.rows}
                        got[(period, (key, total_scope, *cut))] = result.total
                        for label, row in result.trend:
                            earlier = next(
                                period.previous(n)
                                for n in range(5)
                                if period.previous(n).label == label
                            )
                            got[(earlier, (key, focus_scope, *cut))] = row
                        for (p, k), row in got.items():
                            fig = _figure(row)
                            seen = obtained[(p.start, p.end)].setdefault(k, fig)
                            assert seen == fig, (p.label, k)  # one figure, wherever shown
                            assert fig.numerator is None or not 0 < fig.numerator < 6
                            assert fig.denominator is None or not 0 < fig.denominator < 6
                            if row.value is not None:
                                assert row.denominator.value >= selectors.MIN_DENOMINATOR
                                rates += 1
    assert rates > 0  # the rule on rates is exercised
    hidden_seen = 0
    for (start, end), figures in obtained.items():
        period = (
            next(
                p
                for p in (year_to_march(2026).previous(n) for n in range(5))
                if (p.start, p.end) == (start, end)
            )
            if start.month == 4
            else next(
                rolling_year(AS_OF).previous(n)
                for n in range(5)
                if rolling_year(AS_OF).previous(n).start == start
            )
        )
        tallies = area_tallies(grouped_counts(MEASURES, period, by_dimension=True), values)
        present = {a for (_, a, *_) in tallies}
        scopes = {a: frozenset({a}) for a in present}
        scopes[ENGLAND] = frozenset(present)
        scopes[scope_key(footprint, every)] = footprint & present
        # a scope with nobody in it shows 0 of 0 (the page leaves the row out)
        figures = {k: f for k, f in figures.items() if k[1] in scopes}
        published, lines, truth = reader(figures, scopes, tallies, values, MEASURES)
        hidden_seen += sum(v is None for v in published.values())
        assert pinned(published, lines, truth) == {}, period.label
    assert hidden_seen > 100  # the world gives the attack something to attack
