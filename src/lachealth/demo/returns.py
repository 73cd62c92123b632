"""Synthetic SSDA903 history of one LA, year by year: the returns it sent, each in its own
year's codes, for the multi-year import test, its benchmark and the demo. Pure but for the
postcode lists the caller passes.

Each child's history comes from the demo's history model (`histories.plan_child`); each year's
return holds the children looked after at any time in the year and their episodes that
overlap it, an episode ending after the year still open in it, as the return asks. Spelt as
the year spelt it: SEX 1 and 2 up to 2023/24; supported accommodation that began before
2024/25 as H5 (semi-independent living), as the case system recorded it then and every later
return repeats. About one child in forty is placed in Wales or Scotland.
"""

from __future__ import annotations

import random
from datetime import date
from types import SimpleNamespace
from typing import Any

from . import histories

#: Placement codes as a year before the code was brought in spelt the placement.
OLDER_PLACE = {"K3": ("H5", 2025)}  # code: (older code, first year of the code)


def yearly_returns(
    *,
    children: int,
    first_year: int,
    last_year: int,
    postcodes: list[str],
    elsewhere: list[str],
    prefix: str = "H",
    seed: int = 903,
    mean_days_between_changes: int = 300,
) -> dict[int, dict[str, bytes]]:
    """Header and Episodes of every collection year from `first_year` to `last_year`, for
    `children` children whose care falls within those years. `postcodes` are the LA's own
    area and its neighbours; `elsewhere` are outside England."""
    from lachealth.interop import years
    from lachealth.interop.export import EPISODES, HEADER, csv_file, episode_row, header_row

    rng = random.Random(seed)
    first_day, last_day = years.span(first_year)[0], years.span(last_year)[1]
    span_years = (last_day - first_day).days // 365 + 1
    planned = []
    for number in range(children):
        plan = histories.plan_child(
            rng,
            as_of=last_day,
            years=span_years,
            mean_days_between_changes=mean_days_between_changes,
        )
        home = rng.choice(postcodes)
        placed = [
            SimpleNamespace(
                **vars(e),
                home_post=home,
                pl_post=home
                if e.place == "P1"
                else rng.choice(elsewhere if rng.random() < 0.025 else postcodes),
                urn="SC123456",
            )
            for e in plan.episodes
        ]
        planned.append((f"{prefix}{100000 + number}", plan, placed))
    returns: dict[int, dict[str, bytes]] = {}
    for year in range(first_year, last_year + 1):
        start, end = years.span(year)
        header: list[list[str]] = []
        episodes: list[list[str]] = []
        for child, plan, placed in planned:
            in_year = [e for e in placed if e.decom <= end and (e.dec is None or e.dec >= start)]
            if not in_year:
                continue
            header.append(header_row(child, _header(plan), year))
            episodes.extend(episode_row(child, _as_recorded(e), end) for e in in_year)
        returns[year] = {
            "Header.csv": csv_file(HEADER, header),
            "Episodes.csv": csv_file(EPISODES, episodes),
        }
    return returns


def _header(plan: histories.PlannedChild) -> SimpleNamespace:
    return SimpleNamespace(
        sex=plan.sex,
        date_of_birth=plan.date_of_birth,
        ethnicity="WBRI",
        upn="UN5",
        mother=False if plan.sex == "F" else None,
        mother_child_dob=None,
    )


def _as_recorded(episode: SimpleNamespace) -> SimpleNamespace:
    """The episode with the placement code of the day it began."""
    from lachealth.interop import years

    older, since = OLDER_PLACE.get(episode.place, (episode.place, 0))
    began_before = since and episode.decom < years.span(since)[0]
    return SimpleNamespace(**(vars(episode) | {"place": older if began_before else episode.place}))


def placement_postcodes(area_code: str, seed: int) -> tuple[list[str], list[str]]:
    """Postcodes in and around an area (its own first letter), and in Cardiff and Edinburgh."""
    from lachealth.interop.postcodes import sample_postcodes

    rng = random.Random(seed)
    letter = {"E08000025": "B", "E08000032": "B", "E08000035": "L"}.get(area_code, "B")
    own = sample_postcodes([area_code], [letter], per_area=300, rng=rng)[area_code]
    return own, ["CF10 1EP", "CF24 0DE", "EH1 1YZ", "EH3 9DR"]


#: How children aged 4 or over took part in their reviews (PN1 to PN7), weighted.
PARTICIPATION_WEIGHTS = {"PN1": 46, "PN2": 6, "PN3": 8, "PN4": 6, "PN5": 5, "PN6": 19, "PN7": 10}
#: Placements a teenager in the demo may go missing from, and how often (one in five a year).
MISSING_FROM = frozenset({"K2", "K3", "U4", "U6", "U3"})


def care_events(
    rng: random.Random, child: str, date_of_birth: date, episodes: list[Any], year: int
) -> tuple[list[list[str]], list[list[str]]]:
    """Rows of the return's Missing and Reviews tables for one child in the collection year:
    reviews every six months from the start of their care that fall in the year (PN0 under 4),
    and, for one teenager in five placed in a home, supported accommodation or foster care,
    a day or three missing or away from the placement. As the DfE's rules expect: inside an
    episode of care that is not a short break, within the year, ended before the placement
    ended."""
    from datetime import timedelta

    from lachealth.health.clocks import birthday
    from lachealth.interop import years
    from lachealth.interop.export import d903

    start, end = years.span(year)
    cared = [e for e in episodes if e.ls not in ("V3", "V4")]
    reviews: list[list[str]] = []
    missing: list[list[str]] = []
    if not cared:
        return missing, reviews
    periods: list[tuple[date, date | None]] = []
    for e in cared:
        if e.rne == "S" or not periods:
            periods.append((e.decom, e.dec))
        else:
            periods[-1] = (periods[-1][0], e.dec)
    for began, ended in periods:
        day = began + timedelta(days=28)
        while day <= end and (ended is None or day < ended):
            if day >= start:
                code = (
                    "PN0"
                    if day < birthday(date_of_birth, 4)
                    else histories._weighted(rng, PARTICIPATION_WEIGHTS)
                )
                reviews.append([child, d903(date_of_birth), d903(day), code])
            day += timedelta(days=182)
    teen = birthday(date_of_birth, 12)
    for e in cared:
        first = max(e.decom, start, teen) + timedelta(days=1)
        last = min(e.dec or end, end) - timedelta(days=4)
        if e.place in MISSING_FROM and first <= last and rng.random() < 0.2:
            went = first + timedelta(days=rng.randrange((last - first).days + 1))
            back = went + timedelta(days=rng.randint(1, 3))
            missing.append([child, d903(date_of_birth), rng.choice("MMMA"), d903(went), d903(back)])
            break
    return missing, reviews
