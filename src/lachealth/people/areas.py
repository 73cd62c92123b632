"""England's upper-tier local authority areas, shipped as data (ONS and DfE codes)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "local_authorities.csv"


def load_areas(area_model: Any) -> int:
    """Create or update every area from the shipped list; returns how many there are.

    Takes the model as an argument so that the data migration can pass its historical model.
    """
    with DATA.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        area_model.objects.update_or_create(
            code=row["ons_code"],
            defaults={"dfe_code": row["dfe_code"], "name": row["name"], "region": row["region"]},
        )
    return len(rows)
