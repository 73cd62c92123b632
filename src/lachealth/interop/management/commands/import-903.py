"""`lachealth import-903 FILES… --la CODE --year YYYY --user NAME`: import an LA's SSDA903 return.

Checks first and prints every problem and what would change; writes only with
`--accept-warnings` when the validator has warnings, never with `--dry-run`. The import log
keeps every attempt, refused or not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from lachealth.interop.imports import (
    RULES_KEYS,
    ImportNotAllowed,
    apply_import,
    check_return,
    not_run_note,
    ruleset_note,
)
from lachealth.interop.models import ImportStatus
from lachealth.people.arguments import find_area, find_user

SHOWN = 50  # problems printed in full; the rest are counted


class Command(BaseCommand):
    help = "Import one LA's SSDA903 return (CSV files or one zip), checked first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", help="the return's CSV files, or one zip of them")
        parser.add_argument("--la", required=True, help="the LA: ONS code or DfE code (380)")
        parser.add_argument(
            "--year", type=int, required=True, help="the year the return ends: 2026 for 2025/26"
        )
        parser.add_argument(
            "--user", required=True, help="the LA data officer importing (for the record)"
        )
        parser.add_argument(
            "--accept-warnings",
            action="store_true",
            help="import although the DfE validator found warnings (they are recorded)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and show what would change; write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        area, user = find_area(options["la"]), find_user(options["user"])
        uploads = []
        for name in options["files"]:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file")
            uploads.append((path.name, path.read_bytes()))
        bar = tqdm(desc="Checking", unit=" items", file=self.stderr, dynamic_ncols=True)

        def progress(what: str, count: int) -> None:
            bar.set_postfix_str(what)
            bar.update(count)

        try:
            checked = check_return(
                by=user,
                area=area,
                collection_year=options["year"],
                uploads=uploads,
                source="command",
                progress=progress,
            )
        except PermissionDenied as denied:
            raise CommandError(str(denied)) from None
        finally:
            bar.close()
        attempt = checked.attempt
        self._show_problems(attempt.problems)
        for note in (
            ruleset_note(attempt.collection_year, attempt.summary.get("ruleset")),
            not_run_note(attempt.summary),
        ):
            if note:
                self.stdout.write(note)
        if attempt.status == ImportStatus.REFUSED:
            raise CommandError(f"Import {attempt.pk} refused: nothing was written")
        self._show_summary(attempt.summary)
        if options["dry_run"]:
            self.stdout.write(f"Dry run: nothing was written (import {attempt.pk} kept as checked)")
            return
        bar = tqdm(desc="Importing", unit=" rows", file=self.stderr, dynamic_ncols=True)
        try:
            done = apply_import(
                attempt,
                by=user,
                accept_warnings=options["accept_warnings"],
                plan=checked.plan,
                progress=progress,
            )
        except ImportNotAllowed as refused:
            raise CommandError(f"{refused} (--accept-warnings); nothing was written") from None
        finally:
            bar.close()
        self.stdout.write(self.style.SUCCESS(f"Import {done.pk}: {done.message}"))

    def _show_problems(self, problems: list[dict]) -> None:
        errors = sum(1 for p in problems if p["blocking"])
        warnings = len(problems) - errors
        self.stdout.write(
            f"{errors} error{'s' if errors != 1 else ''} and "
            f"{warnings} warning{'s' if warnings != 1 else ''}"
        )
        for p in problems[:SHOWN]:
            kind = f"ERROR {p['code']}" if p["blocking"] else f"warning {p['code']}"
            where = p["file"] + (f" row {p['row']}" if p["row"] is not None else "")
            column = f" column {p['column']}" if p["column"] else ""
            self.stdout.write(f"{kind}: {where}{column}: {p['message']}")
        if len(problems) > SHOWN:
            self.stdout.write(f"… and {len(problems) - SHOWN} more")

    def _show_summary(self, summary: dict) -> None:
        for table, counts in summary.items():
            if isinstance(counts, dict) and table not in RULES_KEYS:
                said = ", ".join(f"{n} {what}" for what, n in counts.items())
                self.stdout.write(f"{table}: {said}")
        if summary.get("not kept"):
            self.stdout.write(f"Validated, not kept: {', '.join(summary['not kept'])}")
        absent = summary.get("absent children")
        if absent:
            self.stdout.write(
                f"{absent} {'child' if absent == 1 else 'children'} looked after in the year in "
                f"lachealth {'is' if absent == 1 else 'are'} not in this return; "
                f"{'it is' if absent == 1 else 'they are'} left as "
                f"{'it is' if absent == 1 else 'they are'}"
            )
