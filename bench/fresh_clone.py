"""`make demo` from a fresh clone to the first page served, with caches warm (uv, npm).

Clones the repository's committed HEAD into a temporary folder, runs the same steps as
`make demo` (set-up, migrate, demo data, serve) on a free port, and times each step until
the sign-in page answers. Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="lachealth-clone-"))
    clone = work / "lachealth"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("UV_PROJECT_ENVIRONMENT", "LACHEALTH_HOME", "VIRTUAL_ENV")
    }
    env["LACHEALTH_DEBUG"] = "1"
    steps: list[tuple[str, float]] = []
    start = time.perf_counter()

    def step(name: str, cmd: list[str]) -> None:
        t = time.perf_counter()
        subprocess.run(
            cmd,
            cwd=clone if clone.exists() else work,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        steps.append((name, time.perf_counter() - t))

    step("git clone", ["git", "clone", "-q", str(ROOT), str(clone)])
    step("make setup (venv, locked deps, front end)", ["make", "setup"])
    step("migrate", [".venv/bin/lachealth", "migrate", "--noinput"])
    step("demo data", [".venv/bin/lachealth", "demo"])
    port = free_port()
    t = time.perf_counter()
    server = subprocess.Popen(
        [".venv/bin/lachealth", "serve", "--bind", f"127.0.0.1:{port}"],
        cwd=clone,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in/", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
            if time.perf_counter() - t > 120:
                raise SystemExit("the server did not answer within 120 s")
        steps.append(("serve until the first page answers", time.perf_counter() - t))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
    total = time.perf_counter() - start
    for name, seconds in steps:
        print(f"  {name:<45} {seconds:6.1f} s")
    print(f"make demo, fresh clone to first page served: {total:.1f} s (target < 180 s)")
    subprocess.run(["rm", "-rf", str(work)], check=False)


if __name__ == "__main__":
    main()
