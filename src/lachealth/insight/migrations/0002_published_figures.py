"""Snapshots hold published (suppressed) figures instead of cells of every combination of
breakdowns (ADR 010). Snapshots taken before are dropped: the next page counts live until
the nightly count runs again."""

import django.db.models.deletion
from django.db import migrations, models


def drop_old_snapshots(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("insight", "MeasureCell").objects.all().delete()
    apps.get_model("insight", "MeasureSnapshot").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("insight", "0001_initial")]

    operations = [
        migrations.RunPython(drop_old_snapshots, migrations.RunPython.noop),
        migrations.DeleteModel(name="MeasureCell"),
        migrations.AddField(
            model_name="measuresnapshot",
            name="footprints",
            field=models.TextField(
                blank=True,
                help_text="the commissioners' footprints published with their breakdowns, comma-separated",
            ),
        ),
        migrations.CreateModel(
            name="PublishedFigure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("period_start", models.DateField()),
                ("period_end", models.DateField()),
                ("measure", models.CharField(max_length=40)),
                ("scope", models.CharField(max_length=20)),
                ("breakdown", models.CharField(blank=True, max_length=10)),
                ("value", models.CharField(blank=True, max_length=12)),
                ("numerator", models.PositiveIntegerField(help_text="NULL: hidden (c)", null=True)),
                (
                    "denominator",
                    models.PositiveIntegerField(help_text="NULL: hidden (c)", null=True),
                ),
                (
                    "total",
                    models.FloatField(help_text="a mean's sum, where the mean is shown", null=True),
                ),
                ("squares", models.FloatField(null=True)),
                (
                    "snapshot",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="insight.measuresnapshot",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["snapshot", "breakdown", "value", "period_end", "period_start"],
                        name="insight_pub_snapsho_fc5d8d_idx",
                    )
                ],
            },
        ),
    ]
