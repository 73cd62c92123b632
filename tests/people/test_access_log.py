"""The access log is append-only and tamper-evident: the model refuses to change or delete a
row, PostgreSQL refuses too, every row is sealed to the one before it, even under many
writers at once, and `lachealth verify-audit` names the first row altered or removed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import ProtectedError
from django.test import RequestFactory

from lachealth.people import audit, chain, selectors
from lachealth.people.models import AccessAction, AccessLog, AppendOnly, audit_key

from ..factories import UserFactory

TABLE = AccessLog._meta.db_table
TRIGGER = "people_accesslog_append_only"


def write(n: int, **fields: object) -> list[AccessLog]:
    request = RequestFactory().get("/children/1/", REMOTE_ADDR="2001:DB8::7")
    return [
        audit.record(request, AccessAction.VIEW, detail=f"entry {i}", **fields)  # type: ignore[arg-type]
        for i in range(n)
    ]


def stored() -> list[tuple]:
    return list(AccessLog.objects.order_by("id").values_list())


@contextmanager
def tampering() -> Iterator:
    """A cursor for raw SQL sent past lachealth, as by someone who holds the database's keys:
    on PostgreSQL they switch the append-only trigger off first (the test's rollback switches
    it on again). SQLite has no trigger to switch off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # the rows' foreign keys are checked first: a table is not altered with checks due
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}")
        yield cursor
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def verify() -> str:
    out = StringIO()
    call_command("verify-audit", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_each_row_is_sealed_to_the_one_before_it(db):
    rows = write(3, user=UserFactory())
    assert [r.position for r in rows] == [1, 2, 3]
    assert rows[0].previous_hash == chain.GENESIS
    assert [r.previous_hash for r in rows[1:]] == [r.row_hash for r in rows[:2]]
    for row in AccessLog.objects.all():  # what was sealed is what reads back
        assert row.row_hash == chain.seal(audit_key(), chain.sealed_fields(row))
    assert rows[0].ip_address == "2001:db8::7"


def test_a_row_cannot_be_changed_or_deleted_through_the_model(db):
    row = write(1)[0]
    before = stored()
    row.detail = "nothing to see"
    with pytest.raises(AppendOnly, match=f"row {row.pk} cannot be changed"):
        row.save()
    with pytest.raises(AppendOnly, match=f"row {row.pk} cannot be deleted"):
        row.delete()
    everything = AccessLog.objects.all()
    with pytest.raises(AppendOnly, match="updating access-log rows is refused"):
        everything.update(detail="nothing to see")
    with pytest.raises(AppendOnly, match="deleting access-log rows is refused"):
        everything.delete()
    with pytest.raises(AppendOnly, match="updating"):
        AccessLog.objects.bulk_update([row], ["detail"])
    with pytest.raises(AppendOnly, match="bulk-inserting"):
        AccessLog.objects.bulk_create([AccessLog(action=AccessAction.VIEW)])
    with pytest.raises(AppendOnly):
        AccessLog.objects.update_or_create(pk=row.pk, defaults={"detail": "nothing to see"})
    assert stored() == before


def test_the_user_a_row_names_cannot_be_deleted(db):
    user = UserFactory()
    write(1, user=user)
    with pytest.raises(ProtectedError):
        user.delete()


def test_postgresql_refuses_raw_sql_that_changes_or_deletes_a_row(db):
    """On PostgreSQL the trigger refuses whoever sends the SQL; SQLite has no trigger (its
    file's holder could drop one anyway), so there the change goes in and the check finds it."""
    rows = write(2)
    update = f"UPDATE {TABLE} SET detail = 'nothing to see' WHERE id = %s"
    delete = f"DELETE FROM {TABLE} WHERE id = %s"
    if connection.vendor == "postgresql":
        for sql in (update, delete):
            with (
                pytest.raises(DatabaseError, match="access log is append-only"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql, [rows[0].pk])
        assert "2 rows are intact" in verify()
    else:
        with connection.cursor() as cursor:
            cursor.execute(update, [rows[0].pk])
        with pytest.raises(CommandError, match=f"broken at row {rows[0].pk}"):
            verify()


def test_verify_audit_says_an_untouched_log_is_intact(db):
    rows = write(3)
    out = verify()
    assert out.startswith("The access log's 3 rows are intact.\n")
    assert f"Last seal: {rows[-1].row_hash} (row {rows[-1].pk}, position 3" in out


def test_verify_audit_says_an_empty_log_is_intact(db):
    assert verify() == "The access log's 0 rows are intact.\n"


def test_verify_audit_names_the_row_altered(db):
    rows = write(4)
    with tampering() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET detail = 'nothing to see' WHERE id = %s", [rows[2].pk])
    with pytest.raises(CommandError) as broken:
        verify()
    message = str(broken.value)
    assert message.startswith(f"The access log is broken at row {rows[2].pk}, written ")
    assert "it was altered after it was written" in message
    assert message.endswith("The 2 rows before it are intact.")
    assert broken.value.returncode == 1  # `lachealth verify-audit` exits 1


def test_verify_audit_names_the_row_after_one_removed(db):
    rows = write(4)
    with tampering() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [rows[1].pk])
    with pytest.raises(CommandError) as broken:
        verify()
    message = str(broken.value)
    assert message.startswith(f"The access log is broken at row {rows[2].pk}, written ")
    assert "the row before it is missing (position 2 of the chain was removed)" in message
    assert message.endswith("The 1 row before it is intact.")


def test_verify_audit_names_the_chain_re_ordered(db):
    rows = write(3)
    first, second = rows[0].pk, rows[1].pk
    with tampering() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [-1, first])
        cursor.execute(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [first, second])
        cursor.execute(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [second, -1])
    with pytest.raises(CommandError) as broken:
        verify()
    assert str(broken.value).startswith(f"The access log is broken at row {first}, written ")
    assert (
        "the chain was re-ordered: it holds position 2 of the chain, and position 1, which "
        f"belongs here, is row {second}"
    ) in str(broken.value)


@pytest.fixture
def writers_database(tmp_path) -> Iterator[str]:
    """Where the concurrent writers write. On PostgreSQL the test database. On SQLite a
    database file made as production's (WAL, transactions that take the write lock as they
    begin), with the access log's tables as the migrations made them: the suite's own SQLite
    database is in memory with a shared cache, where a second writer fails at once instead of
    waiting its turn as it does on a file."""
    if connection.vendor != "sqlite":
        yield "default"
        return
    alias = "access_log_file"
    connections.settings[alias] = {
        **connection.settings_dict,
        "NAME": str(tmp_path / "access-log.sqlite3"),
    }
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA foreign_key_list({TABLE})")
        tables = [TABLE, *{row[2] for row in cursor.fetchall()}]  # and those it refers to
        placeholders = ", ".join(["%s"] * len(tables))
        cursor.execute(
            f"SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name IN ({placeholders})",
            tables,
        )
        schema = [sql for (sql,) in cursor.fetchall()]
    file = connect(alias)
    with file.cursor() as cursor:
        for sql in schema:
            cursor.execute(sql)
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone() == ("wal",)
    yield alias
    file.close()
    del connections[alias]
    del connections.settings[alias]


def connect(alias: str) -> BaseDatabaseWrapper:
    """This thread's connection to `alias`, opened here: Django's test case refuses to open
    one to a database it did not set up itself, as the SQLite file above is."""
    wrapper = connections[alias]
    if wrapper.connection is None:
        wrapper.connect()
    return wrapper


@pytest.mark.django_db(transaction=True)
def test_many_writers_at_once_keep_one_unbroken_chain(writers_database):
    """Gunicorn's workers each write a row on every child page: they take turns, so every row
    gets its own place and links to the row before it."""
    writers, each = 6, 15
    start = threading.Barrier(writers)
    failures: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            connect(writers_database)
            start.wait()
            for i in range(each):
                AccessLog.objects.using(writers_database).create(
                    action=AccessAction.VIEW, detail=f"writer {n} row {i}"
                )
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)
        finally:
            connections[writers_database].close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    rows = AccessLog.objects.using(writers_database)
    assert sorted(rows.values_list("position", flat=True)) == list(range(1, writers * each + 1))
    with closing(selectors.access_log_chain(using=writers_database)) as written:
        verdict = chain.check(
            written,
            audit_key(),
            find=lambda position: selectors.access_log_row_at(position, using=writers_database),
        )
    assert verdict.broken is None and verdict.intact == writers * each
