"""Projections for areas the caller may see aggregates of: the care record's episodes read
for `projection.fit` and `projection.project` (pure), and the result in the shape the
`projection` command and the page give (JSON, CSV)."""

from __future__ import annotations

import csv
import hashlib
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db.models import Min

from lachealth.care.models import Episode
from lachealth.interop.models import ImportAttempt, ImportStatus

from . import projection
from .measures import SHORT_BREAKS
from .models import UnitCost


def care_episodes(area_codes: Sequence[str]) -> list[projection.CareEpisode]:
    """The episodes of the children the areas are responsible for, short breaks left out."""
    rows = (
        Episode.objects.filter(child__responsible_area__in=list(area_codes))
        .exclude(ls__in=SHORT_BREAKS)
        .values_list(
            "child_id",
            "child__date_of_birth",
            "child__sex",
            "decom",
            "dec",
            "place",
            "ls",
            "placement_area_id",
            "child__responsible_area_id",
            "rne",
        )
        .order_by("child_id", "decom")
    )
    return [
        projection.CareEpisode(
            child=child,
            born=born,
            sex=sex,
            start=start,
            end=end,
            place=place,
            ls=ls,
            out_of_area=placed != responsible,
            entered=rne == "S",
            area=responsible,
        )
        for child, born, sex, start, end, place, ls, placed, responsible, rne in rows
    ]


def complete_from(area_codes: Sequence[str]) -> date | None:
    """The day from which the record holds every entry to care of all the areas, the latest
    of the areas': an area's is the start of its first SSDA903 return loaded (1 April), unless
    the record holds an episode of its that ended before then (a return holds only episodes
    open in its year, so the area's history was recorded before its returns were loaded), and
    otherwise its first entry to care recorded. None where no area has an entry."""
    found = []
    for code in area_codes:
        episodes = Episode.objects.filter(child__responsible_area_id=code)
        year = (
            ImportAttempt.objects.filter(
                area_id=code, status__in=[ImportStatus.IMPORTED, ImportStatus.UNCHANGED]
            )
            .order_by("collection_year")
            .values_list("collection_year", flat=True)
            .first()
        )
        if year is not None and not episodes.filter(dec__lt=date(year - 1, 4, 1)).exists():
            found.append(date(year - 1, 4, 1))
            continue
        first = episodes.filter(rne="S").aggregate(first=Min("decom"))["first"]
        if first is not None:
            found.append(first)
    return max(found) if found else None


def run(
    area_codes: Sequence[str],
    *,
    as_of: date,
    months: int,
    reference_years: int | None = None,
    seed: int = 0,
    scenario: projection.Scenario | None = None,
    progress: Callable[[float], None] | None = None,
) -> list[projection.Month]:
    """Fit and project the areas together (refusals as `projection.ProjectionRefused`)."""
    if not 1 <= months <= projection.MAX_MONTHS:
        raise projection.ProjectionRefused(
            "--months", f"project 1 to {projection.MAX_MONTHS} months ahead, not {months}"
        )
    episodes = care_episodes(area_codes)
    rates = projection.fit(
        episodes,
        as_of=as_of,
        reference_years=reference_years,
        complete_from=complete_from(area_codes),
    )
    sims = projection.simulations_for(rates.children, months)
    return projection.project(
        episodes, rates, months=months, sims=sims, seed=seed, scenario=scenario, progress=progress
    )


def as_json(found: Sequence[projection.Month]) -> dict[str, Any]:
    """The command's JSON: each month end's total with its intervals, its breakdowns and the
    month's health work."""
    return {
        "months": [
            {
                "month_end": m.month_end.isoformat(),
                "looked_after": m.looked_after.as_dict(),
                "by_age": _rounded(m.by_age),
                "by_year_group": _rounded(m.by_year_group),
                "by_placement": _rounded(m.by_placement),
                "by_location": _rounded(m.by_location),
                "workload": _rounded(m.workload),
            }
            for m in found
        ]
    }


def _rounded(values: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 2) for k, v in values.items()}


def as_csv(found: Sequence[projection.Month]) -> str:
    """One row a month end: the total and its intervals, then every breakdown and the work."""
    if not found:
        return ""
    first = found[0]
    parts = ("by_age", "by_year_group", "by_placement", "by_location", "workload")
    header = ["month_end", "expected", "low80", "high80", "low95", "high95"]
    for part in parts:
        header += [f"{part}:{key}" for key in getattr(first, part)]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for m in found:
        row: list[Any] = [m.month_end.isoformat(), *m.looked_after.as_dict().values()]
        for part in parts:
            row += [round(v, 2) for v in getattr(m, part).values()]
        writer.writerow(row)
    return out.getvalue()


# --- the page ---------------------------------------------------------------------------------

#: Month ends of history drawn before the projection on the fan chart.
HISTORY_MONTHS = 24
#: Months the backtest projects (a year before the as-of day, to it).
BACKTEST_MONTHS = 12


@dataclass(frozen=True)
class Choice:
    """What the page projects: areas together, from a day, how far, with what reference."""

    areas: tuple[str, ...]
    as_of: date
    months: int = 24
    #: None: the default, or what the record holds (`projection.fit`)
    reference_years: int | None = None
    scenario: projection.Scenario | None = None


@dataclass(frozen=True)
class Costs:
    """Placement costs by category per month, from each area's weekly unit costs (an
    average of the areas' weighted by the children each has in the category on the day)."""

    weekly: dict[str, float]
    #: categories some chosen area has no unit cost for (their cost is not projected)
    missing: list[str]
    base: list[dict[str, float]]
    scenario: list[dict[str, float]] | None


@dataclass
class Outlook:
    choice: Choice
    #: the reference years fitted (the default may be fewer where the record is shorter)
    reference_years: int
    base: list[projection.Month]
    scenario: list[projection.Month] | None
    backtest: projection.Backtest | None
    #: why there is no backtest (the record does not reach back far enough), if there is none
    backtest_refused: str
    #: the children looked after at the month ends before the day (oldest first)
    history: list[tuple[date, int]]
    entries_per_month: float
    #: the fitted trend of entries, percent a year
    entries_trend: float
    costs: Costs | None = None


def outlook(
    choice: Choice,
    *,
    weekly_by_area: dict[str, dict[str, float]] | None = None,
    suppressed: bool = False,
    seed: int = 0,
) -> Outlook:
    """The base projection, the scenario's (if any, drawn from the same seed, so that the
    months before the change are the base's), the backtest, the history since the record is
    complete and, given each area's weekly cost per category, the placement costs (refusals
    as `projection.ProjectionRefused`). For an aggregate-only reader (`suppressed`) the
    backtest's refusal is said without counts or dates, and the areas' costs are averaged
    equally (weights by their children would tell how many each has)."""
    return _outlook(
        choice,
        care_episodes(choice.areas),
        complete_from(choice.areas),
        weekly_by_area,
        suppressed=suppressed,
        seed=seed,
    )


def _outlook(
    choice: Choice,
    episodes: list[projection.CareEpisode],
    complete: date | None,
    weekly_by_area: dict[str, dict[str, float]] | None,
    *,
    suppressed: bool,
    seed: int = 0,
) -> Outlook:
    rates = projection.fit(
        episodes,
        as_of=choice.as_of,
        reference_years=choice.reference_years,
        complete_from=complete,
    )
    sims = projection.simulations_for(rates.children, choice.months)

    def one(scenario: projection.Scenario | None) -> list[projection.Month]:
        return projection.project(
            episodes, rates, months=choice.months, sims=sims, seed=seed, scenario=scenario
        )

    base = one(None)
    try:
        checked: projection.Backtest | None = projection.backtest(
            episodes,
            as_of=choice.as_of,
            months=BACKTEST_MONTHS,
            reference_years=choice.reference_years,
            complete_from=complete,
            seed=seed,
        )
        refused = ""
    except projection.ProjectionRefused as why:
        checked, refused = None, why.aggregate if suppressed else why.message
    ends = [
        day
        for day in projection.month_ends_before(choice.as_of, HISTORY_MONTHS)
        if complete is None or day >= complete
    ]
    scenario = one(choice.scenario) if choice.scenario else None
    return Outlook(
        choice=choice,
        reference_years=rates.reference_months // 12,
        base=base,
        scenario=scenario,
        backtest=checked,
        backtest_refused=refused,
        history=list(zip(ends, projection.looked_after_on(episodes, ends), strict=True)),
        entries_per_month=rates.monthly_entries,
        entries_trend=100 * (math.exp(12 * rates.slope) - 1),
        costs=None
        if weekly_by_area is None
        else _costs(episodes, choice, base, scenario, weekly_by_area, equal=suppressed),
    )


def weekly_costs(areas: Sequence[str]) -> dict[str, dict[str, float]]:
    """Each area's weekly unit cost per placement category (those it keeps)."""
    found: dict[str, dict[str, float]] = {}
    for area, category, cost in UnitCost.objects.filter(area__in=areas).values_list(
        "area_id", "category", "weekly_cost"
    ):
        found.setdefault(area, {})[category] = float(cost)
    return found


def _costs(
    episodes: Sequence[projection.CareEpisode],
    choice: Choice,
    base: list[projection.Month],
    scenario: list[projection.Month] | None,
    weekly_by_area: dict[str, dict[str, float]],
    *,
    equal: bool = False,
) -> Costs:
    """Each month's placement costs by category, from each area's weekly cost: averaged
    across areas by the children each has in the category on the day, or `equal`ly."""
    on_day: dict[tuple[str, str], int] = {}
    for e in episodes:
        if e.start <= choice.as_of and (e.end is None or e.end > choice.as_of):
            key = (e.area, projection.category_of(e.place))
            on_day[key] = on_day.get(key, 0) + 1
    weekly: dict[str, float] = {}
    missing: list[str] = []
    for category in projection.CATEGORY_KEYS:
        costs = [weekly_by_area.get(area, {}).get(category) for area in choice.areas]
        if any(c is None for c in costs):
            missing.append(category)
            continue
        weights = [1 if equal else on_day.get((area, category), 0) for area in choice.areas]
        total = sum(weights)
        known = [float(c) for c in costs if c is not None]
        weekly[category] = (
            sum(w * c for w, c in zip(weights, known, strict=True)) / total
            if total
            else sum(known) / len(known)
        )

    def priced(months: list[projection.Month]) -> list[dict[str, float]]:
        return [
            {k: m.by_placement[k] * weekly[k] * _days_in_month(m.month_end) / 7 for k in weekly}
            for m in months
        ]

    return Costs(
        weekly=weekly,
        missing=missing,
        base=priced(base),
        scenario=priced(scenario) if scenario else None,
    )


def _days_in_month(end: date) -> int:
    return end.day


def quarters(months: Sequence[projection.Month]) -> list[tuple[str, list[int]]]:
    """The financial quarters (April to June, …) the month ends fall in, with the indices of
        their months: 'Apr to Jun 2027', or 'Oct to Dec 2026 (part)' for a quarter the projection
    holds only some months of."""
    names = {1: "Jan to Mar", 4: "Apr to Jun", 7: "Jul to Sep", 10: "Oct to Dec"}
    found: list[tuple[str, list[int]]] = []
    for i, m in enumerate(months):
        first = (m.month_end.month - 1) // 3 * 3 + 1
        label = f"{names[first]} {m.month_end.year}"
        if found and found[-1][0] == label:
            found[-1][1].append(i)
        else:
            found.append((label, [i]))
    return [(f"{label} (part)" if len(got) < 3 else label, got) for label, got in found]


#: How long a page's projection is kept for its downloads and the next look (seconds).
KEPT_FOR = 600


def kept_outlook(choice: Choice, *, suppressed: bool) -> Outlook:
    """`outlook` with the areas' unit costs, kept for a while: a page, then its CSV and XLSX,
    ask for the same projection, which is simulated once while what it is made from (the
    episodes, read again each time, and the costs) stands still."""
    episodes = care_episodes(choice.areas)
    complete = complete_from(choice.areas)
    weekly = weekly_costs(choice.areas)
    made_from = repr((choice, suppressed, complete, sorted(weekly.items()), episodes))
    key = "projection:" + hashlib.sha256(made_from.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = _outlook(choice, episodes, complete, weekly, suppressed=suppressed)
        cache.set(key, found, KEPT_FOR)
    return found
