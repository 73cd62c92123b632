"""SSDA903 import at England's scale: 150 LAs, 85,000 children looked after at 31 March and
about a million episodes over ten years, imported on PostgreSQL as the LAs would send them,
two at a time on a two-core machine; then every LA's return (Header, Episodes, OC2) exported.

Prints total import time (target under 10 minutes), the peak memory of all its processes
together (target under 4 GiB; the database server's own memory is not counted), rows written
per second and the time to export OC2 for every LA. Asserts nothing about time."""

from __future__ import annotations

import math
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import date
from multiprocessing import get_context
from pathlib import Path

import returns
from common import setup_django

#: A fraction of England, to try the benchmark out quickly (`BENCH_SCALE=0.05`).
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
LOOKED_AFTER = round(85_000 * SCALE)  # at 31 March, across England
AREAS = max(2, round(150 * SCALE))
YEAR = 2026
AS_OF = date(YEAR, 3, 31)
#: A move or change of legal status every 11 months on average: about a million episodes.
MEAN_DAYS_BETWEEN_CHANGES = 330
#: The City of London and the Isles of Scilly send returns of a handful of children.
LEFT_OUT = {"E09000001", "E06000053"}
OFFICER = "bench.england"


def main() -> None:
    workers = os.cpu_count() or 2
    setup_django()
    from django.core.management import call_command
    from django.db import connections

    from lachealth.people.models import Area, Membership, Organisation, Role, User

    call_command("migrate", verbosity=0)
    codes = sorted(set(Area.objects.values_list("code", flat=True)) - LEFT_OUT)
    with ProcessPoolExecutor(
        1, mp_context=get_context("spawn")
    ) as one:  # the whole postcode directory, then let it go
        postcodes = one.submit(_postcodes, codes).result()
    codes = [c for c in codes if len(postcodes[c]) >= 50][:AREAS]
    la = Organisation.objects.create(name="England bench LAs", kind="LA")
    la.areas.set(Area.objects.filter(code__in=codes))
    officer = User.objects.create_user(OFFICER, password="bench-password-123")
    Membership.objects.create(user=officer, organisation=la, role=Role.DATA_OFFICER)
    connections.close_all()

    sizes = _sizes(len(codes), random.Random(85))
    folder = Path(tempfile.mkdtemp(prefix="lachealth-england-"))
    jobs = sorted(zip(codes, sizes, strict=True), key=lambda job: -job[1])
    memory = _PeakMemory()
    with ProcessPoolExecutor(
        workers, mp_context=get_context("spawn"), initializer=setup_django
    ) as pool:
        made = _run(
            pool,
            "Building returns",
            [
                (_build, code, size, postcodes[code], folder, seed)
                for seed, (code, size) in enumerate(jobs)
            ],
        )
        children = sum(m["children"] for m in made)
        episodes = sum(m["episodes"] for m in made)
        memory.start()
        start = time.perf_counter()
        imported = _run(pool, "Importing", [(_import, code, folder) for code, _ in jobs])
        import_s = time.perf_counter() - start
        start = time.perf_counter()
        exported = _run(pool, "Exporting", [(_export, code) for code, _ in jobs])
        export_s = time.perf_counter() - start
        memory.stop()
    rows = children + episodes
    write_s = sum(i["write"] for i in imported)
    check_s = sum(i["check"] for i in imported)
    print(
        f"[PostgreSQL] England: {len(codes)} LAs, {sum(sizes):,} children looked after at "
        f"31 March {YEAR}, {children:,} children and {episodes:,} episodes over ten years "
        f"({sum(i['findings'] for i in imported):,} validator findings, accepted):\n"
        f"  total import {import_s / 60:.1f} min on {workers} processes (target < 10 min): "
        f"{rows / import_s:,.0f} rows/s overall; checking {check_s:.0f} s and writing "
        f"{write_s:.0f} s of process time, {rows / write_s:,.0f} rows/s while writing\n"
        f"  slowest LA {max(i['check'] + i['write'] for i in imported):.1f} s, median "
        f"{statistics.median(i['check'] + i['write'] for i in imported):.1f} s\n"
        f"  peak memory of the import's processes together {memory.peak / 2**30:.2f} GiB "
        f"(target < 4 GiB)\n"
        f"  export of every LA's return (Header, Episodes, OC2 of "
        f"{sum(e['oc2'] for e in exported):,} children) {export_s:.0f} s"
    )


def _sizes(count: int, rng: random.Random) -> list[int]:
    """Children looked after at 31 March per LA: a few large LAs, many middling, some small."""
    weights = [rng.lognormvariate(0, 0.6) for _ in range(count)]
    scale = LOOKED_AFTER / sum(weights)
    sizes = [max(20, math.floor(w * scale)) for w in weights]
    sizes[0] += LOOKED_AFTER - sum(sizes)
    return sizes


def _postcodes(codes: list[str]) -> dict[str, list[str]]:
    setup_django()
    from lachealth.interop.postcodes import sample_postcodes

    letters = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    return sample_postcodes(codes, letters, per_area=300, rng=random.Random(150))


def _run(pool: ProcessPoolExecutor, what: str, jobs: list[tuple]) -> list[dict]:
    from tqdm import tqdm

    futures = [pool.submit(*job) for job in jobs]
    results = []
    with tqdm(total=len(futures), desc=what, unit="LA", file=sys.stderr) as bar:
        for future in as_completed(futures):
            results.append(future.result())
            bar.update()
    return results


def _build(code: str, size: int, postcodes: list[str], folder: Path, seed: int) -> dict:
    files, children = returns.synthetic_return(
        postcodes=postcodes,
        prefix=f"E{seed:03d}",
        seed=seed,
        as_of=AS_OF,
        mean_days_between_changes=MEAN_DAYS_BETWEEN_CHANGES,
        looked_after=size,
    )
    for name, content in files.items():
        (folder / f"{code}-{name}").write_bytes(content)
    return {"children": children, "episodes": files["Episodes.csv"].count(b"\n") - 1}


def _import(code: str, folder: Path) -> dict:
    from lachealth.interop import imports
    from lachealth.people.models import Area, User

    officer = User.objects.get(username=OFFICER)
    area = Area.objects.get(code=code)
    uploads = [(p.name.split("-", 1)[1], p.read_bytes()) for p in folder.glob(f"{code}-*")]
    start = time.perf_counter()
    checked = imports.check_return(
        by=officer, area=area, collection_year=YEAR, uploads=uploads, source="command"
    )
    assert checked.attempt.status == "checked", (code, checked.attempt.blocking[:3])
    check = time.perf_counter() - start
    imports.apply_import(checked.attempt, by=officer, accept_warnings=True, plan=checked.plan)
    return {
        "check": check,
        "write": time.perf_counter() - start - check,
        "findings": len(checked.attempt.warnings),
    }


def _export(code: str) -> dict:
    from lachealth.interop.export import build_return

    return {"oc2": build_return(code, YEAR).oc2_children}


class _PeakMemory(threading.Thread):
    """The largest total resident memory this process and its children reach, sampled."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(1):
            self.peak = max(self.peak, _tree_rss(os.getpid()))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    proc = Path("/proc") / str(pid)
    try:
        status = (proc / "status").read_text()
        children = [int(c) for t in proc.glob("task/*/children") for c in t.read_text().split()]
    except OSError:  # it has just ended
        return 0
    rss = next((line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")), "0")
    return int(rss) * 1024 + sum(_tree_rss(c) for c in children)


if __name__ == "__main__":
    main()
