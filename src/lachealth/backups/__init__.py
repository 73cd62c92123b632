"""Backups that restore: the whole database to one file and back (`lachealth backup`,
`lachealth restore`), PostgreSQL through the server's own pg_dump and pg_restore
(`postgres.py`), SQLite through its online backup API (`sqlite.py`).

Either engine's backup is one consistent snapshot, so a backup taken while an import runs
holds all of that import or none of it; either restore is one transaction, so a restore that
fails leaves the database as it was. A backup is written beside its name and renamed when
complete, readable by its owner only: it holds every child's record.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from . import postgres, sqlite
from .checks import (
    BackupError,
    Progress,
    Summary,
    engine_of,
    kind_of_file,
    no_progress,
    refuse_other_engine,
)

__all__ = [
    "BackupError",
    "Progress",
    "Summary",
    "back_up",
    "progress_bars",
    "restore",
]

ENGINES = {"SQLite": sqlite, "PostgreSQL": postgres}


def back_up(
    database: Mapping[str, Any],
    output: Path,
    *,
    progress: Progress = no_progress,
    overwrite: bool = False,
) -> Summary:
    """Write a backup of `database` (a DATABASES entry) to `output`."""
    engine = engine_of(database)
    if output.exists() and not overwrite:
        raise BackupError(f"{output} exists already: give another name, or --overwrite.")
    if not output.parent.is_dir():
        raise BackupError(f"{output.parent} is not a folder: create it first.")
    partial = output.with_name(output.name + ".partial")
    # Created empty and private before the engine writes into it, so that no one else can
    # read the file at any moment (pg_dump and SQLite keep the mode of a file that exists).
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        summary = ENGINES[engine].back_up(database, output, partial, progress)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return summary


def restore(
    database: Mapping[str, Any],
    backup: Path,
    *,
    progress: Progress = no_progress,
    force: bool = False,
) -> Summary:
    """Replace `database`'s contents with the backup's; refused, and nothing changed, if the
    file is not a backup of this engine, was taken by newer code, or the database already
    holds records and `force` is not given."""
    engine = engine_of(database)
    kind = kind_of_file(backup)
    refuse_other_engine(backup, kind, engine)
    return ENGINES[engine].restore(database, backup, progress, force=force)


@contextlib.contextmanager
def progress_bars(stream: Any) -> Iterator[Progress]:
    """A `Progress` that draws a tqdm bar on `stream` (a file, or a command's stderr) for each
    step in turn; none when `stream` is not a terminal, so that a scheduled backup's log
    holds the summary alone."""
    from tqdm import tqdm

    bars: dict[str, Any] = {}

    def show(what: str, done: int, total: int, unit: str) -> None:
        if what not in bars:
            for bar in bars.values():
                bar.close()
            bars.clear()
            bars[what] = tqdm(
                desc=what,
                total=total,
                unit=unit,
                unit_scale=unit == "B",
                unit_divisor=1024,
                file=stream,
                dynamic_ncols=True,
                disable=None,
            )
        bar = bars[what]
        bar.total = total
        bar.update(done - bar.n)

    try:
        yield show
    finally:
        for bar in bars.values():
            bar.close()
