"""Every query a commissioner can make, played by the attacker on the records: every filter
(one characteristic at a time, as the page allows), every area of the footprint and the
footprint itself, compared with the footprint and with England, both period kinds, with the
trend years each page shows. The figures the selectors hand to the page, its downloads and
the board report are collected and attacked together (linear programming over the sums the
reader knows hold); none of the hidden counts may be pinned. The reported example, a count
found by subtracting downloads, is a named regression in test_views.py."""

from __future__ import annotations

from datetime import date

import pytest

from lachealth.insight import selectors
from lachealth.insight.periods import rolling_year, year_to_march
from lachealth.insight.selectors import Audience
from lachealth.insight.services import take_snapshot
from lachealth.people.models import OrganisationKind, Role

from ..factories import MembershipFactory, OrganisationFactory, area
from .reader import attack, collect
from .test_measures import AREAS, random_world  # noqa: F401

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 23)


def test_no_combination_of_a_commissioners_queries_pins_a_hidden_count(random_world):  # type: ignore[no-untyped-def]  # noqa: F811
    footprint = frozenset(AREAS[:2])
    icb = OrganisationFactory(kind=OrganisationKind.ICB, areas=[area(a) for a in footprint])
    MembershipFactory(organisation=icb, role=Role.COMMISSIONER)
    # another commissioner's footprint crosses this one: published too, not to this reader
    other = OrganisationFactory(kind=OrganisationKind.ICB, areas=[area(a) for a in AREAS[1:]])
    MembershipFactory(organisation=other, role=Role.COMMISSIONER)
    taken = take_snapshot(as_of=AS_OF)
    audience = Audience(True, footprint, None, False)
    obtained, rows = collect(audience, (year_to_march(2026), rolling_year(AS_OF)), taken)
    rates = 0
    for _, row in rows:
        for count in (row.numerator.value, row.denominator.value):
            assert count is None or not 0 < count < 6  # no count from 1 to 5 is shown
        if row.value is not None:
            assert row.denominator.value >= selectors.MIN_DENOMINATOR
            rates += 1
    assert rates > 0  # the rule on rates is exercised
    assert len(obtained) == 10  # two periods and the four years of each one's trend
    found, hidden = attack(obtained, footprint)
    assert found == {}
    assert hidden > 100  # the world gives the attack something to attack
