"""`lachealth restore FILE`: put a backup written by `lachealth backup` back into the database
(see `lachealth.backups`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from lachealth import backups


class Command(BaseCommand):
    help = (
        "Restore a backup written by `lachealth backup` into the database: a new, empty "
        "database (created, or fresh from `lachealth migrate`). A database that already holds "
        "records (users, organisations, children or access-log entries) is refused unless "
        "--force, which replaces everything in it: stop the service first, and back it up if "
        "it may be needed. The restore is one transaction: if it fails, the database is left "
        "as it was. Refused, and nothing changed: a file that is not a backup of this "
        "installation's database engine, or one taken by a newer lachealth (migrations this "
        "code does not know). An older backup is restored; then run `lachealth migrate`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the backup file")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database that already holds records (everything in it is lost)",
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="the database to restore into (default: default)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        backup: Path = options["file"]
        target = connections[options["database"]]
        if not target.in_atomic_block:  # our own connection goes: the restore replaces its tables
            target.close()
        database = target.settings_dict
        try:
            with backups.progress_bars(self.stderr) as progress:
                summary = backups.restore(
                    database, backup, progress=progress, force=options["force"]
                )
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {backup} into the {summary.engine} database {database['NAME']} in "
                f"{summary.took}: {summary.described()}."
            )
        )
        for note in summary.notes:
            self.stdout.write(self.style.WARNING(note))
        self.stdout.write(
            "To verify: the tables and rows above are those `lachealth backup` printed when it "
            "wrote the file; `lachealth verify-audit` finds the access log intact (with the "
            "same AUDIT_LOG_KEY), its last row the last thing done before the backup; "
            "`lachealth migrate --check` says whether migrations are pending."
        )
