"""Invented identifiers for demo children: NHS numbers from the test range, postcode districts."""

from __future__ import annotations

import random
from collections.abc import Iterator

import nhs_number

#: NHS numbers from 999 000 0000 up are never issued to patients; the demo uses only those.
TEST_RANGE_START = 9_990_000_000

DISTRICTS = {
    "E08000032": ["BD1", "BD3", "BD4", "BD5", "BD6", "BD7", "BD8", "BD9", "BD10", "BD15", "BD21"],
    "E08000035": ["LS4", "LS6", "LS8", "LS9", "LS10", "LS11", "LS12", "LS14", "LS15", "LS27"],
    "E08000033": ["HX1", "HX2", "HX3", "HX4", "HX5", "HX6", "HX7", "OL14"],
    "E08000034": ["HD1", "HD2", "HD3", "HD4", "HD5", "HD7", "HD8", "WF13", "WF14", "WF17"],
    "E08000036": ["WF1", "WF2", "WF3", "WF6", "WF8", "WF10"],
    "E08000003": ["M8", "M9", "M11", "M12", "M13", "M14", "M22", "M40"],
    "E08000039": ["S2", "S5", "S8", "S9", "S13", "S14"],
    "E06000014": ["YO1", "YO10", "YO24", "YO26", "YO31"],
    "E06000065": ["HG1", "HG2", "DL6", "DL7", "YO11", "YO12"],
}


def demo_nhs_numbers(rng: random.Random) -> Iterator[str]:
    """Valid NHS numbers from the test range, each used once, in a seeded order."""
    base = TEST_RANGE_START // 10 + rng.randrange(0, 100_000)  # the first nine digits
    while True:
        base += rng.randint(1, 5)
        check = nhs_number.calculate_checksum(str(base))
        if check is None or check == 10:
            continue
        number = f"{base}{check}"
        if nhs_number.is_valid(number):
            yield number


def postcode_district(rng: random.Random, area_code: str) -> str:
    return rng.choice(DISTRICTS.get(area_code, ["ZZ99"]))
