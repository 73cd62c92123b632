"""A large LA's first load: ten years of SSDA903 returns (2016/17 to 2025/26) of 2,500
children, each year in its own codes, imported oldest first; then the same ten again, which
change nothing. Prints the time of each year and in all; asserts nothing about time."""

from __future__ import annotations

import os
import time

from common import setup_django

AREA = "E08000025"  # Birmingham, England's largest LA
CHILDREN = 2500
FIRST, LAST = 2017, 2026


def main() -> None:
    label = os.environ.get("BENCH_DB_LABEL", "SQLite")
    setup_django()
    from django.core.management import call_command
    from tqdm import tqdm

    from lachealth.care.models import Episode
    from lachealth.demo.returns import placement_postcodes, yearly_returns
    from lachealth.interop import imports, years
    from lachealth.people.models import Area, Membership, Organisation, Role, User

    call_command("migrate", verbosity=0)
    area = Area.objects.get(code=AREA)
    la = Organisation.objects.create(name="Bench LA", kind="LA")
    la.areas.set([area])
    officer = User.objects.create_user("bench.officer", password="bench-password-123")
    Membership.objects.create(user=officer, organisation=la, role=Role.DATA_OFFICER)
    own, elsewhere = placement_postcodes(AREA, seed=903)
    history = yearly_returns(
        children=CHILDREN,
        first_year=FIRST,
        last_year=LAST,
        postcodes=own,
        elsewhere=elsewhere,
        prefix="BI",
        seed=903,
    )

    def load(what: str) -> tuple[list[tuple[int, int, float, str]], float]:
        timings = []
        began = time.perf_counter()
        for year in tqdm(range(FIRST, LAST + 1), desc=f"[{label}] {what}", unit=" year"):
            files = history[year]
            start = time.perf_counter()
            checked = imports.check_return(
                by=officer, area=area, collection_year=year, uploads=list(files.items())
            )
            assert checked.attempt.status == "checked", checked.attempt.blocking[:3]
            done = imports.apply_import(
                checked.attempt, by=officer, accept_warnings=True, plan=checked.plan
            )
            rows = sum(c.count(b"\n") - 1 for c in files.values())
            timings.append((year, rows, time.perf_counter() - start, done.status))
        return timings, time.perf_counter() - began

    first, first_total = load("first load")
    again, again_total = load("again")
    episodes = Episode.objects.filter(child__responsible_area=area)
    outside = episodes.exclude(placement_area__nation="E").count()
    print(
        f"[{label}] ten years of a large LA's returns, {CHILDREN:,} children, "
        f"{episodes.count():,} episodes ({outside} placed outside England), oldest first:"
    )
    for (year, rows, seconds, status), (_, _, again_s, again_status) in zip(
        first, again, strict=True
    ):
        print(
            f"  {years.label(year)}: {rows:>6,} rows, {seconds:5.1f} s ({status}); "
            f"again {again_s:5.1f} s ({again_status})"
        )
    print(f"  in all: {first_total:.1f} s; the ten again: {again_total:.1f} s")


if __name__ == "__main__":
    main()
