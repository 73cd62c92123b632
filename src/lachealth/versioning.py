"""One way every service writes a row: validated, and its history version credited to a user."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
from django.utils import timezone


def save_versioned(instance: Any, by: Any, reason: str = "", **save_kwargs: Any) -> None:
    """Validate and save a model instance, its django-simple-history version credited to `by`
    with `reason` (why a correction was made), which the change history shows.

    `exclude` is passed to `full_clean`; every other keyword goes to `save`.
    """
    instance._history_user = by
    instance._change_reason = reason or None
    instance.full_clean(exclude=save_kwargs.pop("exclude", None))
    instance.save(**save_kwargs)


def create_versioned(objs: list[Any], model: Any, *, by: Any, reason: str) -> None:
    """Insert many new rows of `model` and their "+" history versions credited to `by`.

    For imports, where Django's `bulk_create` spends most of its time building SQL: the
    primary keys are drawn first, so the objects come back with them as after `bulk_create`,
    then the rows and their history go in by COPY on PostgreSQL and by one prepared INSERT
    run many times on SQLite, together or not at all. Model validation is the caller's job,
    as with `bulk_create`.
    """
    if not objs:
        return
    connection = connections[model._default_manager.db]
    opts = model._meta
    history = model.history.model._meta
    history_fields = [f for f in history.concrete_fields if f.name != "history_id"]
    version = {
        "history_date": timezone.now(),
        "history_change_reason": reason,
        "history_type": "+",
        "history_user": getattr(by, "pk", None),
    }
    fixed = {
        f.name: f.get_db_prep_save(version[f.name], connection)
        for f in history_fields
        if f.name in version
    }
    fields = opts.concrete_fields
    # A version copies its row's fields, so its values are the row's, prepared once.
    position = {f.attname: i for i, f in enumerate(fields)}
    taken = [
        (fixed[f.name], None) if f.name in fixed else (None, position[f.attname])
        for f in history_fields
    ]
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for obj, pk in zip(objs, _new_keys(cursor, opts, len(objs)), strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = connection.alias
        rows = [[f.get_db_prep_save(f.pre_save(o, True), connection) for f in fields] for o in objs]
        _insert(cursor, opts.db_table, fields, rows)
        _insert(
            cursor,
            history.db_table,
            history_fields,
            ([value if i is None else row[i] for value, i in taken] for row in rows),
        )


def _new_keys(cursor: Any, opts: Any, count: int) -> Iterable[int]:
    table, column = opts.db_table, opts.pk.column
    if cursor.db.vendor == "postgresql":
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]
    # SQLite: transactions begin IMMEDIATE (settings), so this one already holds the write
    # lock and the keys after the highest ever given are its own.
    quote = cursor.db.ops.quote_name
    cursor.execute(
        f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
        f"COALESCE((SELECT MAX({quote(column)}) FROM {quote(table)}), 0))",
        [table],
    )
    (last,) = cursor.fetchone()
    return range(last + 1, last + 1 + count)


def _insert(cursor: Any, table: str, fields: Any, rows: Iterable[list[Any]]) -> None:
    quote = cursor.db.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    if cursor.db.vendor == "postgresql":
        copying = cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN")
        with cursor.db.wrap_database_errors, copying as copy:  # Django's errors, as elsewhere
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {quote(table)} ({columns}) VALUES ({marks})", rows)


class CurrentManager(models.Manager[Any]):
    """The rows not withdrawn: the default manager of a record that can be withdrawn, so that
    every clock, list, measure and export leaves a withdrawn record out. `everything` (a
    plain manager) reaches the withdrawn ones too, for their own pages and history."""

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().filter(withdrawn_reason="")


#: How a withdrawal's reason starts in a record's history: it is kept, never deleted.
WITHDRAWN = "withdrawn: "


def withdrawal(reason: str) -> str:
    """The history reason of a record withdrawn as entered in error."""
    return WITHDRAWN + reason


def correction_reason(reason: str) -> str:
    """Why a record is corrected, as the history keeps it; ValidationError if not said."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why you are making this change"})
    return reason.strip()


def withdraw_versioned(instance: Any, by: Any, reason: str) -> Any:
    """Withdraw a row entered in error (it has a `withdrawn_reason`): read afresh and locked,
    kept with the reason, never deleted; its version credited to `by`. Returns the row;
    ValidationError on `reason` if it is withdrawn already or no reason is given."""
    row = type(instance)._base_manager.select_for_update().get(pk=instance.pk)
    if row.withdrawn_reason:
        raise ValidationError({"reason": "This entry is already withdrawn"})
    if not reason.strip():
        raise ValidationError({"reason": "Say why this entry is withdrawn"})
    row.withdrawn_reason = reason.strip()
    save_versioned(row, by, reason=withdrawal(row.withdrawn_reason))
    return row


@dataclass(frozen=True)
class FieldChange:
    """One field of a record as it was before a change and after it, in words."""

    field: str
    before: str
    after: str


#: Fields that change on every save, or that only mirror others: never shown as a change.
QUIET_FIELDS = frozenset({"updated_at", "created_at", "looked_after", "current_placement_area"})


def _shown(version: Any, name: str) -> str:
    field = version.instance_type._meta.get_field(name)
    value = getattr(version, field.attname)
    if value in (None, ""):
        return "(none)"
    if field.choices:
        return f"{dict(field.flatchoices).get(value, value)}"
    if field.is_relation:
        return str(getattr(version, name, value))
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%-d %B %Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%-d %B %Y}"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def field_changes(version: Any, before: Any | None) -> list[FieldChange]:
    """What a history version changed against the version before it (`before`, or None for
    the first): each field that differs, with its name and both values as people read them."""
    if before is None or version.history_type != "~":
        return []
    opts = version.instance_type._meta
    changes = []
    for change in version.diff_against(before).changes:
        if change.field in QUIET_FIELDS:
            continue
        label = str(opts.get_field(change.field).verbose_name)
        changes.append(
            FieldChange(
                label[0].upper() + label[1:],
                _shown(before, change.field),
                _shown(version, change.field),
            )
        )
    return changes
