"""Projection speed (targets: one LA < 5 s; England, about 85,000 children in 150 LAs,
< 60 s): fitting and simulating 60 months from synthetic episodes of a large LA and of
England, as `lachealth projection` does after reading them. Prints figures; asserts nothing.
The comparison of its error with the published demand model's comes with the simulator."""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from lachealth.insight import projection  # noqa: E402

AS_OF = date(2026, 11, 30)


def world(in_care: int, seed: int) -> list[projection.CareEpisode]:
    """About `in_care` children looked after on AS_OF: steady entries staying about 2 years."""
    rng = random.Random(seed)
    monthly = in_care / 20  # entries a month; they stay about 20 months (to 18 at most)
    episodes, child, elapsed = [], 0, 0.0
    first = AS_OF - timedelta(days=8 * 365)
    while True:
        # Days as a float: many children enter on one day at England's scale.
        elapsed += rng.expovariate(monthly / 30.44)
        day = first + timedelta(days=int(elapsed))
        if day >= AS_OF:
            return episodes
        child += 1
        age = rng.randrange(18)
        born = day - timedelta(days=age * 365 + rng.randrange(365))
        end = day + timedelta(days=round(rng.expovariate(1 / 608)))
        end = min(end, date(born.year + 18, born.month, min(born.day, 28)))
        place = rng.choice(["U4", "U6", "U1", "K2", "P1", "K3", "A4"])
        episodes.append(
            projection.CareEpisode(
                child,
                born,
                rng.choice("12"),
                day,
                None if end >= AS_OF else end,
                place,
                rng.choice(["C2", "V2", "E1"]),
                rng.random() < 0.35,
                True,
            )
        )


def timed(label: str, episodes: list[projection.CareEpisode], target: float) -> None:
    started = time.perf_counter()
    rates = projection.fit(episodes, as_of=AS_OF)
    fitted = time.perf_counter() - started
    sims = projection.simulations_for(rates.children, 60)
    months = projection.project(episodes, rates, months=60, sims=sims)
    took = time.perf_counter() - started
    last = months[-1].looked_after
    print(
        f"{label}: {rates.children:,} looked after, {len(episodes):,} episodes; "
        f"fit {fitted:.1f} s, "
        f"60 months x {sims} simulations: {took:.1f} s in all (target < {target:.0f} s); "
        f"in 5 years {last.expected:,.0f} (95% {last.low95:,.0f} to {last.high95:,.0f})"
    )


def main() -> None:
    timed("a large LA", world(1_200, 1), 5)
    timed("England", world(85_000, 2), 60)


if __name__ == "__main__":
    main()
