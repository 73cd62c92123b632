"""`lachealth serve`: run the web service under gunicorn (what `make demo` ends with)."""

from __future__ import annotations

import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve lachealth with gunicorn on http://127.0.0.1:8000 (or --bind)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)

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
            ],
        )
