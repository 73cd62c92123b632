"""`lachealth remind`: e-mail each provider's daily digest of due-soon and overdue clocks.

Run once a day from cron or a systemd timer; running it again the same day sends nothing new.
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from tqdm import tqdm

from lachealth.health.digest import send_digests


class Command(BaseCommand):
    help = "E-mail the daily digest of due-soon and overdue health clocks (idempotent per day)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            type=date.fromisoformat,
            default=None,
            help="the day to send for (default: today)",
        )

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        as_of = options["date"] or timezone.localdate()

        def bar(items):  # type: ignore[no-untyped-def]
            return tqdm(items, desc="Providers", unit="provider", file=self.stderr)

        sent, skipped = send_digests(as_of, progress=bar)
        self.stdout.write(
            self.style.SUCCESS(
                f"{as_of.isoformat()}: {sent} digests sent, {skipped} already sent today."
            )
        )
