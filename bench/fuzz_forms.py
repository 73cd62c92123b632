"""Every form fuzzed with many more examples than the test suite gives it (200 each, or
LACHEALTH_FUZZ_EXAMPLES): the tests in tests/fuzz run under pytest, and this prints, per form,
the examples posted, how many the page accepted and refused, the statuses, the time, and any
failure (expected: none). Prints figures; asserts nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = os.environ.get("LACHEALTH_FUZZ_EXAMPLES", "200")


def main() -> None:
    label = os.environ.get("BENCH_DB_LABEL", "SQLite")
    scratch = Path(tempfile.mkdtemp(prefix="lachealth-fuzz-"))
    report = scratch / "report.jsonl"
    env = {
        **os.environ,
        "LACHEALTH_TESTING": "1",
        "LACHEALTH_FUZZ_EXAMPLES": EXAMPLES,
        "LACHEALTH_FUZZ_REPORT": str(report),
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{scratch}/fuzz.sqlite3")
    env.pop("LACHEALTH_DEBUG", None)
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/fuzz",
            "-q",
            "-n",
            os.environ.get("TEST_WORKERS", "2"),
            "--dist",
            "loadfile",
            "-m",
            "not system",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        check=False,
    )
    wall = time.perf_counter() - start
    rows = [json.loads(line) for line in report.read_text().splitlines()] if report.exists() else []
    rows.sort(key=lambda r: r["form"])
    width = max((len(r["form"]) for r in rows), default=10)
    print(f"[{label}] {'form':<{width}}  examples  accepted  refused  time  statuses")
    for r in rows:
        statuses = " ".join(f"{k}×{v}" for k, v in sorted(r["statuses"].items()))
        print(
            f"[{label}] {r['form']:<{width}}  {r['examples']:>8}  {r['accepted']:>8}  "
            f"{r['refused']:>7}  {r['seconds']:>4.0f}s  {statuses}"
        )
    failures = [r for r in rows if r["failure"]]
    for r in failures:
        print(f"[{label}] FAILED {r['form']}: {r['failure']}")
    print(
        f"[{label}] {len(rows)} forms, {sum(r['examples'] for r in rows)} examples "
        f"({EXAMPLES} a form, fewer for slow pages), {len(failures)} failures, "
        f"{wall:.0f} s on {env.get('TEST_WORKERS', '2')} workers"
    )


if __name__ == "__main__":
    main()
