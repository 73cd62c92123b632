"""`lachealth backup --output FILE`: the whole database in one file, to restore with
`lachealth restore FILE` (see `lachealth.backups`).

Safe while the service runs and imports write: the file is one consistent snapshot. Run it
on a schedule (the README says how, and how much a restore can lose).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from lachealth import backups


class Command(BaseCommand):
    help = (
        "Back up the whole database to one file: PostgreSQL with the server's own pg_dump "
        "(custom format), SQLite with its online backup API. It may run while the service is "
        "in use; the file is the database as it was when the backup began, readable by its "
        "owner only. Restore it with `lachealth restore FILE`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, type=Path, help="the backup file to write")
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="replace FILE if it exists (the new backup replaces it only once complete)",
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="the database to back up (default: default)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path = options["output"]
        database = connections[options["database"]].settings_dict
        try:
            with backups.progress_bars(self.stderr) as progress:
                summary = backups.back_up(
                    database, output, progress=progress, overwrite=options["overwrite"]
                )
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up the {summary.engine} database to {output} "
                f"({summary.size_in_words}) in {summary.took}: {summary.described()}."
            )
        )
        self.stdout.write(
            f"Keep this output with the file: a restore prints the same tables and rows. "
            f"Restore with `lachealth restore {output}`."
        )
