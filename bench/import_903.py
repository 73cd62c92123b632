"""SSDA903 import of one large LA's ten-year extract: the DfE validator alone, then our whole
import (validate + plan + write) into an empty record, and their ratio (target ≤ 1.5×).
Builds its own synthetic return; prints figures; asserts nothing about time."""

from __future__ import annotations

import os
import random
import resource
import time
from datetime import date

from common import setup_django

AREA, DFE = "E08000025", "330"  # Birmingham, England's largest LA
CHILDREN = 2500
AS_OF = date(2026, 11, 23)
YEAR = 2026


def synthetic_return(children: int, seed: int = 903) -> dict[str, bytes]:
    """Header and Episodes of `children` synthetic children with up to ten years of care."""
    from lachealth.demo import histories
    from lachealth.interop.export import EPISODES, HEADER, _csv, d903
    from lachealth.interop.postcodes import sample_postcodes

    rng = random.Random(seed)
    postcodes = sample_postcodes([AREA], ["B"], per_area=400, rng=rng)[AREA]
    header, episodes = [], []
    for i in range(children):
        plan = histories.plan_child(rng, as_of=AS_OF)
        child = f"BI{100000 + i}"
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
    return {"Header.csv": _csv(HEADER, header), "Episodes.csv": _csv(EPISODES, episodes)}


def main() -> None:
    label = os.environ.get("BENCH_DB_LABEL", "SQLite")
    setup_django()
    from django.core.management import call_command

    from lachealth.care.models import Episode
    from lachealth.interop import imports, validator
    from lachealth.people.models import Area, Membership, Organisation, Role, User

    call_command("migrate", verbosity=0)
    area = Area.objects.get(code=AREA)
    la = Organisation.objects.create(name="Bench LA", kind="LA")
    la.areas.add(area)
    officer = User.objects.create_user("bench.officer", password="bench-password-123")
    Membership.objects.create(user=officer, organisation=la, role=Role.DATA_OFFICER)
    files = synthetic_return(CHILDREN)
    rows = sum(c.count(b"\n") - 1 for c in files.values())
    validator.validate(
        files, local_authority=AREA, collection_year=YEAR
    )  # warm: imports, postcodes

    start = time.perf_counter()
    alone = validator.validate(files, local_authority=AREA, collection_year=YEAR)
    validator_s = time.perf_counter() - start

    start = time.perf_counter()
    checked = imports.check_return(
        by=officer, area=area, collection_year=YEAR, uploads=list(files.items())
    )
    checked_s = time.perf_counter() - start
    assert checked.attempt.status == "checked", checked.attempt.blocking[:3]
    imports.apply_import(checked.attempt, by=officer, accept_warnings=True, plan=checked.plan)
    ours_s = time.perf_counter() - start
    episodes = Episode.objects.count()

    start = time.perf_counter()
    again = imports.check_return(
        by=officer, area=area, collection_year=YEAR, uploads=list(files.items())
    )
    assert again.attempt.status == "checked", again.attempt.blocking[:3]
    imports.apply_import(again.attempt, by=officer, accept_warnings=True, plan=again.plan)
    reimport_s = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"[{label}] large LA, {CHILDREN:,} children, {episodes:,} episodes over ten years "
        f"({rows:,} rows, {len(alone.findings):,} validator findings):\n"
        f"  validator alone {validator_s:.1f} s; our import {ours_s:.1f} s "
        f"(check {checked_s:.1f} s, write {ours_s - checked_s:.1f} s, "
        f"{rows / max(ours_s - checked_s, 1e-9):,.0f} rows/s written); "
        f"ratio {ours_s / validator_s:.2f}× (target ≤ 1.5×)\n"
        f"  re-import of the same return (nothing to change) {reimport_s:.1f} s; "
        f"peak memory {peak:,.0f} MiB"
    )


if __name__ == "__main__":
    main()
