"""`lachealth remind`: e-mail each team's daily digests: the health clocks due soon and overdue
(providers' team mailboxes and practitioners), and the hand-offs new and overdue (the teams that
receive, send or take referrals, and their designated professionals).

Run once a day from cron or a systemd timer; running it again the same day sends nothing new.
It lives in `handovers`, the app above `health`, so that one command sends both.
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from tqdm import tqdm

from lachealth.handovers import digest as handovers
from lachealth.health import digest as health


class Command(BaseCommand):
    help = "E-mail the daily digests of health clocks and hand-offs (idempotent per day)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            type=date.fromisoformat,
            default=None,
            help="the day to send for (default: today)",
        )

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        as_of = options["date"] or timezone.localdate()

        def bar(desc: str, unit: str):  # type: ignore[no-untyped-def]
            def wrap(items):  # type: ignore[no-untyped-def]
                return tqdm(items, desc=desc, unit=unit, file=self.stderr)

            return wrap

        sent, skipped = health.send_digests(as_of, progress=bar("Providers", "provider"))
        self.stdout.write(
            self.style.SUCCESS(
                f"{as_of.isoformat()}: health clocks: {sent} digests sent, "
                f"{skipped} already sent today."
            )
        )
        sent, skipped = handovers.send_digests(as_of, progress=bar("Hand-off digests", "team"))
        self.stdout.write(
            self.style.SUCCESS(
                f"{as_of.isoformat()}: hand-offs: {sent} digests sent, "
                f"{skipped} already sent today."
            )
        )
