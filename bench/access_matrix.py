"""The access matrix (tests/matrix/): every URL pattern as every role and anonymously, GET and
POST, run once in one process. Prints its size (requests, URL patterns, roles) and how long it
takes; asserts nothing about time (the tests assert the access)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("tests/*/test_access_matrix.py"))


def main() -> None:
    label = os.environ.get("BENCH_DB_LABEL", "SQLite")
    with tempfile.TemporaryDirectory(prefix="lachealth-matrix-") as tmp:
        tally = Path(tmp) / "tally.jsonl"
        env = {
            **os.environ,
            "LACHEALTH_TESTING": "1",
            "LACHEALTH_MATRIX_TALLY": str(tally),
            "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{tmp}/matrix.sqlite3"),
        }
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider", "-q"]
            + FILES,
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - started
        rows = (
            [json.loads(line) for line in tally.read_text().splitlines()] if tally.exists() else []
        )
    if done.returncode or not rows:
        print(done.stdout[-3000:], done.stderr[-3000:])
        print(f"[{label}] access matrix: FAILED (pytest exit {done.returncode})")
        return
    requests = sum(r["requests"] for r in rows)
    seconds = sum(r["seconds"] for r in rows)
    patterns = len({r["pattern"] for r in rows})
    roles = rows[0]["roles"]
    print(
        f"[{label}] access matrix: {requests:,} requests, {patterns} URL patterns "
        f"({len(rows)} cases), {rows[0]['users']} users in {len(roles)} roles "
        f"({', '.join(roles)}) or none, and anonymous; the requests "
        f"{seconds:.0f} s ({1000 * seconds / requests:.0f} ms each), {wall:.0f} s in all "
        f"with the test database and {len(FILES)} worlds, in one process"
    )


if __name__ == "__main__":
    main()
