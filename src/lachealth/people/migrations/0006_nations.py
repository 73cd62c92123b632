"""Areas for the nations outside England, where children are placed."""

from django.db import migrations, models

from lachealth.people.areas import load_nations


def forwards(apps, schema_editor):
    load_nations(apps.get_model("people", "Area"))


def backwards(apps, schema_editor):
    apps.get_model("people", "Area").objects.exclude(nation="E").delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0005_service_organisations")]

    operations = [
        migrations.AddField(
            model_name="area",
            name="nation",
            field=models.CharField(
                choices=[
                    ("E", "England"),
                    ("W", "Wales"),
                    ("S", "Scotland"),
                    ("N", "Northern Ireland"),
                    ("L", "Channel Islands"),
                    ("M", "Isle of Man"),
                ],
                default="E",
                max_length=1,
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
