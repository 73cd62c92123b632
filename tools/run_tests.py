"""Run the whole test suite on SQLite, then on PostgreSQL (`make test` calls this).

PostgreSQL is used when LACHEALTH_TEST_POSTGRES_URL is set or a server answers on
127.0.0.1:5432 (user postgres). Without one the PostgreSQL run is skipped and that is said
plainly; with LACHEALTH_REQUIRE_POSTGRES=1 (CI) a missing server is a failure instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/lachealth"


def postgres_url() -> str | None:
    url = os.environ.get("LACHEALTH_TEST_POSTGRES_URL", DEFAULT_PG)
    try:
        import psycopg

        with psycopg.connect(url.replace("/lachealth", "/postgres"), connect_timeout=3):
            return url
    except Exception as exc:  # any failure to connect means "no server here"
        print(f"PostgreSQL not reachable at {url}: {exc}".splitlines()[0])
        return None


def pytest(label: str, env_extra: dict[str, str], args: list[str]) -> int:
    env = {**os.environ, "LACHEALTH_TESTING": "1", "DJANGO_ALLOW_ASYNC_UNSAFE": "1", **env_extra}
    env.pop("LACHEALTH_DEBUG", None)
    print(f"\n=== test suite on {label} ===", flush=True)
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-n",
        os.environ.get("TEST_WORKERS", "auto"),
        "--dist",
        "loadfile",
        *args,
    ]
    return subprocess.call(cmd, cwd=ROOT, env=env)


def main() -> int:
    args = [a for a in sys.argv[1:] if a != "--sqlite-only"]
    sqlite_only = "--sqlite-only" in sys.argv
    status = pytest(
        "SQLite", {"DATABASE_URL": "sqlite:///" + str(ROOT / "var" / "test.sqlite3")}, args
    )
    if sqlite_only:
        return status
    url = postgres_url()
    if url is None:
        if os.environ.get("LACHEALTH_REQUIRE_POSTGRES") == "1":
            print(
                "FAILED: PostgreSQL is required here (LACHEALTH_REQUIRE_POSTGRES=1) "
                "but no server answers."
            )
            return 1
        print(
            "\n*** PostgreSQL was SKIPPED: no server on 127.0.0.1:5432. The suite ran on "
            "SQLite only. CI always runs both. ***"
        )
        return status
    pg_status = pytest("PostgreSQL", {"DATABASE_URL": url}, args)
    return status or pg_status


if __name__ == "__main__":
    sys.exit(main())
