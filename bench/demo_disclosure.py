"""The reported attack, replayed on the demo as its commissioner (`wy.commissioner`) would: the
demo is loaded into a throwaway database, and every query the measures page answers for them
(each filter, one characteristic at a time; each area and the footprint; compared with the
footprint and with England; the year 2025-26 and the rolling 12 months; the trend years of
each) is read from the nightly count (`tests/insight/reader.collect`). Then two readers: the
reported one (a total less the shown values of one breakdown, where one is hidden) and the
linear-programming one of the tests (`reader.attack`), over every figure obtained. Prints how
many hidden counts each works out. Asserts nothing.
"""

from __future__ import annotations

import sys
import time
from io import StringIO

from common import ROOT, setup_django

AS_OF = "2026-11-23"


def main() -> None:
    setup_django()
    sys.path.insert(0, str(ROOT))
    from django.core.management import call_command
    from tests.insight.reader import attack, collect

    from lachealth.insight import selectors
    from lachealth.insight.forms import BREAKDOWNS
    from lachealth.insight.measures import MEASURES
    from lachealth.insight.periods import rolling_year, year_to_march
    from lachealth.insight.publish import OTHER, breakdown_values
    from lachealth.insight.snapshot import latest_snapshot
    from lachealth.people.models import User

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command(
        "demo", "--reset", "--seed", "1", "--as-of", AS_OF, stdout=StringIO(), stderr=StringIO()
    )
    taken = latest_snapshot()
    assert taken is not None
    print(f"  demo loaded and counted in {time.perf_counter() - started:.0f} s")
    audience = selectors.audience_of(User.objects.get(username="wy.commissioner"))
    assert audience is not None and audience.suppressed
    obtained, rows = collect(audience, (year_to_march(2026), rolling_year(taken.as_of)), taken)
    values = breakdown_values()
    derived = hidden_in_breakdowns = 0
    for figures in obtained.values():
        for m in MEASURES:
            for scope in {k[1] for k in figures}:
                whole = figures.get((m.key, scope, "", ""))
                for name in BREAKDOWNS:
                    parts = [
                        figures.get((m.key, scope, name, v)) for v in values[name] if v != OTHER
                    ]
                    if whole is None or None in parts:
                        continue
                    for count in ("numerator", "denominator"):
                        hidden = [p for p in parts if getattr(p, count) is None]
                        hidden_in_breakdowns += len(hidden)
                        derived += len(hidden) == 1 and getattr(whole, count) is not None
    print(
        f"  {len(rows):,} figures shown over {len(obtained)} periods; the reported attack (a "
        f"total less the other values of one breakdown) works out {derived} of "
        f"{hidden_in_breakdowns} hidden counts"
    )
    found, hidden = attack(obtained, audience.areas)
    print(
        f"  linear programming over every figure obtained: {len(found)} of {hidden} hidden "
        f"counts pinned to one value"
    )


if __name__ == "__main__":
    main()
