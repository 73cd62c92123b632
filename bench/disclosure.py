"""What commissioners are shown, at England's scale (no database): one period's published
figures of every measure (`insight/publish.publish`, as the nightly count runs it for each
period): 150 areas in 42 footprints and England, all children and (for the footprints and
England) each value of five breakdowns, numerators, gaps and denominators, each cohort's
measures as one family. Prints
the time it takes, the cells and how many are hidden. Asserts nothing.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lachealth.settings")
os.environ.setdefault("LACHEALTH_DEBUG", "1")  # a local key: no secret is read or written

import django  # noqa: E402

django.setup()

from lachealth.insight import disclosure  # noqa: E402
from lachealth.insight.measures import MEASURES, Tally  # noqa: E402
from lachealth.insight.publish import (  # noqa: E402
    ENGLAND,
    area_tallies,
    breakdown_values,
    publish,
    scope_key,
    scopes_for,
)

#: How children split across each breakdown's values (DfE-like shares; the last is OTHER).
SHARES = {
    "age_band": [0.05, 0.14, 0.19, 0.39, 0.23, 0.0],
    "sex": [0.56, 0.44, 0.0, 0.0],
    "ethnicity": [0.72, 0.1, 0.05, 0.07, 0.04, 0.015, 0.005],
    "placement": [0.7, 0.03, 0.06, 0.12, 0.07, 0.02, 0.0],
    "location": [0.6, 0.4, 0.0],
}
#: The share of children in each measure's numerator (DfE-like).
RATES = {
    "health_assessment": 0.9,
    "immunisations": 0.8,
    "dental_check": 0.75,
    "development": 0.85,
    "sdq_received": 0.75,
    "sdq_concern": 0.4,
    "substance_misuse": 0.03,
    "iha_on_time": 0.5,
    "rha_on_time": 0.7,
    "ooa_acknowledged": 0.6,
    "three_placements": 0.1,
}


def england(seed: int = 1):  # type: ignore[no-untyped-def]
    """One period's groups as `grouped_counts(by_dimension=True)` gives them: a child each."""
    rng = random.Random(seed)
    values = breakdown_values()
    areas = [f"E{i:08d}" for i in range(150)]
    footprints = [frozenset(areas[j * 150 // 42 : (j + 1) * 150 // 42]) for j in range(42)]
    groups = []
    for area in areas:
        for _ in range(rng.randint(60, 1500)):
            where = {"area": area}
            for name, shares in SHARES.items():
                where[name] = rng.choices(values[name], shares)[0]
            groups.append((where, _child(rng, where)))
    everywhere = frozenset(areas)
    detailed = frozenset({ENGLAND, *(scope_key(f, everywhere) for f in footprints)})
    return groups, scopes_for(areas, footprints), values, detailed


def _child(rng: random.Random, where: dict[str, str]) -> dict[str, Tally]:
    def met(key: str) -> Tally:
        return Tally(int(rng.random() < RATES[key]), 1)

    one = {k: met(k) for k in ("health_assessment", "immunisations", "dental_check")}
    one["substance_misuse"] = met("substance_misuse")
    if where["age_band"] in ("under-1", "1-4"):
        one["development"] = met("development")
    if where["age_band"] in ("5-9", "10-15"):
        one["sdq_received"] = received = met("sdq_received")
        if received.numerator:
            score = rng.randint(0, 40)
            one["sdq_mean"] = Tally(1, 1, score, score * score)
            one["sdq_concern"] = Tally(int(score >= 17), 1)
    one["three_placements"] = met("three_placements")
    one["placed_out_of_area"] = Tally(int(where["location"] == "out"), 1)
    for key in ("iha_on_time", "rha_on_time", "ooa_acknowledged"):
        if rng.random() < 0.3:
            one[key] = met(key)
    return one


def main() -> None:
    groups, scopes, values, detailed = england()
    tallies = area_tallies(groups, values)
    rounds = 0
    check = disclosure.determined

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal rounds
        rounds += 1
        return check(*args, **kwargs)

    disclosure.determined = counting
    started = time.perf_counter()
    figures = publish(tallies, scopes, MEASURES, values, detailed)
    took = time.perf_counter() - started
    counts = [f.numerator for f in figures.values()] + [f.denominator for f in figures.values()]
    hidden = sum(c is None for c in counts)
    small = sum(
        1
        for key, t in tallies.items()
        for c in (t.numerator, t.denominator)
        if 0 < c < 6 and key[2]  # breakdown cells of one area (in the lines, unpublished)
    )
    print(
        f"  one period, every measure: {len(groups):,} children in {len(scopes):,} areas, "
        f"footprints and England; {len(figures):,} figures, {hidden:,} of their "
        f"{len(counts):,} counts hidden ({small:,} of one area's breakdown cells from 1 to 5); "
        f"{rounds} rounds of the reader's check; publish took {took:.1f} s "
        f"(the nightly count runs it for each of its 15 periods)"
    )


if __name__ == "__main__":
    main()
