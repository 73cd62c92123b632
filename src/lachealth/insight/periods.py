"""The periods and breakdowns a measure is counted over: pure, dates in and dates out.

- `Period`: a year to 31 March (as the SSDA903 return and the DfE publish) or the rolling 12
  months to a day, clipped to `as_of` so that nothing is counted as late before it is due.
- `iha_entry_window`: the children whose initial health assessment fell due in a period are
  those who entered care in one unbroken run of days, because the due date (20 working days
  on) never goes backwards; finding the run here lets the database select them with a
  plain date range.
- `latest_birth_date`: ages at a date as a date-of-birth bound, so age bands are a range too.
- The groups DfE tables break children down by: age band, ethnicity group, placement type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from lachealth.health.clocks import age_in_years, initial_health_assessment_due

ONE_DAY = timedelta(days=1)
YEAR_LABEL = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    """The days counted, `start` to `end` inclusive, always a whole period that has ended: a
    year to 31 March, or the 12 months to yesterday (today is not over)."""

    start: date
    end: date
    label: str
    rolling: bool = False

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("A period ends on or after the day it starts")

    @property
    def key(self) -> str:
        """How a URL or a file name writes the period: "2025-26", or "rolling"."""
        return "rolling" if self.rolling else self.label

    def previous(self, years: int = 1) -> Period:
        """The same stretch of days `years` earlier."""
        if self.rolling:
            return rolling_year(_years_before(self.end, years) + ONE_DAY)
        return year_to_march(self.end.year - years)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def year_to_march(ending: int) -> Period:
    """The year 1 April `ending - 1` to 31 March `ending`, labelled as the DfE does: 2025-26."""
    return Period(date(ending - 1, 4, 1), date(ending, 3, 31), f"{ending - 1}-{str(ending)[2:]}")


def rolling_year(as_of: date) -> Period:
    """The 12 months up to and including the day before `as_of`."""
    end = as_of - ONE_DAY
    start = _years_before(end, 1) + ONE_DAY
    return Period(start, end, f"12 months to {end.day} {end:%B %Y}", rolling=True)


def latest_year(as_of: date) -> Period:
    """The last year to 31 March that has ended before `as_of`."""
    ending = as_of.year if as_of > date(as_of.year, 3, 31) else as_of.year - 1
    return year_to_march(ending)


def recent_years(as_of: date, count: int) -> list[Period]:
    """The last `count` years to 31 March that have ended, the latest first."""
    latest = latest_year(as_of)
    return [latest.previous(n) for n in range(count)]


#: Years of trend beside each period (the period and the four before it).
TREND_YEARS = 5


def offered_periods(as_of: date) -> list[Period]:
    """The periods offered: the last ten years to 31 March, then the rolling 12 months."""
    return [*recent_years(as_of, 10), rolling_year(as_of)]


def snapshot_periods(as_of: date) -> list[Period]:
    """Every period a dashboard offered on `as_of` can show: each offered period and the
    years of its trend."""
    seen: dict[tuple[date, date], Period] = {}
    for period in offered_periods(as_of):
        for back in range(TREND_YEARS):
            earlier = period.previous(back)
            seen.setdefault((earlier.start, earlier.end), earlier)
    return list(seen.values())


def parse_period(text: str, *, as_of: date) -> Period:
    """A period as a URL or a command writes it: "rolling", or a year like "2025-26" that has
    ended. ValueError saying what is allowed otherwise."""
    text = text.strip()
    if text == "rolling":
        return rolling_year(as_of)
    match = YEAR_LABEL.match(text)
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValueError(f'"{text}" is not a year to 31 March: write it like 2025-26')
    period = year_to_march(int(match.group(1)) + 1)
    if period.end >= as_of:
        raise ValueError(
            f"The year {period.label} has not ended: "
            "choose an earlier year or the rolling 12 months"
        )
    return period


def iha_entry_window(period: Period) -> tuple[date, date] | None:
    """The first and last day of entering care whose initial health assessment was due within
    the period; None when no entry's falls due in it (a period shorter than a working day)."""
    # The due date is 20 working days on (28 to about 34 calendar days): search from a
    # little before and step, since it is non-decreasing in the entry date.
    first = period.start - timedelta(days=40)
    while initial_health_assessment_due(first) < period.start:
        first += ONE_DAY
    last = period.end
    while initial_health_assessment_due(last) > period.end:
        last -= ONE_DAY
    return (first, last) if first <= last else None


def latest_birth_date(age: int, on: date) -> date:
    """The latest date of birth of a child who is at least `age` on `on`: a child is that age
    or older exactly when born on or before it (29 February birthdays count on 28 February)."""
    day = _years_before(on, age)
    while day < on and age_in_years(day + ONE_DAY, on) >= age:
        day += ONE_DAY
    return day


@dataclass(frozen=True)
class AgeBand:
    key: str
    label: str
    lowest: int
    highest: int | None  # inclusive; None for "and over"


#: The DfE's age bands for children looked after, by age at the end of the period.
AGE_BANDS = (
    AgeBand("under-1", "Under 1", 0, 0),
    AgeBand("1-4", "1 to 4", 1, 4),
    AgeBand("5-9", "5 to 9", 5, 9),
    AgeBand("10-15", "10 to 15", 10, 15),
    AgeBand("16-plus", "16 and over", 16, None),
)


def birth_dates_for(band: AgeBand, on: date) -> tuple[date | None, date]:
    """Dates of birth (after the first, up to and including the second) of the children in
    `band` on `on`; the first is None for an open-ended band."""
    born_by = latest_birth_date(band.lowest, on)
    born_after = None if band.highest is None else latest_birth_date(band.highest + 1, on)
    return born_after, born_by


#: SSDA903 ethnicity codes by the DfE's major ethnic groups.
ETHNICITY_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "white": ("White", ("WBRI", "WIRI", "WOTH", "WIRT", "WROM")),
    "mixed": ("Mixed or multiple ethnic groups", ("MWBC", "MWBA", "MWAS", "MOTH")),
    "asian": ("Asian or Asian British", ("AIND", "APKN", "ABAN", "AOTH")),
    "black": ("Black, African, Caribbean or Black British", ("BCRB", "BAFR", "BOTH")),
    "other": ("Other ethnic group", ("CHNE", "OOTH")),
    "unknown": ("Refused or not yet obtained", ("REFU", "NOBT")),
}

#: SSDA903 placement codes by the DfE's placement types.
PLACEMENT_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "foster": ("Foster placements", ("U1", "U2", "U3", "U4", "U5", "U6")),
    "adoption": ("Placed for adoption", ("A3", "A4", "A5", "A6")),
    "parents": ("Placed with parents", ("P1",)),
    "residential": (
        "Children's homes and residential settings",
        ("K1", "K2", "R1", "R2", "R3", "R5", "S1", "P3"),
    ),
    "independent": ("Supported or independent living", ("K3", "H5", "P2")),
    "other": ("Other placements", ("T0", "T1", "T2", "T3", "T4", "Z1", "Z11", "Z12", "Z13", "Z14")),
}
