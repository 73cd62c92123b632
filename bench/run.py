"""`make bench`: run every benchmark and print its figures (nothing here asserts on time)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from run_tests import postgres_url  # noqa: E402


def run(script: str, **env: str) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / script)],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
    )


def main() -> None:
    url = postgres_url()
    if url:
        import psycopg

        server = url.rsplit("/", 1)[0]
    for script, title in [
        ("child_list.py", "child list (< 150 ms, constant query count)"),
        ("worklist.py", "worklist (< 200 ms, constant query count)"),
        (
            "pages.py",
            "a nurse's child's page, worklist and assessment form on the demo (p95 < 300 ms)",
        ),
        ("search.py", "finding a child among 85,000 (< 100 ms)"),
        ("import_903.py", "SSDA903 import of a large LA (our import ≤ 1.5× the validator alone)"),
        ("history_903.py", "a large LA's ten years of SSDA903 returns, oldest first, then again"),
        (
            "handovers.py",
            "hand-offs: notifications for a 2,500-child import (< 10 s), inbox (< 200 ms)",
        ),
        (
            "load.py",
            "50 signed-in users at once on the demo under gunicorn for 60 s (p95 < 1 s, no error)",
        ),
        (
            "import_stall.py",
            "pages while a 2,500-child SSDA903 import writes (PostgreSQL: no change beyond noise)",
        ),
        (
            "access_matrix.py",
            "the access matrix: every URL pattern as every role, GET and POST (< 2 min on 2 cores)",
        ),
        ("fuzz_forms.py", "every form fuzzed: 200 hostile posts each (no failures)"),
        (
            "passports.py",
            "health passports: one PDF warm (< 1 s); a large LA's 300 as one batch command",
        ),
    ]:
        print(f"== {title}")
        run(script, BENCH_DB_LABEL="SQLite")
        if url:
            with psycopg.connect(server + "/postgres", autocommit=True) as conn:
                conn.execute("DROP DATABASE IF EXISTS lachealth_bench")
                conn.execute("CREATE DATABASE lachealth_bench")
            run(script, BENCH_DB_LABEL="PostgreSQL", DATABASE_URL=server + "/lachealth_bench")
        else:
            print("[PostgreSQL] skipped: no server on 127.0.0.1:5432")
    print("== SSDA903 import at England's scale (< 10 min on PostgreSQL, < 4 GiB)")
    if url:
        with psycopg.connect(server + "/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS lachealth_bench_england WITH (FORCE)")
            conn.execute("CREATE DATABASE lachealth_bench_england")
        run("england_903.py", DATABASE_URL=server + "/lachealth_bench_england")
        print("== measures page for England (< 0.5 s warm on PostgreSQL)")
        run("insight.py", DATABASE_URL=server + "/lachealth_bench_england")
        print("== backup and restore of England's database (< 5 min each on PostgreSQL)")
        run("backup.py", DATABASE_URL=server + "/lachealth_bench_england")
    else:
        print("[PostgreSQL] skipped: no server on 127.0.0.1:5432")
        print("== backup and restore (England's on PostgreSQL: < 5 min each)")
        run("backup.py")
    print("== posts that used to tie up a web worker: refused or queued at once (< 1 s each)")
    run("hostile_posts.py")
    print("== what commissioners are shown: one period of England's measures, suppressed together")
    run("disclosure.py")
    print("== the reported attack on the demo's commissioner figures (0 worked out)")
    run("demo_disclosure.py")
    print("== assessment QA: a quarter's sample at England's volume (< 2 s), results (< 500 ms)")
    run("quality_sample.py")
    print("== projections: one LA (< 5 s), England (< 60 s)")
    run("projection.py")
    print(
        "== projection error against cs-demand-model on simulated LAs "
        "(steady, +10%/yr, −6%/yr; 24 months)"
    )
    run("demand_compare.py")
    print("== statutory clocks for England (< 5 s)")
    run("clocks.py")
    print("== make demo from a fresh clone (target < 3 minutes)")
    run("fresh_clone.py")


if __name__ == "__main__":
    main()
