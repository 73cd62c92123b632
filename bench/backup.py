"""Backup and restore at England's volume: `lachealth backup` and `lachealth restore` of the
database england_903.py built and insight.py gave health histories (150 LAs, 85,000 children
looked after at 31 March, about a million episodes over ten years, their assessments and SDQs,
with their history) on PostgreSQL (target < 5 min each), restored into a new database; then
the same rows copied into SQLite and backed up and restored there.

Run on another database (or none: SQLite) it skips PostgreSQL, saying so, and times SQLite on
the demo instead. Prints times, file sizes and rows; asserts nothing about time."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import load_demo, setup_django


def main() -> None:
    setup_django()
    folder = Path(tempfile.mkdtemp(prefix="lachealth-backup-"))
    try:
        _measure(folder)
    finally:
        shutil.rmtree(folder)


def _measure(folder: Path) -> None:
    from django.db import connection

    from lachealth.care.models import Child

    if connection.vendor != "postgresql" or Child.objects.count() < 1_000:
        if connection.vendor == "postgresql":
            print("[PostgreSQL] skipped: the England database of england_903.py is not there")
            return
        print("[PostgreSQL] skipped: not given a PostgreSQL database (SQLite on the demo instead)")
        load_demo("--reset", "--seed", "1", "--as-of", "2026-11-23")
        _time("SQLite", connection.settings_dict, folder, _volume("the demo"))
        return
    _health_histories()
    source = connection.settings_dict
    volume = _volume("England")
    _time("PostgreSQL", source, folder, volume)
    start = time.perf_counter()
    copy = _copy_to_sqlite(folder / "england.sqlite3")
    print(f"  (the same rows copied into SQLite in {time.perf_counter() - start:.0f} s)")
    _time("SQLite", copy, folder, volume)


def _health_histories() -> None:
    """insight.py's health histories, if it has not given them already."""
    from lachealth.health.models import HealthAssessment

    if not HealthAssessment.objects.exists():
        from insight import _histories

        made, sdq = _histories()
        print(f"  health histories: {made:,} assessments, {sdq:,} SDQs")


def _volume(name: str) -> str:
    from lachealth.care.models import Child, Episode
    from lachealth.health.models import HealthAssessment

    looked_after = Child.objects.filter(looked_after=True).count()
    return (
        f"{name}: {Child.objects.count():,} children ({looked_after:,} looked after now), "
        f"{Episode.objects.count():,} episodes, {HealthAssessment.objects.count():,} "
        "health assessments"
    )


def _time(label: str, source: dict[str, Any], folder: Path, volume: str) -> None:
    """Back `source` up, restore it into a new, empty database, and print both."""
    from lachealth import backups

    file = folder / f"{label.lower()}.backup"
    with backups.progress_bars(sys.stderr) as progress:
        taken = backups.back_up(source, file, progress=progress, overwrite=True)
    with (
        _empty_database(label, source, folder) as target,
        backups.progress_bars(sys.stderr) as progress,
    ):
        restored = backups.restore(target, file, progress=progress)
    same = "every table's rows equal" if restored.counts == taken.counts else "ROWS DIFFER"
    print(
        f"[{label}] {volume}: {taken.tables} tables, {taken.rows:,} rows\n"
        f"  backup {taken.took} ({taken.size_in_words}), restore into an empty database "
        f"{restored.took}{' (target < 5 min each)' if label == 'PostgreSQL' else ''}; {same}"
    )
    file.unlink()


class _empty_database:
    """A new database beside the source: a file on SQLite; on PostgreSQL one created on the
    same server, dropped when done."""

    def __init__(self, label: str, source: dict[str, Any], folder: Path) -> None:
        self.label, self.source, self.folder = label, source, folder
        self.name = f"{source['NAME']}_restored"

    def __enter__(self) -> dict[str, Any]:
        if self.label == "SQLite":
            return {**self.source, "NAME": str(self.folder / "restored.sqlite3")}
        self._server("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        self._server("CREATE DATABASE {}")
        return {**self.source, "NAME": self.name}

    def __exit__(self, *exc: object) -> None:
        if self.label == "SQLite":
            for path in self.folder.glob("restored.sqlite3*"):
                path.unlink()
        else:
            self._server("DROP DATABASE IF EXISTS {} WITH (FORCE)")

    def _server(self, statement: str) -> None:
        from psycopg import sql

        from lachealth.backups import postgres

        server = {**postgres.connection_params(self.source), "dbname": "postgres"}
        with postgres.connect(server, autocommit=True) as conn:
            conn.execute(sql.SQL(statement).format(sql.Identifier(self.name)))


def _copy_to_sqlite(path: Path) -> dict[str, Any]:
    """Every row of the PostgreSQL database into a new SQLite file migrated by lachealth,
    table by table as the models' fields store them on SQLite (their own save, which the
    access log's model guards, is not called)."""
    from django.apps import apps
    from django.db import connections, transaction
    from tqdm import tqdm

    copy = {
        **connections["default"].settings_dict,
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        },
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "CONN_MAX_AGE": 0,
    }
    # Migrated by a process of its own: a data migration reads the default database.
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--verbosity=0"],
        env={**os.environ, "DATABASE_URL": f"sqlite:///{path}"},
        check=True,
    )
    connections.settings["sqlite_copy"] = copy
    target = connections["sqlite_copy"]
    models = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    ]
    quote = target.ops.quote_name
    with (
        target.constraint_checks_disabled(),
        transaction.atomic(using="sqlite_copy"),
        target.cursor() as cursor,
    ):
        for model in tqdm(models, desc="Copying into SQLite", unit=" tables", file=sys.stderr):
            fields = model._meta.concrete_fields
            table = quote(model._meta.db_table)
            cursor.execute(f"DELETE FROM {table}")  # what migrations loaded
            insert = (
                f"INSERT INTO {table} ({', '.join(quote(f.column) for f in fields)}) "
                f"VALUES ({', '.join(['%s'] * len(fields))})"
            )
            rows = (
                model._base_manager.using("default")
                .order_by()
                .values_list(*[f.attname for f in fields])
                .iterator(chunk_size=20_000)
            )
            batch: list[list[Any]] = []
            for row in rows:
                batch.append(
                    [f.get_db_prep_save(v, target) for f, v in zip(fields, row, strict=True)]
                )
                if len(batch) == 20_000:
                    cursor.executemany(insert, batch)
                    batch.clear()
            if batch:
                cursor.executemany(insert, batch)
    target.close()
    return copy


if __name__ == "__main__":
    main()
