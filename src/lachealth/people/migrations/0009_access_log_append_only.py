"""Every access-log row has its place in the chain, and no two the same; on PostgreSQL a
trigger refuses any UPDATE or DELETE of a row, whoever sends it.

SQLite gets no such trigger: Django's test runner empties tables with DELETE there (on
PostgreSQL with TRUNCATE, which row triggers do not see), and whoever holds an SQLite file can
drop a trigger anyway. The model refuses on both (`AccessLog.save`, `delete`, the queryset)."""

from django.db import migrations, models

FUNCTION = "people_accesslog_refuse_change"
TRIGGER = "people_accesslog_append_only"


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("people", "AccessLog")._meta.db_table)
    schema_editor.execute(
        f"""
        CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'The access log is append-only: % of access-log row % refused',
                TG_OP, OLD.id
                USING HINT = 'Rows are never changed or removed; lachealth verify-audit '
                             'checks the chain.';
        END;
        $$
        """,
        None,  # no parameters: the % are PL/pgSQL's, not placeholders
    )
    schema_editor.execute(
        f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
    )


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("people", "AccessLog")._meta.db_table)
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0008_access_log_chain"),
    ]

    operations = [
        migrations.AlterField(
            model_name="accesslog",
            name="position",
            field=models.PositiveBigIntegerField(
                editable=False,
                help_text="The row's place in the chain, from 1, no gaps",
                unique=True,
            ),
        ),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
