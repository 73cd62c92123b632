"""Load England's upper-tier local authority areas (ONS and DfE codes) from the shipped CSV."""

from django.db import migrations

from lachealth.people.areas import load_areas


def forwards(apps, schema_editor):
    load_areas(apps.get_model("people", "Area"))


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
