"""Synthetic SSDA903 returns for the import benchmarks: children with up to ten years of care,
planned by the demo's history model, spelt as an LA's case system would export them."""

from __future__ import annotations

import random
from datetime import date


def synthetic_return(
    *,
    postcodes: list[str],
    prefix: str,
    seed: int,
    as_of: date,
    mean_days_between_changes: int,
    children: int | None = None,
    looked_after: int | None = None,
) -> tuple[dict[str, bytes], int]:
    """Header and Episodes CSVs, and how many children they hold: either `children` children,
    or as many as it takes for `looked_after` of them to be in care on `as_of`."""
    from lachealth.demo import histories
    from lachealth.interop.export import EPISODES, HEADER, csv_file, d903

    rng = random.Random(seed)
    header, episodes = [], []
    in_care = 0
    while (children is None or len(header) < children) and (
        looked_after is None or in_care < looked_after
    ):
        plan = histories.plan_child(
            rng, as_of=as_of, mean_days_between_changes=mean_days_between_changes
        )
        child = f"{prefix}{100000 + len(header)}"
        in_care += plan.episodes[-1].dec is None
        home = rng.choice(postcodes)
        header.append(
            [
                child,
                plan.sex,
                d903(plan.date_of_birth),
                "WBRI",
                "UN5",
                "0" if plan.sex == "F" else "",
                "",
            ]
        )
        for e in plan.episodes:
            short = e.ls in ("V3", "V4")
            episodes.append(
                [
                    child,
                    d903(e.decom),
                    e.rne,
                    e.ls,
                    e.cin,
                    e.place,
                    e.place_provider if not e.place.startswith("T") else "",
                    d903(e.dec),
                    e.rec or "",
                    e.reason_place_change if e.rec == "X1" else "",
                    "" if short else home,
                    "" if short else home if e.place == "P1" else rng.choice(postcodes),
                    "" if e.place in ("P1", "R1", "T0", "T1", "T2", "T3", "T4") else "SC123456",
                ]
            )
    files = {"Header.csv": csv_file(HEADER, header), "Episodes.csv": csv_file(EPISODES, episodes)}
    return files, len(header)
