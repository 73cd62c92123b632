"""On PostgreSQL, trigram indexes that let a search for any part of a child's names find
them among England's children without reading every row (`pg_trgm`, a trusted extension
the database's owner may create). SQLite reads the rows, which is quick enough at a single
area's size."""

import logging

from django.db import DatabaseError, migrations, transaction

logger = logging.getLogger(__name__)

#: What `icontains` and `iexact` compare on PostgreSQL: UPPER("column"::text).
TRIGRAM = ["first_name", "last_name", "former_names"]


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            # The operator class lives in the schema the extension was installed in.
            cursor.execute(
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                "ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
            )
            schema = cursor.fetchone()[0]
            for column in TRIGRAM:
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS care_child_{column}_trgm ON care_child "
                    f'USING gin ((UPPER("{column}"::text)) "{schema}".gin_trgm_ops)'
                )
    except DatabaseError:
        logger.warning(
            "pg_trgm could not be used: name searches read every child. Once a database "
            "administrator has run CREATE EXTENSION pg_trgm, run "
            "`lachealth migrate care 0007 && lachealth migrate` to add the indexes."
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS care_child_la_child_id_upper ON care_child "
            '((UPPER("la_child_id"::text)))'
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for column in TRIGRAM:
            cursor.execute(f"DROP INDEX IF EXISTS care_child_{column}_trgm")
        cursor.execute("DROP INDEX IF EXISTS care_child_la_child_id_upper")


class Migration(migrations.Migration):
    dependencies = [("care", "0007_former_names")]

    operations = [migrations.RunPython(forwards, backwards)]
