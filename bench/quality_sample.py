"""Drawing a quarter's QA sample at England's volume: about 25,000 completed health
assessments by 1,500 practitioners in 150 teams, 5% with at least one per practitioner and
per team (target < 2 s). Prints figures; asserts nothing about time."""

from __future__ import annotations

import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from lachealth.quality.sampling import Candidate, Rule, draw  # noqa: E402

ASSESSMENTS, PRACTITIONERS, TEAMS, RUNS = 25_000, 1_500, 150, 5


def main() -> None:
    rng = random.Random(2026)
    pool = [
        Candidate(k, rng.randrange(PRACTITIONERS), rng.randrange(TEAMS)) for k in range(ASSESSMENTS)
    ]
    rule = Rule(Decimal("5"), minimum_per_practitioner=1, minimum_per_provider=1)
    times, size = [], 0
    for run in range(RUNS):
        started = time.perf_counter()
        size = len(draw(pool, rule, f"England 2026 Q3 run {run}"))
        times.append(time.perf_counter() - started)
    print(
        f"a quarter's QA sample of {ASSESSMENTS:,} assessments ({PRACTITIONERS:,} practitioners, "
        f"{TEAMS} teams; 5%, 1 each): {size:,} drawn, median {statistics.median(times) * 1000:.0f} "
        f"ms, slowest of {RUNS} {max(times) * 1000:.0f} ms (target < 2 s)"
    )


if __name__ == "__main__":
    main()
