"""Synthetic SSDA903 returns for the import benchmarks: children with up to ten years of care,
planned by the demo's history model, spelt as an LA's case system would export them."""

from __future__ import annotations

import random
from datetime import date
from types import SimpleNamespace


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
    from lachealth.interop.export import EPISODES, HEADER, csv_file, episode_row, header_row

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
        girl = plan.sex == "F"
        header.append(
            header_row(
                child,
                SimpleNamespace(
                    sex=plan.sex,
                    date_of_birth=plan.date_of_birth,
                    ethnicity="WBRI",
                    upn="UN5",
                    mother=False if girl else None,
                    mother_child_dob=None,
                ),
            )
        )
        for e in plan.episodes:
            placed = SimpleNamespace(
                **vars(e),
                home_post=home,
                pl_post=home if e.place == "P1" else rng.choice(postcodes),
                urn="SC123456",  # given only where the return asks for one
            )
            episodes.append(episode_row(child, placed, as_of))
    files = {"Header.csv": csv_file(HEADER, header), "Episodes.csv": csv_file(EPISODES, episodes)}
    return files, len(header)
