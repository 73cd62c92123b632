"""Checks of the codes a clinician may give with a term: SNOMED CT concept identifiers (for
conditions, allergies, disabilities and alerts) and dm+d identifiers (for medicines), which
are SNOMED CT identifiers too.

A SNOMED CT identifier (SCTID) is 6 to 18 digits with no leading zero; its last digit is a
Verhoeff check digit over the others, and the two digits before it are the partition
identifier, which for a concept is 00 (the international release) or 10 (an extension, such
as the UK's dm+d). The check catches every mistyped digit and every swap of two neighbours,
so a code copied wrongly is refused before it is kept. Pure: strings in, strings out.
"""

from __future__ import annotations

from stdnum import verhoeff

#: Partition identifiers of concepts: 00 in the international release, 10 in an extension.
CONCEPT_PARTITIONS = ("00", "10")


class CodeError(ValueError):
    """A code that is no SNOMED CT concept identifier, with what is wrong in words."""


def concept_id(value: str, system: str = "SNOMED CT") -> str:
    """`value` as a SNOMED CT concept identifier (spaces removed), or CodeError saying why
    not. `system` names the code list in the message ("SNOMED CT" or "dm+d")."""
    code = "".join(value.split())
    example = "39732311000001104" if system == "dm+d" else "195967001"
    if not code.isdigit() or not 6 <= len(code) <= 18 or code[0] == "0":
        raise CodeError(
            f"The {system} code must be 6 to 18 digits, not starting with 0, like {example}"
        )
    if code[-3:-1] not in CONCEPT_PARTITIONS:
        raise CodeError(f"{code} is not a {system} concept: check the code")
    if not verhoeff.is_valid(code):
        raise CodeError(f"{code} is not a valid {system} code: check it for a mistyped digit")
    return code
