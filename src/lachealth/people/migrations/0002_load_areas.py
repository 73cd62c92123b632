"""Load England's upper-tier local authority areas (ONS and DfE codes) from the shipped CSV."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "local_authorities.csv"


def load_areas(apps, schema_editor):
    Area = apps.get_model("people", "Area")
    with DATA.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            Area.objects.update_or_create(
                code=row["ons_code"],
                defaults={
                    "dfe_code": row["dfe_code"],
                    "name": row["name"],
                    "region": row["region"],
                },
            )


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(load_areas, migrations.RunPython.noop)]
