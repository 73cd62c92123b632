"""A small area's care record for projections: a child entering care about every three
weeks for three and a half years, a third of them leaving after about a year, so that more
than 20 are looked after on the day and every reference year has entries."""

from __future__ import annotations

from datetime import date, timedelta

from lachealth.care.models import Child
from lachealth.people.models import Area

from ..factories import ChildFactory, EpisodeFactory

PLACES = ("U4", "U1", "K2", "U6", "P1", "H5", "U4", "U5")


def looked_after_population(area: Area, today: date, *, children: int = 60) -> list[Child]:
    """`children` children of `area` entering care before `today` (deterministic)."""
    made = []
    for n in range(children):
        entered = today - timedelta(days=21 * (children - n) + 5)
        age = (n * 7) % 16
        born = entered - timedelta(days=365 * age + 40 + n)
        left = entered + timedelta(days=300 + 11 * n) if n % 3 == 0 else None
        if left is not None and left >= today:
            left = None
        child = ChildFactory(
            responsible_area=area,
            current_placement_area=area,
            date_of_birth=born,
            sex="M" if n % 2 else "F",
            looked_after=left is None,
        )
        EpisodeFactory(
            child=child,
            decom=entered,
            dec=left,
            rec="E11" if left else "",
            place=PLACES[n % len(PLACES)],
            ls=("C2", "V2", "E1")[n % 3],
            placement_area=area,
        )
        made.append(child)
    return made
