"""England's upper-tier local authority areas, shipped as data (ONS and DfE codes), and the
nations outside England where a child may be placed."""

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


#: The places outside England a child may be placed, each an area of its own with its ONS
#: country code, by the first letter every ONS code of that place starts with (the postcode
#: directory gives the Channel Islands L99999999 and the Isle of Man M99999999).
NATIONS = {
    "W": ("W92000004", "Wales"),
    "S": ("S92000003", "Scotland"),
    "N": ("N92000002", "Northern Ireland"),
    "L": ("L93000001", "Channel Islands"),
    "M": ("M83000003", "Isle of Man"),
}


def load_nations(area_model: Any) -> int:
    """Create or update the areas outside England; returns how many there are."""
    for letter, (code, name) in NATIONS.items():
        area_model.objects.update_or_create(
            code=code, defaults={"name": name, "nation": letter, "region": "Outside England"}
        )
    return len(NATIONS)


def placement_area_code(code: str) -> str:
    """The area a placement is recorded in, from the ONS code of where its postcode lies: an
    English area's own code, else the code of the nation outside England; "" if neither."""
    if code.startswith("E"):
        return code
    return NATIONS[code[0]][0] if code[:1] in NATIONS else ""


#: Areas whose ONS code changed after 2021, by the 2021 code of the area they replaced. The
#: SSDA903 validator and its postcode and authority lookups still speak the 2021 codes.
#: Cumbria (E10000006) split in two in 2023, so it is resolved by district instead.
CODE_2021_SUCCESSORS = {
    "E08000016": "E08000038",  # Barnsley
    "E08000019": "E08000039",  # Sheffield
    "E10000023": "E06000065",  # North Yorkshire
    "E10000027": "E06000066",  # Somerset
}
#: Cumbria's 2021 districts, by the unitary authority that took each over in 2023.
CUMBRIA_DISTRICTS = {
    "E07000026": "E06000063",  # Allerdale -> Cumberland
    "E07000028": "E06000063",  # Carlisle -> Cumberland
    "E07000029": "E06000063",  # Copeland -> Cumberland
    "E07000027": "E06000064",  # Barrow-in-Furness -> Westmorland and Furness
    "E07000030": "E06000064",  # Eden -> Westmorland and Furness
    "E07000031": "E06000064",  # South Lakeland -> Westmorland and Furness
}


def current_area_code(upper_tier_2021: str, district_2021: str = "") -> str:
    """Today's upper-tier ONS code for an area as the 2021 lookups name it."""
    if upper_tier_2021 == "E10000006":
        return CUMBRIA_DISTRICTS.get(district_2021, "")
    return CODE_2021_SUCCESSORS.get(upper_tier_2021, upper_tier_2021)


_CODE_IN_2021 = {current: old for old, current in CODE_2021_SUCCESSORS.items()} | {
    unitary: "E10000006" for unitary in CUMBRIA_DISTRICTS.values()
}


def code_in_2021(code: str) -> str:
    """The 2021 ONS code of an area (what the SSDA903 validator knows it by); Cumberland and
    Westmorland and Furness were both Cumbria."""
    return _CODE_IN_2021.get(code, code)
