"""Postcodes are stored as the SSDA903 return spells them: capitals, one space (LS1 4AP)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from lachealth.care.models import normalise_postcode


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ls1 4ap", "LS1 4AP"),
        ("LS14AP", "LS1 4AP"),
        (" m14  5tw ", "M14 5TW"),
        ("BD157AA", "BD15 7AA"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("w1a0ax", "W1A 0AX"),
    ],
)
def test_postcodes_are_normalised(typed, stored):
    assert normalise_postcode(typed) == stored


@pytest.mark.parametrize("typed", ["LS1", "BD7 1", "12345", "LS1 4APX", "=HYPERLINK(1)", ""])
def test_what_is_not_a_full_postcode_is_refused(typed):
    with pytest.raises(ValidationError, match="full UK postcode"):
        normalise_postcode(typed)
