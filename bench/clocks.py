"""Every statutory clock for 85,000 children (England's looked-after population) at one
`as_of`, through the pure rules alone. Prints children per second; asserts nothing."""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from lachealth.health.status import ChildHealthFacts, child_clocks  # noqa: E402

AS_OF = date(2026, 11, 23)
CHILDREN = 85_000


def facts(rng: random.Random) -> ChildHealthFacts:
    dob = AS_OF - timedelta(days=rng.randint(30, 17 * 365))
    start = dob + timedelta(days=rng.randint(0, (AS_OF - dob).days))
    iha = start + timedelta(days=rng.randint(10, 60)) if rng.random() < 0.9 else None
    if iha and iha > AS_OF:
        iha = None
    last = iha + timedelta(days=rng.randint(0, max((AS_OF - iha).days, 0))) if iha else None
    sdq = AS_OF - timedelta(days=rng.randint(0, 500)) if rng.random() < 0.7 else None
    if sdq and sdq < dob:
        sdq = None
    dental = AS_OF - timedelta(days=rng.randint(0, 600)) if rng.random() < 0.8 else None
    if dental and dental < dob:
        dental = None
    return ChildHealthFacts(
        dob, True, rng.choice(["C2", "C2", "V2", "E1", "V3"]), start, iha, last, sdq, dental
    )


def main() -> None:
    rng = random.Random(85)
    population = [facts(rng) for _ in range(CHILDREN)]
    start = time.perf_counter()
    total = sum(len(child_clocks(f, AS_OF)) for f in population)
    elapsed = time.perf_counter() - start
    print(
        f"clocks for {CHILDREN:,} children at one as_of: {elapsed:.2f} s "
        f"({CHILDREN / elapsed:,.0f} children/s, {total:,} clocks; target < 5 s)"
    )


if __name__ == "__main__":
    main()
