"""Invented identifiers for demo children: NHS numbers from the test range."""

from __future__ import annotations

import random
from collections.abc import Iterator

import nhs_number

#: NHS numbers from 999 000 0000 up are never issued to patients; the demo uses only those.
TEST_RANGE_START = 9_990_000_000

#: First letters of the postcode areas that cover each demo area (BD, LS, HX, HD, WF, M, S, YO…).
POSTCODE_LETTERS = "BLHWOMSYD"


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
