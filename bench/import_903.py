"""SSDA903 import of one large LA's ten-year extract: the DfE validator alone, then our whole
import (validate + plan + write) into an empty record, and their ratio (target ≤ 1.5×).
Builds its own synthetic return; prints figures; asserts nothing about time."""

from __future__ import annotations

import os
import random
import resource
import statistics
import time
from datetime import date

import returns
from common import setup_django

AREA = "E08000025"  # Birmingham, England's largest LA
RUNS = [AREA, "E08000035", "E08000003"]  # and Leeds and Manchester, each imported once
CHILDREN = 2500
AS_OF = date(2026, 11, 23)
YEAR = 2026


def synthetic_return(children: int, seed: int = 903) -> dict[str, bytes]:
    """Header and Episodes of `children` synthetic children with up to ten years of care,
    about five episodes each (a move or change of legal status every five months or so)."""
    from lachealth.interop.postcodes import sample_postcodes

    postcodes = sample_postcodes([AREA], ["B"], per_area=400, rng=random.Random(seed))[AREA]
    files, _ = returns.synthetic_return(
        postcodes=postcodes,
        prefix="BI",
        seed=seed,
        as_of=AS_OF,
        mean_days_between_changes=160,
        children=children,
    )
    return files


def main() -> None:
    label = os.environ.get("BENCH_DB_LABEL", "SQLite")
    setup_django()
    from django.core.management import call_command

    from lachealth.interop import imports, validator
    from lachealth.people.models import Area, Membership, Organisation, Role, User

    call_command("migrate", verbosity=0)
    areas = list(Area.objects.filter(code__in=RUNS).order_by("code"))
    la = Organisation.objects.create(name="Bench LA", kind="LA")
    la.areas.set(areas)
    officer = User.objects.create_user("bench.officer", password="bench-password-123")
    Membership.objects.create(user=officer, organisation=la, role=Role.DATA_OFFICER)
    files = synthetic_return(CHILDREN)
    rows = sum(c.count(b"\n") - 1 for c in files.values())
    episodes = files["Episodes.csv"].count(b"\n") - 1
    validator.validate(files, local_authority=AREA, collection_year=YEAR)  # warm: imports

    # The machine's speed drifts, so each import into an empty area follows a run of the
    # validator alone, and the medians are compared.
    alone_s, check_s, ours_s = [], [], []
    for area in areas:
        start = time.perf_counter()
        alone = validator.validate(files, local_authority=area.code, collection_year=YEAR)
        alone_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        checked = imports.check_return(
            by=officer, area=area, collection_year=YEAR, uploads=list(files.items())
        )
        check_s.append(time.perf_counter() - start)
        assert checked.attempt.status == "checked", checked.attempt.blocking[:3]
        imports.apply_import(checked.attempt, by=officer, accept_warnings=True, plan=checked.plan)
        ours_s.append(time.perf_counter() - start)
    validator_s, ours, check = (statistics.median(t) for t in (alone_s, ours_s, check_s))
    write = statistics.median(o - c for o, c in zip(ours_s, check_s, strict=True))

    start = time.perf_counter()
    again = imports.check_return(
        by=officer, area=areas[0], collection_year=YEAR, uploads=list(files.items())
    )
    assert again.attempt.status == "checked", again.attempt.blocking[:3]
    imports.apply_import(again.attempt, by=officer, accept_warnings=True, plan=again.plan)
    reimport_s = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"[{label}] large LA, {CHILDREN:,} children, {episodes:,} episodes over ten years "
        f"({rows:,} rows, {len(alone.findings):,} validator findings), "
        f"median of {len(areas)} imports into an empty LA:\n"
        f"  validator alone {validator_s:.1f} s; our import {ours:.1f} s "
        f"(check {check:.1f} s, write {write:.1f} s, {rows / max(write, 1e-9):,.0f} rows/s "
        f"written); ratio {ours / validator_s:.2f}× (target ≤ 1.5×)\n"
        f"  re-import of the same return (nothing to change) {reimport_s:.1f} s; "
        f"peak memory {peak:,.0f} MiB"
    )


if __name__ == "__main__":
    main()
