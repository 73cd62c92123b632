"""SQLite through its online backup API, page by page with a progress bar.

The backup reads inside one read transaction: in WAL mode writers carry on meanwhile, and the
copy is the database as it was when the backup began, so an import committed during it is in
the copy wholly or not at all. A restore copies a backup's pages into the database inside one
write transaction, so a restore that fails leaves the database as it was.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .checks import (
    BackupError,
    Progress,
    Summary,
    applied_from_rows,
    refuse_newer,
    refuse_records,
    refuse_unless_lachealth,
)

#: Pages copied between two looks at the progress bar (8 MiB at SQLite's usual 4 KiB page).
PAGES_PER_STEP = 2048


def connect(name: str | Path, *, read_only: bool = False) -> sqlite3.Connection:
    """A connection of our own to a database file (or the tests' shared in-memory database,
    whose name is a `file:` URI), outside Django's transactions."""
    name = str(name)
    if name.startswith("file:"):
        return sqlite3.connect(name, uri=True, isolation_level=None, timeout=30)
    if read_only:
        uri = f"file:{quote(str(Path(name).resolve()))}?mode=ro"
        return sqlite3.connect(uri, uri=True, isolation_level=None, timeout=30)
    return sqlite3.connect(name, isolation_level=None, timeout=30)


def row_counts(conn: sqlite3.Connection, only: list[str] | None = None) -> dict[str, int]:
    """Rows in every table of the database, or in those of `only` that it has."""
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
        if only is None or name in only
    ]
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def back_up(
    database: Mapping[str, Any], output: Path, partial: Path, progress: Progress
) -> Summary:
    """Copy the database into `partial` (which the caller renames to `output` when it is done)."""
    start = time.perf_counter()
    source = connect(database["NAME"])
    try:
        # The read transaction that every step of the copy shares: its snapshot is the backup.
        source.execute("BEGIN")
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()
        page_size = source.execute("PRAGMA page_size").fetchone()[0]
        target = connect(partial)
        try:
            source.backup(
                target,
                pages=PAGES_PER_STEP,
                progress=lambda _status, remaining, total: progress(
                    "Backing up", (total - remaining) * page_size, total * page_size, "B"
                ),
            )
            # One self-contained file, not a WAL database with files beside it.
            target.execute("PRAGMA journal_mode=DELETE").fetchone()
            counts = row_counts(target)
        finally:
            target.close()
        source.execute("COMMIT")
    except sqlite3.Error as exc:
        raise BackupError(f"The backup failed: {exc}. Nothing was written to {output}.") from exc
    finally:
        source.close()
    return Summary(
        path=output,
        engine="SQLite",
        counts=counts,
        size=partial.stat().st_size,
        seconds=time.perf_counter() - start,
    )


def restore(
    database: Mapping[str, Any], backup: Path, progress: Progress, *, force: bool
) -> Summary:
    """Replace the database's contents with the backup's, in one write transaction."""
    start = time.perf_counter()
    try:
        source = connect(backup, read_only=True)
    except sqlite3.Error as exc:
        raise BackupError(f"{backup} cannot be opened: {exc}.") from exc
    try:
        applied = _checked(source, backup)
        notes = refuse_newer(backup, applied)
        target = connect(database["NAME"])
        try:
            refuse_records(
                lambda tables: row_counts(target, tables),
                force=force,
                where=f"The SQLite database {database['NAME']}",
            )
            page_size = source.execute("PRAGMA page_size").fetchone()[0]
            source.backup(
                target,
                pages=PAGES_PER_STEP,
                progress=lambda _status, remaining, total: progress(
                    "Restoring", (total - remaining) * page_size, total * page_size, "B"
                ),
            )
            # The service runs in WAL mode (settings.py); a new file takes the backup's mode.
            target.execute("PRAGMA journal_mode=WAL").fetchone()
            target.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            counts = row_counts(target)
        finally:
            target.close()
    except sqlite3.Error as exc:
        raise BackupError(
            f"The restore failed and the database was left as it was: {exc}."
        ) from exc
    finally:
        source.close()
    return Summary(
        path=backup,
        engine="SQLite",
        counts=counts,
        size=backup.stat().st_size,
        seconds=time.perf_counter() - start,
        notes=notes,
    )


def _checked(source: sqlite3.Connection, backup: Path) -> set[tuple[str, str]]:
    """The backup's applied migrations, once it has been checked whole and found lachealth's."""
    try:
        damage = [row[0] for row in source.execute("PRAGMA quick_check(5)")]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{backup} is not a readable SQLite database: {exc}.") from exc
    if damage != ["ok"]:
        raise BackupError(f"{backup} is damaged (SQLite's check: {'; '.join(damage)}).")
    try:
        rows = source.execute("SELECT app, name FROM django_migrations").fetchall()
    except sqlite3.OperationalError:
        rows = []
    applied = applied_from_rows(rows)
    refuse_unless_lachealth(backup, applied)
    return applied
