"""`lachealth serve`: run the web service under gunicorn (what `make demo` ends with).

The number of worker processes comes from `WEB_CONCURRENCY` (gunicorn's and the hosting
platforms' name for it) or `--workers`; by default one per CPU core and one more (at most
17), so that a request waiting on the database does not hold up the rest. lachealth's pages
spend their time in Python, not waiting: gunicorn's general advice of two per core made
each request cost a third more CPU on a 2-core machine (processes taking turns, and
SQLite's writers waiting on each other), and 50 users' p95 went from 0.8 s to 1.2 s
(`bench/load.py`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

MAX_DEFAULT_WORKERS = 17


def default_workers(environ: Mapping[str, str], cpus: int | None) -> int:
    """The worker count: WEB_CONCURRENCY when it is a whole number from 1, else CPUs + 1
    (at most `MAX_DEFAULT_WORKERS`)."""
    given = environ.get("WEB_CONCURRENCY", "").strip()
    if given.isdigit() and int(given) >= 1:
        return int(given)
    return min((cpus or 1) + 1, MAX_DEFAULT_WORKERS)


class Command(BaseCommand):
    help = "Serve lachealth with gunicorn on http://127.0.0.1:8000 (or --bind)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(os.environ, os.cpu_count()),
            help="worker processes (default: WEB_CONCURRENCY, or one per CPU core and one more)",
        )

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        if not settings.DEBUG and not settings.STATIC_ROOT.exists():
            self.stderr.write(
                "Run `lachealth collectstatic` first (production serves built files)."
            )
            sys.exit(1)
        self.stdout.write(f"Serving lachealth on http://{options['bind']}/ (Ctrl+C to stop)")
        sys.stdout.flush()
        os.execvp(
            sys.executable,
            [
                sys.executable,
                "-m",
                "gunicorn",
                "lachealth.wsgi:application",
                "--bind",
                options["bind"],
                "--workers",
                str(options["workers"]),
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "5",
                # load the application once, warmed up (see wsgi.py), before the workers fork
                "--preload",
            ],
        )
