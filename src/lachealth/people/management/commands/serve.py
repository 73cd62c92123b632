"""`lachealth serve`: run the web service under gunicorn (what `make demo` ends with).

The number of worker processes comes from `WEB_CONCURRENCY` (gunicorn's and the hosting
platforms' name for it) or `--workers`; by default one per CPU core and one more (at most
17), so that a request waiting on the database does not hold up the rest. lachealth's pages
spend their time in Python, not waiting: gunicorn's general advice of two per core made
each request cost a third more CPU on a 2-core machine (processes taking turns, and
SQLite's writers waiting on each other), and 50 users' p95 went from 0.8 s to 1.2 s
(`bench/load.py`).

Beside gunicorn it starts the background worker (`lachealth db_worker`), which checks the
uploaded SSDA903 returns (ADR 015), and stops it when it stops, so that the demo is one
command. In production run the worker as a process of its own and serve with `--no-worker`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from types import FrameType

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

MAX_DEFAULT_WORKERS = 17
#: The tasks backend whose queue a worker process must run (the tests run jobs in-line).
QUEUED_BACKEND = "django_tasks_db.DatabaseBackend"
#: How long the worker and the web server have to finish what they are doing when stopped.
STOP_SECONDS = 10


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
        parser.add_argument(
            "--no-worker",
            dest="worker",
            action="store_false",
            default=settings.TASKS["default"]["BACKEND"] == QUEUED_BACKEND,
            help="do not start the background worker (run `lachealth db_worker` on its own)",
        )

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        if not settings.DEBUG and not settings.STATIC_ROOT.exists():
            self.stderr.write(
                "Run `lachealth collectstatic` first (production serves built files)."
            )
            sys.exit(1)
        web = web_command(options["bind"], options["workers"])
        worker = worker_command() if options["worker"] else None
        self.stdout.write(f"Serving lachealth on http://{options['bind']}/ (Ctrl+C to stop)")
        sys.stdout.flush()
        if worker is None:
            os.execvp(web[0], web)
        self.stdout.write("Checking uploaded returns in the background (lachealth db_worker)")
        sys.stdout.flush()
        sys.exit(run_together({"background worker": worker, "web server": web}, self.stderr.write))


def web_command(bind: str, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "lachealth.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "5",
        # load the application once, warmed up (see wsgi.py), before the workers fork
        "--preload",
    ]


def worker_command() -> list[str]:
    """The background worker, as `lachealth db_worker` (not reloading on code changes, so
    that stopping it is stopping it)."""
    return [sys.executable, "-m", "lachealth.cli", "db_worker", "--no-reload"]


def run_together(commands: dict[str, list[str]], say: Callable[[str], object]) -> int:
    """Run the commands side by side until one of them ends or this process is told to stop
    (Ctrl+C, SIGTERM, SIGHUP); then stop the others. Returns the exit code of the one that ended
    first (0 when told to stop).

    Each runs in a session of its own, so that Ctrl+C reaches only this process and each is
    sent one SIGTERM: gunicorn finishes its requests, the worker its job. One still running
    after `STOP_SECONDS` is sent another (the worker then gives up its job, and marks the
    attempt failed), then killed."""

    def stop_asked(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    # Ctrl+C, a stop from the service manager, the terminal closing: each is a stop.
    stops = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {signum: signal.signal(signum, stop_asked) for signum in stops}
    running: dict[str, subprocess.Popen[bytes]] = {}
    code = 0
    try:
        for name, command in commands.items():
            running[name] = subprocess.Popen(command, start_new_session=True)
        while True:
            ended = next((n for n, p in running.items() if p.poll() is not None), None)
            if ended is not None:
                code = running[ended].returncode or 0
                say(f"The {ended} stopped (exit code {code}): stopping lachealth")
                break
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _stop(list(running.values()))
    return code


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM to each still running; another after `STOP_SECONDS`; SIGKILL 5 s later."""
    steps = (
        (subprocess.Popen.terminate, STOP_SECONDS),
        (subprocess.Popen.terminate, 5),
        (subprocess.Popen.kill, 5),
    )
    for send, grace in steps:
        alive = [p for p in processes if p.poll() is None]
        if not alive:
            return
        for process in alive:
            send(process)
        deadline = time.monotonic() + grace
        for process in alive:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
