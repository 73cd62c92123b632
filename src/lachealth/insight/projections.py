"""Projections for areas the caller may see aggregates of: the care record's episodes read
for `projection.fit` and `projection.project` (pure), and the result in the shape the
`projection` command and the page give (JSON, CSV)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from lachealth.care.models import Episode

from . import projection
from .measures import SHORT_BREAKS


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
        )
        for child, born, sex, start, end, place, ls, placed, responsible, rne in rows
    ]


def run(
    area_codes: Sequence[str],
    *,
    as_of: date,
    months: int,
    reference_years: int = 2,
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
    rates = projection.fit(episodes, as_of=as_of, reference_years=reference_years)
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
