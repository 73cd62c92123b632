"""Suppression across linked tables at England's scale (no database): one measure's family
for one period, as the nightly count will protect it: 150 areas in 42 footprints, all
children and each value of five breakdowns, numerator, gap and denominator. Prints the time
`protect` takes, the cells hidden and how many the reader's check had to add. Asserts nothing.
"""

from __future__ import annotations

import random
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from lachealth.insight.disclosure import Line, protect  # noqa: E402

#: Values per breakdown and how the children split across them (DfE-like shares).
BREAKDOWNS = {
    "age": [0.05, 0.14, 0.19, 0.39, 0.23],
    "sex": [0.56, 0.44, 0.0],
    "ethnicity": [0.72, 0.1, 0.05, 0.07, 0.04, 0.02],
    "placement": [0.7, 0.03, 0.06, 0.12, 0.07, 0.02],
    "location": [0.6, 0.4],
}


def england(seed: int = 1, rate: float = 0.9):  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    areas = [f"A{i:03d}" for i in range(150)]
    footprints = {f"F{j:02d}": areas[j * 150 // 42 : (j + 1) * 150 // 42] for j in range(42)}
    values: dict = defaultdict(int)
    for area in areas:
        children = rng.randint(60, 1500)
        for _ in range(children):
            got = rng.random() < rate
            where = [(dim, rng.choices(range(len(s)), s)[0]) for dim, s in BREAKDOWNS.items()]
            owner = next(f for f, members in footprints.items() if area in members)
            for name in (area, owner, "england"):
                for count, add in (("d", 1), ("n", int(got)), ("g", int(not got))):
                    values[(count, name, "all")] += add
                    for position in where:
                        values[(count, name, position)] += add
    positions = ["all"] + [(dim, i) for dim, s in BREAKDOWNS.items() for i in range(len(s))]
    names = [*areas, *footprints, "england"]
    for count in "dng":
        for name in names:
            for position in positions:
                values.setdefault((count, name, position), 0)
    lines = []
    for count in "dng":
        for name in names:
            for dim, shares in BREAKDOWNS.items():
                parts = tuple((count, name, (dim, i)) for i in range(len(shares)))
                lines.append(Line((count, name, "all"), parts))
        for position in positions:
            lines.append(
                Line((count, "england", position), tuple((count, f, position) for f in footprints))
            )
            for f, members in footprints.items():
                lines.append(
                    Line((count, f, position), tuple((count, a, position) for a in members))
                )
    for name in names:
        for position in positions:
            cells = (("d", name, position), ("n", name, position), ("g", name, position))
            lines.append(Line(cells[0], cells[1:]))
    return dict(values), lines


def main() -> None:
    for rate, label in ((0.9, "a measure most children meet (90%)"), (0.05, "a rare one (5%)")):
        values, lines = england(rate=rate)
        primary = sum(1 for v in values.values() if 0 < v < 6)
        started = time.perf_counter()
        hidden = protect(values, lines)
        took = time.perf_counter() - started
        print(
            f"  {label}: {len(values):,} cells, {len(lines):,} lines; {primary:,} from 1 to 5, "
            f"{len(hidden):,} hidden in all; protect took {took:.1f} s"
        )


if __name__ == "__main__":
    main()
