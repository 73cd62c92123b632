"""`lachealth report --area CODE --period 2025-26`: the board report of one area as a PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from lachealth.insight.periods import parse_period
from lachealth.insight.report import board_report
from lachealth.insight.snapshot import latest_snapshot
from lachealth.people.models import Area


class Command(BaseCommand):
    help = "Write an area's board report (measures, funnel plots, trends, commentary) as a PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--area", required=True, help="ONS code of the area, e.g. E08000034")
        parser.add_argument(
            "--period",
            required=True,
            help='a year to 31 March that has ended ("2025-26"), or "rolling"',
        )
        parser.add_argument("--output", help="where to write the PDF (default: in this folder)")

    def handle(self, *args: Any, **options: Any) -> None:
        taken = latest_snapshot()
        today = taken.as_of if taken is not None else timezone.localdate()
        area = Area.english.filter(code=options["area"].strip().upper()).first()
        if area is None:
            raise CommandError(
                f'--area: "{options["area"]}" is not the ONS code of an English area'
            )
        try:
            period = parse_period(options["period"], as_of=today)
        except ValueError as exc:
            raise CommandError(f"--period: {exc}") from exc
        output = Path(options["output"] or f"board-report-{area.code}-{period.key}.pdf")
        self.stderr.write(f"Counting the measures for {area.name}, {period.label}…")
        pdf = board_report(area.code, area.name, period, as_of=today, taken=taken)
        output.write_bytes(pdf)
        self.stdout.write(f"Wrote {output} ({len(pdf) // 1024} KiB)")
