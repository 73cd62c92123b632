"""What both engines' backups share: the refusal, the summary, what a file is, whether the
code knows a backup's migrations, and whether a database already holds records."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: `progress(what, done, total, unit)`: how far a long step is, for a progress bar.
Progress = Callable[[str, int, int, str], None]

SQLITE_MAGIC = b"SQLite format 3\x00"
POSTGRES_MAGIC = b"PGDMP"  # pg_dump's custom format
ENGINES = {
    "django.db.backends.sqlite3": "SQLite",
    "django.db.backends.postgresql": "PostgreSQL",
}
#: The tables that say a database is in use: a freshly migrated one has none of these rows
#: (migrations load only the areas, content types and permissions).
RECORDS = [
    ("people.User", "users"),
    ("people.Organisation", "organisations"),
    ("care.Child", "children"),
    ("people.AccessLog", "access-log entries"),
]


class BackupError(Exception):
    """A backup or restore refused or failed, with a message that says why and what to do."""


@dataclass(frozen=True)
class Summary:
    """What a backup held or a restore wrote: rows by table, the file, how long it took."""

    path: Path
    engine: str
    counts: Mapping[str, int]
    size: int
    seconds: float
    notes: tuple[str, ...] = field(default=())

    @property
    def tables(self) -> int:
        return len(self.counts)

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    def described(self) -> str:
        """The tables and rows in words: 63 tables, 1,234,567 rows (the most: …)."""
        largest = sorted(self.counts.items(), key=lambda item: (-item[1], item[0]))[:4]
        most = ", ".join(f"{table} {rows:,}" for table, rows in largest)
        return f"{self.tables} tables, {self.rows:,} rows (the most: {most})"

    @property
    def took(self) -> str:
        minutes, seconds = divmod(round(self.seconds), 60)
        if minutes:
            return f"{minutes} min {seconds} s"
        return f"{self.seconds:.1f} s" if self.seconds >= 1 else f"{self.seconds:.2f} s"

    @property
    def size_in_words(self) -> str:
        size = float(self.size)
        for unit in ["bytes", "KiB", "MiB", "GiB"]:
            if size < 1024 or unit == "GiB":
                return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
            size /= 1024
        raise AssertionError("unreachable")


def no_progress(what: str, done: int, total: int, unit: str) -> None:
    """The progress of a caller that shows none."""


def engine_of(database: Mapping[str, Any]) -> str:
    """The engine of a DATABASES entry, SQLite or PostgreSQL; any other is refused."""
    engine = ENGINES.get(database["ENGINE"])
    if engine is None:
        raise BackupError(
            f"lachealth backs up SQLite and PostgreSQL, not {database['ENGINE']}; use that "
            "database's own tools."
        )
    return engine


def kind_of_file(path: Path) -> str:
    """Which engine's backup a file is, SQLite or PostgreSQL, by its first bytes; a missing
    file or any other is refused."""
    if not path.exists():
        raise BackupError(f"{path}: no such file.")
    if not path.is_file():
        raise BackupError(f"{path} is not a file (a backup is one file).")
    with path.open("rb") as file:
        start = file.read(len(SQLITE_MAGIC))
    if start == SQLITE_MAGIC:
        return "SQLite"
    if start.startswith(POSTGRES_MAGIC):
        return "PostgreSQL"
    raise BackupError(
        f"{path} is not a lachealth backup: `lachealth backup` writes a SQLite database or a "
        "PostgreSQL custom-format dump (pg_dump -Fc), and this file is neither."
    )


def refuse_other_engine(path: Path, kind: str, engine: str) -> None:
    if kind != engine:
        raise BackupError(
            f"{path} is a backup of a {kind} database, and this installation's database is "
            f"{engine}. Restore it where lachealth runs on {kind}; lachealth does not convert "
            "between the two."
        )


def refuse_unless_lachealth(path: Path, applied: set[tuple[str, str]]) -> None:
    """A database is lachealth's when its migrations include the `people` app's."""
    if not any(app == "people" for app, _ in applied):
        raise BackupError(
            f"{path} is not a lachealth backup: it holds no record of lachealth's migrations "
            "(the django_migrations table of the people app)."
        )


def migration_gaps(applied: set[tuple[str, str]]) -> tuple[list[str], bool]:
    """The backup's migrations that this code does not have (of the apps installed here),
    and whether this code has migrations the backup lacks (it then needs `migrate`)."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    unknown = sorted(
        f"{app}.{name}"
        for app, name in applied
        if app in loader.migrated_apps and (app, name) not in known
    )
    behind = any(node not in applied for node in loader.graph.nodes)
    return unknown, behind


def refuse_newer(path: Path, applied: set[tuple[str, str]]) -> tuple[str, ...]:
    """Refuses a backup taken by newer code; the note to migrate after restoring an older one."""
    unknown, behind = migration_gaps(applied)
    if unknown:
        shown = ", ".join(unknown[:5]) + (
            f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        )
        raise BackupError(
            f"{path} was taken by a newer lachealth: this code does not know its migrations "
            f"{shown}. Install the version that took it (or a later one), then restore."
        )
    if behind:
        return (
            "The backup is older than this code: run `lachealth migrate` to bring the "
            "database up to date before serving it.",
        )
    return ()


def model_table(label: str) -> str:
    from django.apps import apps

    return str(apps.get_model(label)._meta.db_table)


def refuse_records(
    count: Callable[[list[str]], Mapping[str, int]], *, force: bool, where: str
) -> None:
    """Refuses to restore over a database that holds records unless the operator forces it.

    `count` gives the target's rows in the tables named (absent tables count as empty); it is
    asked only for the records' tables, and not at all when the restore is forced."""
    if force:
        return
    tables = [model_table(label) for label, _ in RECORDS]
    counts = count(tables)
    held = [
        (counts.get(table, 0), words) for table, (_, words) in zip(tables, RECORDS, strict=True)
    ]
    if not any(n for n, _ in held):
        return
    said = ", ".join(f"{n:,} {words}" for n, words in held if n)
    raise BackupError(
        f"{where} already holds lachealth's records ({said}). A restore replaces everything in "
        "it: stop the service, take a backup of it first if it may be needed, and run the "
        "restore again with --force. Or restore into a new, empty database."
    )


def applied_from_rows(rows: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    return {(str(app), str(name)) for app, name in rows}
