"""`lachealth refresh-measures`: take the measures snapshot that commissioners' dashboards and
board reports read. Run it nightly from cron or a systemd timer, and after a large import."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from lachealth.insight.services import take_snapshot


class Command(BaseCommand):
    help = (
        "Count every measure for every area, period and breakdown, for commissioners' "
        "dashboards and board reports (run it nightly)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        snapshot = take_snapshot(as_of=timezone.localdate(), progress=self.stderr)
        self.stdout.write(
            f"Measures as at {timezone.localtime(snapshot.taken_at):%d %B %Y %H:%M} "
            f"counted in {snapshot.seconds:.1f} s"
        )
