"""The access log becomes a hash chain: each row gets its position, the seal of the row
before it and its own seal (`people/chain.py`), and the rows already written are sealed
here, in id order, with the key the installation has now (AUDIT_LOG_KEY, else SECRET_KEY).
`at` is given by the model rather than by the insert, so the time sealed is the time stored."""

import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from lachealth.people import chain

BATCH = 2000


def seal_existing_rows(apps, schema_editor):
    AccessLog = apps.get_model("people", "AccessLog")
    rows = AccessLog.objects.using(schema_editor.connection.alias)
    key = str(settings.AUDIT_LOG_KEY).encode()
    last, after = None, 0
    while batch := list(rows.filter(id__gt=after).order_by("id")[:BATCH]):
        for row in batch:
            row.position, row.previous_hash = chain.next_link(last)
            row.row_hash = chain.seal(key, chain.sealed_fields(row))
            last = (row.position, row.row_hash)
        rows.bulk_update(batch, ["position", "previous_hash", "row_hash"])
        after = batch[-1].id


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0007_longer_change_reasons"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="accesslog",
            options={"base_manager_name": "objects", "ordering": ["-at", "-id"]},
        ),
        migrations.AlterField(
            model_name="accesslog",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, editable=False
            ),
        ),
        migrations.AddField(
            model_name="accesslog",
            name="position",
            field=models.PositiveBigIntegerField(
                editable=False,
                help_text="The row's place in the chain, from 1, no gaps",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="accesslog",
            name="previous_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="accesslog",
            name="row_hash",
            field=models.CharField(
                default="",
                editable=False,
                help_text="HMAC-SHA256 seal of the row (chain.py)",
                max_length=64,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(seal_existing_rows, migrations.RunPython.noop),
    ]
