"""What differs from one collection year's SSDA903 return to another, for reading and writing.

A collection year is the year a return ends (2026 for 2025/26, 1 April 2025 to 31 March 2026).
LAs load their history oldest first, so every year lachealth takes is read in the code lists
of its own year and written back the same way; the record keeps one spelling (today's).

- `SEX`: returns up to 2023/24 spell it 1 (male) and 2 (female); from 2024/25 M, F and U
  (the validator's rule 101 of each year's ruleset says the same).
- Rules: the DfE validator has rulesets from 2022/23; an older return is checked with the
  earliest, and a return of a year beyond its latest with the latest (`validator.ruleset_for`).
"""

from __future__ import annotations

from datetime import date

#: The earliest return lachealth takes: 2013/14, when the return took today's shape of tables.
FIRST_YEAR = 2014
#: The first year whose return has the DoLo table (deprivation of liberty orders): 2026/27.
DOLO_FROM = 2027
#: The first year whose return spells SEX as M, F or U.
SEX_LETTERS_FROM = 2025
_SEX_NUMBERS = {"1": "M", "2": "F"}
_SEX_LETTERS = {"M": "M", "F": "F", "U": "U"}


def label(collection_year: int) -> str:
    """2026 → "2025/26"."""
    return f"{collection_year - 1}/{str(collection_year)[2:]}"


def span(collection_year: int) -> tuple[date, date]:
    """The first and last day the return covers."""
    return date(collection_year - 1, 4, 1), date(collection_year, 3, 31)


def sex_codes(collection_year: int) -> dict[str, str]:
    """The year's SEX codes, each with the spelling lachealth keeps (M, F or U)."""
    return _SEX_NUMBERS if collection_year < SEX_LETTERS_FROM else _SEX_LETTERS


def sex_in_return(sex: str, collection_year: int) -> str:
    """How the year's return spells a sex kept as M, F or U. U has no code before 2024/25 and
    is written as U, which that year's rules report."""
    return next((code for code, kept in sex_codes(collection_year).items() if kept == sex), sex)


def current(today: date) -> int:
    """The collection year of the latest return that has ended by `today`."""
    return today.year if today.month > 3 else today.year - 1


def choices(today: date) -> list[tuple[int, str]]:
    """Every year lachealth takes, the one just ended first."""
    return [
        (y, f"{label(y)} (1 April {y - 1} to 31 March {y})")
        for y in range(current(today), FIRST_YEAR - 1, -1)
    ]
