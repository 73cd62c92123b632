"""Backups that restore (`lachealth backup`, `lachealth restore`), on whichever database the
suite runs on: the demo backed up and restored into an empty database table for table, a
backup taken while an import writes, a restore that fails, and every refusal."""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend

from lachealth import backups
from lachealth.backups import postgres
from lachealth.backups import sqlite as backup_sqlite
from lachealth.care.models import Child, Episode
from lachealth.people.models import AccessLog, Area, Organisation

from .factories import ensure_areas

ON_SQLITE = connection.vendor == "sqlite"
ENGINE = "SQLite" if ON_SQLITE else "PostgreSQL"
OTHER_ENGINE = "PostgreSQL" if ON_SQLITE else "SQLite"
AS_OF = "2026-11-23"
SUMMARY = re.compile(r"\d+ tables, [\d,]+ rows")


@contextmanager
def extra_database(alias: str, name: str) -> Iterator[dict[str, Any]]:
    """A second database, like the default one but named `name`, open to the ORM as `alias`
    in this thread (`in_this_thread` opens it in another)."""
    database = {**connection.settings_dict, "NAME": name}
    with in_this_thread(alias, database):
        yield database


@contextmanager
def in_this_thread(alias: str, database: dict[str, Any]) -> Iterator[None]:
    """`alias` for `database` in this thread only: Django's test cases allow connections made
    this way, not those to databases in settings.DATABASES that the test did not name."""
    connections[alias] = load_backend(database["ENGINE"]).DatabaseWrapper(database, alias)
    try:
        yield
    finally:
        connections[alias].close()
        del connections[alias]


@contextmanager
def empty_database(tmp_path: Path, alias: str = "restored") -> Iterator[dict[str, Any]]:
    """A new, empty database: a file that does not exist yet on SQLite, a database created
    on the same server (and dropped at the end) on PostgreSQL."""
    if ON_SQLITE:
        with extra_database(alias, str(tmp_path / f"{alias}.sqlite3")) as database:
            yield database
        return
    name = f"{connection.settings_dict['NAME']}_{alias}"
    server = {**postgres.connection_params(connection.settings_dict), "dbname": "postgres"}
    with postgres.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        with extra_database(alias, name) as database:
            yield database
    finally:
        with postgres.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def live_database(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A database in use, that other threads write to: the test database on PostgreSQL; on
    SQLite, whose test database lives in memory, a file made from it (in WAL mode, as the
    service runs it), open as "live" in this thread."""
    if not ON_SQLITE:
        yield connection.settings_dict
        return
    copy = tmp_path / "live.sqlite3"
    backups.back_up(connection.settings_dict, copy)
    with extra_database("live", str(copy)) as database:
        yield database


def every_table(alias: str) -> dict[str, int]:
    """Rows of every model's table (with the many-to-many and history tables) and of
    django_migrations, counted through the ORM."""
    counts = {
        model._meta.db_table: model._base_manager.using(alias).count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    counts["django_migrations"] = MigrationRecorder(connections[alias]).migration_qs.count()
    return counts


def latest_access_log(alias: str) -> list[dict[str, Any]]:
    return list(AccessLog._base_manager.using(alias).order_by("-id").values()[:25])


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_demo_backed_up_restores_into_an_empty_database_table_for_table(tmp_path):
    ensure_areas()
    run("demo", "--scale", "0.05", "--seed", "3", "--as-of", AS_OF)
    file = tmp_path / "lachealth.backup"
    backed_up = run("backup", "--output", str(file))
    assert f"Backed up the {ENGINE} database to {file}" in backed_up
    assert file.stat().st_mode & 0o077 == 0  # readable by its owner only
    before, log = every_table("default"), latest_access_log("default")
    assert before["care_child"] and before["django_migrations"] and log

    with empty_database(tmp_path) as database:
        restored = run("restore", str(file), "--database", "restored")
        assert f"Restored {file} into the {ENGINE} database {database['NAME']}" in restored
        assert every_table("restored") == before
        assert latest_access_log("restored") == log
        # The restore's summary is the backup's, as it tells the operator to check.
        assert SUMMARY.search(restored)[0] == SUMMARY.search(backed_up)[0]  # type: ignore[index]
        assert "To verify" in restored and "migrate" not in restored.split("To verify")[0]

        # Into a database that now holds records: refused, and nothing is changed.
        with pytest.raises(CommandError, match=r"already holds lachealth's records \(\d+ users"):
            run("restore", str(file), "--database", "restored")
        assert every_table("restored") == before

    # Over the database it came from, changed since: as it was, its access log's seals intact.
    Organisation.objects.create(name="Made after the backup", kind="LA")
    run("restore", str(file), "--force")
    assert every_table("default") == before
    assert "intact" in run("verify-audit")


@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_while_an_import_runs_has_all_of_it_or_none(tmp_path, monkeypatch):
    ensure_areas()
    monkeypatch.setattr(backup_sqlite, "PAGES_PER_STEP", 4)  # many steps: writes between them
    imported = 300
    started, go_on, committed = threading.Event(), threading.Event(), threading.Event()
    failures: list[BaseException] = []
    with live_database(tmp_path) as database:
        live = "live" if ON_SQLITE else "default"
        area = Area.objects.using(live).get(code="E08000032")
        already = Child.objects.using(live).count(), Episode.objects.using(live).count()

        def an_import() -> None:  # children, then (while the backup runs) their episodes
            try:
                with in_this_thread("import", database), transaction.atomic(using="import"):
                    children = Child.objects.using("import").bulk_create(
                        Child(
                            la_child_id=f"IMP{n:04d}",
                            first_name="Ada",
                            last_name=f"Import{n}",
                            date_of_birth=date(2015, 1, 1),
                            sex="F",
                            ethnicity="WBRI",
                            nhs_number="",
                            responsible_area_id=area.pk,
                            current_placement_area_id=area.pk,
                            looked_after=True,
                        )
                        for n in range(imported)
                    )
                    started.set()
                    assert go_on.wait(60)
                    Episode.objects.using("import").bulk_create(
                        Episode(
                            child=child,
                            decom=date(2025, 1, 6),
                            rne="S",
                            ls="C2",
                            cin="N1",
                            place="U4",
                            placement_area_id=area.pk,
                        )
                        for child in children
                    )
                committed.set()
            except BaseException as exc:  # reported by the test's own thread
                failures.append(exc)
                started.set()
                go_on.set()

        def progress(what: str, done: int, total: int, unit: str) -> None:
            if not go_on.is_set():  # the backup has begun and is not done: the import commits
                assert done < total
                go_on.set()
                assert committed.wait(60)

        writer = threading.Thread(target=an_import)
        writer.start()
        assert started.wait(60)
        file = tmp_path / "during-import.backup"
        backups.back_up(database, file, progress=progress)
        writer.join(60)
        assert not failures and committed.is_set()
        now = Child.objects.using(live).count(), Episode.objects.using(live).count()
        assert now == (already[0] + imported, already[1] + imported)

    with empty_database(tmp_path) as database:
        backups.restore(database, file)
        children = Child.objects.using("restored").count() - already[0]
        episodes = Episode.objects.using("restored").count() - already[1]
    # All of the import or none of it; in fact none, as the backup is the database as it was
    # when the backup began, before the import committed.
    assert (children, episodes) in {(0, 0), (imported, imported)}
    assert (children, episodes) == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_a_restore_that_fails_leaves_the_database_as_it_was_and_force_replaces_it(
    tmp_path, monkeypatch
):
    ensure_areas()
    monkeypatch.setattr(backup_sqlite, "PAGES_PER_STEP", 4)
    Organisation.objects.create(name="In the backup", kind="LA")
    file = tmp_path / "lachealth.backup"
    backups.back_up(connection.settings_dict, file)
    Organisation.objects.create(name="Made after the backup", kind="LA")
    before = every_table("default")

    def interrupted(what: str, done: int, total: int, unit: str) -> None:
        if 0 < done < total:
            raise KeyboardInterrupt  # Ctrl+C in the middle of the restore

    with pytest.raises(KeyboardInterrupt):
        backups.restore(connection.settings_dict, file, progress=interrupted, force=True)
    assert every_table("default") == before

    restored = run("restore", str(file), "--force")
    assert "Restored" in restored
    assert set(Organisation.objects.values_list("name", flat=True)) == {"In the backup"}


@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_by_newer_code_is_refused(tmp_path):
    recorder = MigrationRecorder(connection)
    recorder.record_applied("people", "9999_from_the_future")
    file = tmp_path / "newer.backup"
    try:
        backups.back_up(connection.settings_dict, file)
    finally:  # flushing the test database leaves django_migrations as it is
        recorder.record_unapplied("people", "9999_from_the_future")
    with (
        empty_database(tmp_path) as database,
        pytest.raises(
            backups.BackupError, match=r"taken by a newer lachealth.*people\.9999_from_the_future"
        ),
    ):
        backups.restore(database, file)


def test_what_is_not_a_backup_of_this_database_is_refused(tmp_path, db):
    with pytest.raises(CommandError, match="no such file"):
        run("restore", str(tmp_path / "missing.backup"))
    random = tmp_path / "random.backup"
    random.write_bytes(b"\x00\x01 not a backup at all" * 100)
    with pytest.raises(CommandError, match="is not a lachealth backup: `lachealth backup` writes"):
        run("restore", str(random))
    other = tmp_path / "other-engine.backup"
    if ON_SQLITE:
        other.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 100)
    else:
        sqlite3.connect(other).execute("CREATE TABLE django_migrations (app, name)").close()
    with pytest.raises(CommandError, match=f"is a backup of a {OTHER_ENGINE} database, and this"):
        run("restore", str(other))


@pytest.mark.django_db(transaction=True)
def test_a_database_of_this_engine_that_is_not_lachealths_is_refused(tmp_path):
    with empty_database(tmp_path, "stranger") as stranger:
        if ON_SQLITE:
            sqlite3.connect(stranger["NAME"]).execute("CREATE TABLE t (a)").close()
        else:
            with postgres.connect(postgres.connection_params(stranger), autocommit=True) as conn:
                conn.execute("CREATE TABLE t (a int)")
        file = tmp_path / "stranger.backup"
        backups.back_up(stranger, file)
    with pytest.raises(CommandError, match="is not a lachealth backup"):
        run("restore", str(file), "--force")


def test_a_backup_does_not_overwrite_a_file_unless_asked(tmp_path, db):
    kept = tmp_path / "kept.backup"
    kept.write_text("an earlier backup")
    with pytest.raises(CommandError, match="exists already: give another name, or --overwrite"):
        run("backup", "--output", str(kept))
    assert kept.read_text() == "an earlier backup"
    with pytest.raises(CommandError, match="is not a folder: create it first"):
        run("backup", "--output", str(tmp_path / "nowhere" / "x.backup"))


def test_postgres_tools_must_be_the_servers_major_version(tmp_path):
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    fake = bin_ / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 16.4'\n")
    fake.chmod(0o755)
    root = tmp_path / "lib"
    assert postgres.tool("pg_dump", 16, root=root, path=str(bin_)) == str(fake)
    with pytest.raises(backups.BackupError) as refused:
        postgres.tool("pg_dump", 15, root=root, path=str(bin_))
    assert "pg_dump 15 is needed for this PostgreSQL 15 server" in str(refused.value)
    assert f"{fake} is version 16" in str(refused.value)
    assert "apt install postgresql-client-15" in str(refused.value)
    own = root / "15" / "bin" / "pg_dump"
    own.parent.mkdir(parents=True)
    own.write_text("#!/bin/sh\n")
    own.chmod(0o755)
    assert postgres.tool("pg_dump", 15, root=root, path=str(bin_)) == str(own)


def test_the_password_reaches_pg_dump_in_its_environment_never_its_arguments():
    database = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "lachealth",
        "USER": "app",
        "PASSWORD": "s3cret",
        "HOST": "db.example",
        "PORT": 5433,
        "OPTIONS": {"sslmode": "require", "options": "-c jit=off", "pool": True},
    }
    params = postgres.connection_params(database)
    env = postgres.tool_env(params)
    assert env["PGPASSWORD"] == "s3cret" and env["PGSSLMODE"] == "require"
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGDATABASE"]) == (
        "db.example",
        "5433",
        "app",
        "lachealth",
    )
    assert "pool" not in params and "options" not in params
