"""Which statutory clocks a child has, and where each stands: pure, from facts the caller
gathers (no ORM, no clock read inside).

Clocks run only while a child is looked after, and not for a child whose current episode is
an agreed series of short breaks (LS V3/V4). The initial health assessment clock starts when
the current period of care starts; once any assessment is done in the period, the review
clock runs from the latest. The SDQ and dental clocks run alongside. A period that began as
short breaks and became full care starts its clocks on the first day of full care.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from . import clocks
from .clocks import ClockStatus

SHORT_BREAK_LS = frozenset({"V3", "V4"})

CLOCK_LABELS = {
    "IHA": "Initial health assessment",
    "RHA": "Review health assessment and health plan review",
    "SDQ": "Strengths and difficulties questionnaire",
    "DENTAL": "Dental check",
    "PASSPORT": "Health passport",
}


@dataclass(frozen=True)
class ChildHealthFacts:
    date_of_birth: date
    looked_after: bool
    current_ls: str | None
    period_start: date | None  # first day of the current period outside short breaks
    iha_done_on: date | None  # first IHA completed in the current period
    last_assessment_on: date | None  # latest IHA or RHA in the current period
    last_sdq_on: date | None  # latest carer SDQ
    last_dental_on: date | None
    passport_given_on: date | None = None  # the first health passport given
    passport_due_months: int = clocks.DEFAULT_PASSPORT_DUE_MONTHS  # the area's age, in months


@dataclass(frozen=True)
class Clock:
    code: str
    status: ClockStatus

    @property
    def label(self) -> str:
        return CLOCK_LABELS[self.code]


def has_clocks(facts: ChildHealthFacts, as_of: date) -> bool:
    """Looked after, not in short breaks, and under 18 (a young person of 18 has left care,
    whatever the record says, until the LA records it)."""
    return bool(
        facts.looked_after
        and facts.period_start
        and facts.current_ls not in SHORT_BREAK_LS
        and as_of < clocks.birthday(facts.date_of_birth, 18)
    )


def child_clocks(
    facts: ChildHealthFacts,
    as_of: date,
    *,
    due_soon_working_days: int = clocks.DEFAULT_DUE_SOON_WORKING_DAYS,
    include_done: bool = False,
) -> list[Clock]:
    """Every clock the child has on `as_of`; the done IHA too when `include_done`."""
    if not has_clocks(facts, as_of):
        return []
    assert facts.period_start is not None
    soon = {"due_soon_working_days": due_soon_working_days}
    result: list[Clock] = []
    iha_due = clocks.initial_health_assessment_due(facts.period_start)
    if facts.iha_done_on is None:
        result.append(Clock("IHA", clocks.clock_status(iha_due, None, as_of, **soon)))
    else:
        if include_done:
            result.append(Clock("IHA", clocks.clock_status(iha_due, facts.iha_done_on, as_of)))
        last = facts.last_assessment_on or facts.iha_done_on
        rha_due = clocks.review_health_assessment_due(facts.date_of_birth, last)
        result.append(Clock("RHA", clocks.clock_status(rha_due, None, as_of, **soon)))
    sdq_due = clocks.sdq_due(
        facts.date_of_birth, facts.last_sdq_on, as_of, entered_care=facts.period_start
    )
    if sdq_due is not None:
        result.append(Clock("SDQ", clocks.clock_status(sdq_due, None, as_of, **soon)))
    dental_due = clocks.dental_check_due(
        facts.date_of_birth, facts.last_dental_on, facts.period_start
    )
    result.append(Clock("DENTAL", clocks.clock_status(dental_due, None, as_of, **soon)))
    passport = passport_clock(facts, as_of, due_soon_working_days=due_soon_working_days)
    if passport is not None and (include_done or passport.status.done is None):
        result.append(passport)
    return result


def passport_clock(
    facts: ChildHealthFacts,
    as_of: date,
    *,
    due_soon_working_days: int = clocks.DEFAULT_DUE_SOON_WORKING_DAYS,
) -> Clock | None:
    """The health passport's clock of a young person looked after, from their 16th birthday
    (or entering care after it) until the passport is first given; None before it starts."""
    assert facts.period_start is not None
    start = clocks.passport_starts(facts.date_of_birth, facts.period_start)
    if as_of < start:
        return None
    due = clocks.passport_due(
        facts.date_of_birth, facts.period_start, due_months=facts.passport_due_months
    )
    given = facts.passport_given_on
    return Clock(
        "PASSPORT",
        clocks.clock_status(
            due,
            given if given is not None and given <= as_of else None,
            as_of,
            due_soon_working_days=due_soon_working_days,
        ),
    )
