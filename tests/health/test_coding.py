"""SNOMED CT and dm+d codes: the release's own identifiers pass, and every mistyped digit or
swap of neighbours is caught, as the Verhoeff check digit promises."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum import verhoeff

from lachealth.health.coding import CodeError, concept_id

#: Concepts of the international release and the UK's dm+d, as published.
KNOWN = [
    "195967001",  # asthma
    "91936005",  # allergy to penicillin
    "35489007",  # depressive disorder
    "322236009",  # paracetamol 500 mg tablet (VMP)
    "39732311000001104",  # a dm+d product: extension partition 10
]


@pytest.mark.parametrize("code", KNOWN)
def test_published_concepts_are_accepted(code):
    assert concept_id(code) == code
    assert concept_id(f" {code[:3]} {code[3:]} ") == code


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("asthma", "The SNOMED CT code must be 6 to 18 digits"),
        ("12345", "must be 6 to 18 digits"),
        ("1" * 19, "must be 6 to 18 digits"),
        ("0195967001", "not starting with 0"),
        ("195967011", "is not a SNOMED CT concept"),  # partition 01: a description
        ("195967002", "check it for a mistyped digit"),
    ],
)
def test_what_is_not_a_concept_is_refused_saying_why(value, message):
    with pytest.raises(CodeError, match=message):
        concept_id(value)


def test_the_message_names_the_code_list():
    with pytest.raises(CodeError, match="The dm\\+d code must be .* like 39732311000001104"):
        concept_id("paracetamol", "dm+d")


concept_bodies = st.tuples(
    st.integers(min_value=1, max_value=9),
    st.text(alphabet="0123456789", min_size=2, max_size=13),
    st.sampled_from(["00", "10"]),
).map(lambda t: f"{t[0]}{t[1]}{t[2]}")


@given(concept_bodies)
def test_any_concept_with_its_check_digit_is_accepted(body):
    code = body + verhoeff.calc_check_digit(body)
    assert concept_id(code) == code


@given(concept_bodies, st.data())
def test_any_single_mistyped_digit_is_refused(body, data):
    code = body + verhoeff.calc_check_digit(body)
    position = data.draw(st.integers(min_value=1, max_value=len(code) - 1))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != code[position]]))
    typo = code[:position] + wrong + code[position + 1 :]
    with pytest.raises(CodeError):
        concept_id(typo)


@given(concept_bodies, st.data())
def test_any_swap_of_neighbouring_digits_is_refused(body, data):
    code = body + verhoeff.calc_check_digit(body)
    i = data.draw(st.integers(min_value=1, max_value=len(code) - 2))
    assume(code[i] != code[i + 1])
    swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
    with pytest.raises(CodeError):
        concept_id(swapped)
