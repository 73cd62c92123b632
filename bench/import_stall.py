"""Do writers stall readers? Staff of the demo's areas go round the worklist and a child's
page under `lachealth serve` while a large LA (2,500 children, ten years of care) imports its
SSDA903 return with `lachealth import-903` into the same database: the pages' p50/p95/max
before the import, while it checks the return (reads only) and while it writes. Target on
PostgreSQL: no change beyond noise; on SQLite (WAL), what to expect is said in the README.
Prints figures; asserts nothing about time.

BENCH_STALL_USERS (default 10) readers; BENCH_STALL_CHILDREN (default 2500) children.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

import load
from common import machine_load, percentile
from import_903 import AREA, YEAR, synthetic_return

USERS = int(os.environ.get("BENCH_STALL_USERS", "10"))
CHILDREN = int(os.environ.get("BENCH_STALL_CHILDREN", "2500"))
BASELINE_SECONDS = 20
PAGES = ("worklist", "child's page")
WRITING = "Importing"  # the import command's progress bar once the return is accepted


@dataclass(frozen=True)
class Timed:
    at: float  # when the request began (time.monotonic)
    result: load.Result


def main() -> None:
    label = os.environ.get("BENCH_DB_LABEL", "SQLite")
    with load.demo_server() as (base, _server, accounts, _workers):
        officer = large_la()
        folder = Path(tempfile.mkdtemp(prefix="lachealth-bench-stall-"))
        files = []
        for name, content in synthetic_return(CHILDREN).items():
            (folder / name).write_bytes(content)
            files.append(str(folder / name))
        load.USERS = USERS
        sessions = load.sign_in_all(base, accounts)
        stop = threading.Event()
        timed: list[Timed] = []
        readers = [
            threading.Thread(target=read, args=(base, s, i, stop, timed), daemon=True)
            for i, s in enumerate(sessions)
        ]
        for reader in readers:
            reader.start()
        for _ in tqdm(range(BASELINE_SECONDS), desc="Before the import", unit="s"):
            time.sleep(1)
        began, writing_from, ended, status = run_import(files, officer)
        time.sleep(3)
        stop.set()
        for reader in readers:
            reader.join()
        load_now = machine_load()
    print(
        f"[{label}] {len(sessions)} users on the worklist and a child's page while "
        f"{CHILDREN:,} children's ten years of care were imported (import-903 exit {status}, "
        f"{ended - began:.0f} s: checking {writing_from - began:.0f} s, writing "
        f"{ended - writing_from:.0f} s); at the end, {load_now}"
    )
    phases = [
        ("before the import", lambda t: t < began),
        ("while it checks the return", lambda t: began <= t < writing_from),
        ("while it writes", lambda t: writing_from <= t < ended),
    ]
    for phase, within in phases:
        for page in PAGES:
            times = sorted(t.result.ms for t in timed if t.result.page == page and within(t.at))
            errors = sum(
                1 for t in timed if t.result.page == page and within(t.at) and t.result.error
            )
            print(
                f"[{label}]   {page}, {phase}: {len(times)} requests, {spread(times)}, "
                f"{errors} errors"
            )


def large_la() -> str:
    """An LA for England's largest area, with a data officer to import its return."""
    from lachealth.people.models import Area, Membership, Organisation, Role, User

    la = Organisation.objects.create(name="Bench stall LA", kind="LA")
    la.areas.set([Area.objects.get(code=AREA)])
    officer = User.objects.create_user("bench.stall.officer", password="bench-password-123")
    Membership.objects.create(user=officer, organisation=la, role=Role.DATA_OFFICER)
    return officer.username


def read(
    base: str, session: load.Session, index: int, stop: threading.Event, timed: list[Timed]
) -> None:
    """One reader, round the worklist and a child's page until stopped."""
    rng = random.Random(index)
    while not stop.is_set():
        for page, path in zip(PAGES, ["/worklist/", rng.choice(session.children)], strict=True):
            at = time.monotonic()
            timed.append(Timed(at, load.timed(session.opener, base, page, path)))


def run_import(files: list[str], officer: str) -> tuple[float, float, float, int]:
    """`lachealth import-903` in its own process: when it began, when it began writing (its
    progress bar says so), when it ended, and its exit status."""
    command = [str(load.LACHEALTH), "import-903", *files, "--la", AREA, "--year", str(YEAR)]
    command += ["--user", officer, "--accept-warnings"]
    began = time.monotonic()
    writing_from = None
    process = subprocess.Popen(
        command,
        env=load.SERVER_ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    for chunk in iter(lambda: process.stderr.read(200), ""):  # type: ignore[union-attr]
        if writing_from is None and WRITING in chunk:
            writing_from = time.monotonic()
        print(".", end="", file=sys.stderr, flush=True)
    status = process.wait()
    ended = time.monotonic()
    print(file=sys.stderr)
    return began, writing_from or ended, ended, status


def spread(ordered: list[float]) -> str:
    if not ordered:
        return "no answers"
    return (
        f"p50 {percentile(ordered, 50):.0f} ms, p95 {percentile(ordered, 95):.0f} ms, "
        f"max {ordered[-1]:.0f} ms"
    )


if __name__ == "__main__":
    main()
