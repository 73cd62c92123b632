"""`lachealth projection --area CODE [--area CODE …] --as-of YYYY-MM-DD --months N`: the
children looked after and the health work they bring, month by month, as JSON or CSV."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from lachealth.insight import projection, projections
from lachealth.people.models import Area


class Command(BaseCommand):
    help = (
        "Project the children looked after in the areas (together) and their health work, "
        "month by month, with 80% and 95% intervals."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--area", action="append", required=True, help="ONS code of an area (repeat for more)"
        )
        parser.add_argument("--as-of", required=True, help="the day to project from, YYYY-MM-DD")
        parser.add_argument(
            "--months",
            type=int,
            required=True,
            help=f"how many months (1 to {projection.MAX_MONTHS})",
        )
        parser.add_argument(
            "--reference-years",
            type=int,
            default=None,
            help="years of history fitted (default 3, or fewer where the record is shorter)",
        )
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--output", help="write to this file (default: the screen)")
        parser.add_argument("--seed", type=int, default=0, help="the simulation's seed")

    def handle(self, *args: Any, **options: Any) -> None:
        codes = sorted({code.strip().upper() for code in options["area"]})
        known = set(Area.english.filter(code__in=codes).values_list("code", flat=True))
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise CommandError(
                f"--area: {', '.join(unknown)} is not the ONS code of an English area"
            )
        try:
            as_of = date.fromisoformat(options["as_of"])
        except ValueError:
            raise CommandError(
                f'--as-of: "{options["as_of"]}" is not a date written YYYY-MM-DD'
            ) from None
        if as_of > timezone.localdate():
            raise CommandError(
                f"--as-of: {as_of.isoformat()} is in the future: project from today or earlier"
            )
        bar = tqdm(total=100, desc="Projecting", unit="%", file=self.stderr)

        def progress(share: float) -> None:
            bar.update(round(share * 100) - bar.n)

        try:
            found = projections.run(
                codes,
                as_of=as_of,
                months=options["months"],
                reference_years=options["reference_years"],
                seed=options["seed"],
                progress=progress,
            )
        except projection.ProjectionRefused as refused:
            raise CommandError(str(refused)) from None
        finally:
            bar.close()
        text = (
            json.dumps(projections.as_json(found), indent=1)
            if options["format"] == "json"
            else projections.as_csv(found)
        )
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {options['output']}")
        else:
            self.stdout.write(text)
