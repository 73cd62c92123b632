"""How far from today each kind of date a form takes may be, and the words that refuse a date
beyond its bounds. Pure: the caller passes `as_of` (today); `forms.SplitDateField` applies
them to what users type, and the services that share a bound use the same one.

A bound relative to the child (on or after their birth, within their period of care) needs the
child's record, so the service that writes checks it; these bounds need only today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


def years_from(day: date, years: int) -> date:
    """The same day `years` later (earlier, if negative); 29 February becomes 28 February in a
    year that has none, as a 29 February birthday does."""
    year = day.year + years
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February into a common year
        return date(year, 2, 28)


def _span(years: int) -> str:
    return "a year" if years == 1 else f"{years} years"


def _d(day: date) -> str:
    return f"{day:%-d %B %Y}"


@dataclass(frozen=True)
class DateBounds:
    """The earliest and latest a date may be, each in whole years from today: `back` years
    before it and `ahead` years after it, 0 meaning today itself and None no bound on that
    side (then only the form's sanity years, 1900 to 2099, apply)."""

    back: int | None
    ahead: int | None

    def earliest(self, as_of: date) -> date | None:
        return None if self.back is None else years_from(as_of, -self.back)

    def latest(self, as_of: date) -> date | None:
        return None if self.ahead is None else years_from(as_of, self.ahead)

    def problem(self, value: date, as_of: date, name: str) -> str | None:
        """Why `value` is out of bounds on `as_of`, in words that name the field (`name`, as
        its label says it: "Date of birth") and the bound; None when it is within them."""
        earliest, latest = self.earliest(as_of), self.latest(as_of)
        if earliest is not None and value < earliest:
            if self.back == 0:
                return f"{name} must be today or in the future"
            if self.ahead == 0:
                within = "the last year" if self.back == 1 else f"the last {self.back} years"
            else:
                within = f"{_span(self.back or 0)} of today"
            return f"{name} must be within {within}, on or after {_d(earliest)}"
        if latest is not None and value > latest:
            if self.ahead == 0:
                return f"{name} must be today or in the past"
            if self.back == 0:
                within = "the next year" if self.ahead == 1 else f"the next {self.ahead} years"
            else:
                within = f"{_span(self.ahead or 0)} of today"
            return f"{name} must be within {within}, on or before {_d(latest)}"
        return None


#: The oldest anyone on the record can be: a care leaver is supported until their 25th
#: birthday (the health passport on request, free prescriptions, dental and eye care; DOMAIN
#: "Care leavers"), so they are 25 at most, and no one is born more than 26 years ago.
RECORD_YEARS = 26

#: A child's date of birth: within the last 26 years (see `RECORD_YEARS`), and not after today.
DATE_OF_BIRTH = DateBounds(back=RECORD_YEARS, ahead=0)

#: Something that happened in a child's life and is recorded after it (entering care, a change
#: of placement or legal status, leaving care, consent, an assessment, a dental or immunisation
#: check, an SDQ, being seen by a service): not after today, and not before the birth — which
#: the service checks against the child's own date of birth; here, without the child, not
#: before the earliest birth the record can hold.
PAST_EVENT = DateBounds(back=RECORD_YEARS, ahead=0)

#: An appointment is booked for today or later, and within a year: no health assessment falls
#: due more than 12 months after the last (a review is due every 6 months under 5 and every 12
#: months from 5), so a booking further ahead is a slip of the keyboard. A booking in the past
#: is not a booking: what happened at one is its outcome.
APPOINTMENT = DateBounds(back=0, ahead=1)

#: A health plan action falls due within 2 years of the assessment that agreed it (the plan is
#: reviewed at every assessment, a year apart at most); the assessment is today or earlier, so
#: no due date is more than 2 years ahead. That it is on or after the assessment is the
#: service's check: an assessment recorded late may agree an action already due.
PLAN_ACTION_YEARS = 2
PLAN_ACTION_DUE = DateBounds(back=None, ahead=PLAN_ACTION_YEARS)
