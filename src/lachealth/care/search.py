"""Finding a child from what people type: any words of the name in any order, a former name,
a date of birth as people write it, an NHS number with or without spaces, an LA child ID.

Pure: text in, the parts of a search out (`parse`); `selectors.child_list` turns them into
one query, every part of which a child must match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

#: Dates as people type them: 3/4/2012, 03/04/2012, 3-4-2012, 3.4.2012, and 2012-04-03.
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_YEAR_FIRST = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SEPARATORS = re.compile(r"[\s,]+")


@dataclass(frozen=True)
class ChildSearch:
    """What a search asks: every word in a name, a former name or the LA child ID; the date
    of birth, if a date was typed; the NHS number, if ten digits were."""

    words: tuple[str, ...] = ()
    date_of_birth: date | None = None
    nhs_number: str = ""

    def __bool__(self) -> bool:
        return bool(self.words or self.date_of_birth or self.nhs_number)


def parse(text: str) -> ChildSearch:
    """The parts of a search. Ten digits, however spaced (943 476 5919), are an NHS number;
    a date (3/4/2012, or 27 3 2015 as the forms ask for it) is a date of birth; every other
    word must be found in the child's names or be their LA child ID."""
    tokens = [t for t in _SEPARATORS.split(text.strip()) if t]
    words: list[str] = []
    born: date | None = None
    nhs = ""
    i = 0
    while i < len(tokens):
        run = _digits_run(tokens, i)
        joined = re.sub(r"[\-]", "", "".join(tokens[i : i + run]))
        if run and len(joined) == 10 and joined.isdigit() and not nhs:
            nhs, i = joined, i + run
            continue
        spaced = " ".join(tokens[i : i + 3])
        if born is None and run >= 3 and as_date(spaced.replace(" ", "/")) is not None:
            born, i = as_date(spaced.replace(" ", "/")), i + 3
            continue
        found = as_date(tokens[i])
        if found is not None and born is None:
            born = found
        else:
            words.append(tokens[i])
        i += 1
    return ChildSearch(tuple(words), born, nhs)


def _digits_run(tokens: list[str], start: int) -> int:
    """How many tokens from `start` are numbers (943, 476-5919…)."""
    end = start
    while end < len(tokens) and re.fullmatch(r"\d+(-\d+)*", tokens[end]):
        end += 1
    return end - start


def as_date(token: str) -> date | None:
    """A date typed day first (3/4/2012 is 3 April) or as 2012-04-03; None if it is not one."""
    match = _DAY_FIRST.match(token)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = _YEAR_FIRST.match(token)
        if not match:
            return None
        year, month, day = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None
