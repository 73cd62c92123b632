"""Statutory health clocks for looked-after children, as pure functions.

Dates in, dates out: nothing here reads the clock, the database or settings; the caller
passes `as_of`. Working days exclude Saturdays, Sundays and England's bank holidays (the
`holidays` package, country GB, subdivision ENG). Sources: *Promoting the health and
wellbeing of looked-after children* (DfE/DHSC 2015) and DOMAIN.md.
"""

from __future__ import annotations

import calendar
import threading
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

import holidays

IHA_WORKING_DAYS = 20
UNDER_FIVE_REVIEW_MONTHS = 6
REVIEW_MONTHS = 12
SDQ_FIRST_AGE, SDQ_LAST_AGE = 4, 16
DEFAULT_DUE_SOON_WORKING_DAYS = 10


@lru_cache(maxsize=256)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


EARLIEST_YEAR, LATEST_YEAR = 1900, 2200


@dataclass(frozen=True)
class _WorkingDayIndex:
    """Working days numbered in order over a span of years, so that counting and stepping
    are look-ups rather than day-by-day loops (85,000 children's clocks take a second or two).

    `count[i]` is how many working days fall on or before `first + i` days; `days[k]` is the
    ordinal of the (k+1)th working day. Immutable: a wider span is a new index, swapped in
    whole, so a reader in another thread never sees half of one.
    """

    first_year: int
    last_year: int
    first: int
    count: tuple[int, ...]
    days: tuple[int, ...]

    @classmethod
    def build(cls, first_year: int, last_year: int) -> _WorkingDayIndex:
        first, last = date(first_year, 1, 1), date(last_year, 12, 31)
        count, days, running = [], [], 0
        day = first
        while day <= last:
            if is_working_day(day):
                running += 1
                days.append(day.toordinal())
            count.append(running)
            day += timedelta(days=1)
        return cls(first_year, last_year, first.toordinal(), tuple(count), tuple(days))

    def covers(self, a: date, b: date) -> bool:
        return all(self.first_year < d.year < self.last_year for d in (a, b))

    def upto(self, day: date) -> int:
        return self.count[day.toordinal() - self.first]


_index = _WorkingDayIndex.build(1999, 2061)
_index_lock = threading.Lock()


def _index_for(a: date, b: date) -> _WorkingDayIndex:
    """The index, widened first if `a` or `b` falls outside it (dates 1900–2200 only)."""
    global _index
    index = _index
    if index.covers(a, b):
        return index
    for day in (a, b):
        if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            raise ValueError(
                f"{day.isoformat()} is outside the years {EARLIEST_YEAR}–"
                f"{LATEST_YEAR} that working days are counted for"
            )
    with _index_lock:
        index = _index
        if not index.covers(a, b):
            index = _WorkingDayIndex.build(
                max(min(a.year, b.year, index.first_year) - 1, EARLIEST_YEAR - 1),
                min(max(a.year, b.year, index.last_year) + 1, LATEST_YEAR + 1),
            )
            _index = index
    return index


def add_working_days(start: date, n: int) -> date:
    """The day that is `n` working days after `start` (before it, for negative `n`).

    `start` itself is not counted, so `add_working_days(friday, 1)` is the next Monday
    (or Tuesday after a bank holiday), and `add_working_days(d, 0)` is `d`.
    """
    if n == 0:
        return start
    margin = timedelta(days=2 * n + (14 if n > 0 else -14))
    far = min(max(start + margin, date(EARLIEST_YEAR, 1, 1)), date(LATEST_YEAR, 12, 31))
    index = _index_for(start, far)
    through_start = index.upto(start)
    if n > 0:
        return date.fromordinal(index.days[through_start + n - 1])
    before_start = through_start - is_working_day(start)
    return date.fromordinal(index.days[before_start + n])


def working_days_between(a: date, b: date) -> int:
    """Working days after `a` up to and including `b`; when `b` is before `a`, minus the
    working days from `b` up to but not including `a` (time counted backwards).

    The inverse of `add_working_days`: `working_days_between(d, add_working_days(d, n)) == n`.
    """
    if b < a:
        one = timedelta(days=1)
        return -working_days_between(b - one, a - one)
    index = _index_for(a, b)
    return index.upto(b) - index.upto(a)


def last_working_day_on_or_before(day: date) -> date:
    """`day` itself if it is a working day, else the last working day before it.

    It is the day to act by for a clock due on `day`: a clock counted in calendar months stays
    due on its calendar date when that is a weekend or bank holiday (the law allows no more),
    and the team acts by the working day before (`ClockStatus.act_by`).
    """
    return day if is_working_day(day) else add_working_days(day, -1)


def add_months(day: date, months: int) -> date:
    """Calendar months later; the 31st becomes the last day of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def birthday(date_of_birth: date, years: int) -> date:
    """The `years`th birthday; a 29 February birthday falls on 28 February in other years."""
    return add_months(date_of_birth, 12 * years)


def age_in_years(date_of_birth: date, on: date) -> int:
    _not_before_birth(date_of_birth, on, "on")
    years = on.year - date_of_birth.year
    return years - (birthday(date_of_birth, years) > on)


def _not_before_birth(date_of_birth: date, value: date, name: str) -> None:
    if value < date_of_birth:
        raise ValueError(
            f"{name} ({value.isoformat()}) is before the date of birth "
            f"({date_of_birth.isoformat()})"
        )


def initial_health_assessment_due(entered_care: date) -> date:
    """20 working days after the day the child started to be looked after.

    That is in time for the first statutory review of the care plan (20 working days).
    """
    return add_working_days(entered_care, IHA_WORKING_DAYS)


def review_health_assessment_due(date_of_birth: date, last_assessment: date) -> date:
    """6 months after the last assessment if the child was under 5 on that date, else 12.

    Around the 5th birthday the child's age *on the day of the last assessment* decides: a
    child assessed the day before turning 5 is next due 6 months later (when already 5), and a
    child assessed on their 5th birthday or after is next due 12 months later. This follows the
    guidance's "every six months before the fifth birthday" and never lets a review of an
    under-5 wait 12 months. The due date is the calendar date even on a weekend or bank
    holiday: the law gives no extra day (`ClockStatus.act_by` is the working day before), and
    so for the SDQ and dental due dates.
    """
    _not_before_birth(date_of_birth, last_assessment, "last_assessment")
    under_five = last_assessment < birthday(date_of_birth, 5)
    months = UNDER_FIVE_REVIEW_MONTHS if under_five else REVIEW_MONTHS
    return add_months(last_assessment, months)


def sdq_due(
    date_of_birth: date,
    last_sdq: date | None,
    as_of: date,
    *,
    entered_care: date | None = None,
) -> date | None:
    """When the next carer SDQ is due: yearly from the 4th birthday until the 17th.

    `None` when the child is outside ages 4–16 on `as_of`, or the next one would fall after
    the 17th birthday. With no SDQ yet, the first is due at the 4th birthday, or with the
    initial health assessment (20 working days after entering care, if given) if later.
    """
    _not_before_birth(date_of_birth, as_of, "as_of")
    if last_sdq is not None:
        _not_before_birth(date_of_birth, last_sdq, "last_sdq")
    fourth, seventeenth = birthday(date_of_birth, SDQ_FIRST_AGE), birthday(date_of_birth, 17)
    if as_of < fourth or as_of >= seventeenth:
        return None
    if last_sdq is None:
        due = fourth
        if entered_care is not None:
            due = max(due, initial_health_assessment_due(entered_care))
    else:
        due = max(add_months(last_sdq, 12), fourth)
    return due if due < seventeenth else None


def dental_check_due(
    date_of_birth: date, last_check: date | None, entered_care: date, *, under_five_months: int = 6
) -> date:
    """Next dental check: 12 months after the last (under 5s: `under_five_months`, a local
    default of 6). With none recorded, one interval after entering care."""
    reference = last_check or entered_care
    _not_before_birth(date_of_birth, reference, "last_check" if last_check else "entered_care")
    under_five = reference < birthday(date_of_birth, 5)
    return add_months(reference, under_five_months if under_five else REVIEW_MONTHS)


#: The passport is offered from the 16th birthday, and due by an age each area sets: by default
#: 17 years 6 months (in time for the last care review before 18, as Knowsley plans it).
PASSPORT_FROM_AGE = 16
DEFAULT_PASSPORT_DUE_MONTHS = 17 * 12 + 6
#: Care leavers who left without one are owed a passport to 21, and on request to 25.
PASSPORT_OWED_UNTIL_AGE = 21
PASSPORT_ON_REQUEST_UNTIL_AGE = 25


def passport_starts(date_of_birth: date, entered_care: date) -> date:
    """The passport clock starts at the 16th birthday of a young person looked after, or on
    entering care when that is after it."""
    _not_before_birth(date_of_birth, entered_care, "entered_care")
    return max(birthday(date_of_birth, PASSPORT_FROM_AGE), entered_care)


def passport_due(
    date_of_birth: date,
    entered_care: date,
    *,
    left_care: date | None = None,
    due_months: int = DEFAULT_PASSPORT_DUE_MONTHS,
) -> date:
    """When the health passport must be given: by the area's age (`due_months` after birth,
    by default 17 years 6 months), or on leaving care if that is earlier. A young person who
    enters care after that age is due it on leaving care, and at the latest at 18, when care
    ends. Never later than the leaving date nor, for one in care before it, the set age."""
    start = passport_starts(date_of_birth, entered_care)
    by_age = add_months(date_of_birth, due_months)
    if by_age < start:  # entered care after the set age
        by_age = birthday(date_of_birth, 18)
    if left_care is None:
        return by_age
    if left_care < start:
        raise ValueError(
            f"left_care ({left_care.isoformat()}) is before the passport clock starts "
            f"({start.isoformat()}): a young person who left care before 16 is no care leaver"
        )
    return min(by_age, left_care)


def passport_owed(
    date_of_birth: date,
    left_care: date,
    given_on: date | None,
    as_of: date,
    *,
    until_age: int = PASSPORT_OWED_UNTIL_AGE,
) -> bool:
    """A care leaver is owed a passport on `as_of` if they left care at 16 or later, have
    been given none by that day, and are under `until_age` (21; 25 for one who asks)."""
    if not PASSPORT_OWED_UNTIL_AGE <= until_age <= PASSPORT_ON_REQUEST_UNTIL_AGE:
        raise ValueError(
            f"a passport is owed up to the 21st birthday, or on request the 25th, not {until_age}"
        )
    return (
        left_care >= birthday(date_of_birth, PASSPORT_FROM_AGE)
        and left_care <= as_of
        and (given_on is None or given_on > as_of)
        and as_of < birthday(date_of_birth, until_age)
    )


class ClockState(StrEnum):
    DUE_LATER = "due_later"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"


STATE_LABELS = {
    ClockState.DUE_LATER: "Due later",
    ClockState.DUE_SOON: "Due soon",
    ClockState.OVERDUE: "Overdue",
    ClockState.DONE_ON_TIME: "Done on time",
    ClockState.DONE_LATE: "Done late",
}


@dataclass(frozen=True)
class ClockStatus:
    state: ClockState
    due: date
    done: date | None = None
    working_days_late: int = 0  # overdue by, or done late by
    working_days_left: int = 0  # until due, while not done
    as_of: date | None = None  # the day the status is for, while not done

    @property
    def act_by(self) -> date:
        """The last working day on or before the due date: the day to act by."""
        return last_working_day_on_or_before(self.due)

    @property
    def late_by(self) -> str:
        """How late, in working days; in days when none of them is a working day (due on a
        Saturday, done on the Sunday: a day late, not on time). Empty when not late."""
        until = self.done or self.as_of
        if self.working_days_late:
            return _days(self.working_days_late)
        if until is None or until <= self.due:
            return ""
        n = (until - self.due).days
        return f"{n} day{'s' if n != 1 else ''}"

    @property
    def label(self) -> str:
        """The status in words (never colour alone)."""
        if self.state == ClockState.OVERDUE:
            return f"Overdue by {self.late_by}"
        if self.state == ClockState.DONE_LATE:
            return f"Done {self.late_by} late"
        if self.state == ClockState.DUE_SOON:
            if self.working_days_left:
                return f"Due in {_days(self.working_days_left)}"
            if self.as_of == self.due:
                return "Due today"
            if self.as_of == self.act_by:
                return f"Due {self.due:%A}: act today"
            return f"Due {self.due:%A}"
        return STATE_LABELS[self.state]


def _days(n: int) -> str:
    return f"{n} working day{'s' if n != 1 else ''}"


def clock_status(
    due: date,
    done: date | None,
    as_of: date,
    *,
    due_soon_working_days: int = DEFAULT_DUE_SOON_WORKING_DAYS,
) -> ClockStatus:
    """Where a clock stands on `as_of`. A late event still counts as done, with its lateness.

    Lateness counts from the due date itself, a weekend or bank holiday included: an event
    due on Sunday and done on Monday is a working day late. Before the due date, the working
    days left are those up to the day to act by (`ClockStatus.act_by`).
    """
    if done is not None:
        if done <= due:  # on time against the due date itself, never a later working day
            return ClockStatus(ClockState.DONE_ON_TIME, due, done)
        return ClockStatus(ClockState.DONE_LATE, due, done, working_days_between(due, done))
    if as_of > due:
        return ClockStatus(
            ClockState.OVERDUE, due, None, working_days_between(due, as_of), as_of=as_of
        )
    left = working_days_between(as_of, due)  # the same as to the day to act by
    state = ClockState.DUE_SOON if left <= due_soon_working_days else ClockState.DUE_LATER
    return ClockStatus(state, due, None, working_days_left=left, as_of=as_of)
