"""The health passport's clock among a child's clocks (pure): it runs from the 16th birthday of
a young person looked after, or from entering care after it, is due by the area's age, and
stops when the first passport is given."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from lachealth.health import clocks
from lachealth.health.clocks import ClockState
from lachealth.health.status import ChildHealthFacts, child_clocks, passport_clock

DOB = date(2009, 6, 15)  # 16 on 15 June 2025, 17y6m on 15 December 2026
FACTS = ChildHealthFacts(
    date_of_birth=DOB,
    looked_after=True,
    current_ls="C2",
    period_start=date(2015, 3, 2),
    iha_done_on=date(2015, 3, 20),
    last_assessment_on=date(2026, 6, 1),
    last_sdq_on=date(2026, 6, 1),
    last_dental_on=date(2026, 6, 1),
)


def codes(facts: ChildHealthFacts, as_of: date, **kwargs: bool) -> dict[str, object]:
    return {c.code: c.status for c in child_clocks(facts, as_of, **kwargs)}


def test_no_passport_clock_before_the_16th_birthday():
    assert "PASSPORT" not in codes(FACTS, date(2025, 6, 14))
    status = codes(FACTS, date(2025, 6, 15))["PASSPORT"]
    assert status.due == date(2026, 12, 15) and status.state == ClockState.DUE_LATER


def test_due_by_the_areas_age_and_overdue_after_it():
    assert codes(FACTS, date(2026, 12, 1))["PASSPORT"].state == ClockState.DUE_SOON
    overdue = codes(FACTS, date(2026, 12, 16))["PASSPORT"]
    assert overdue.state == ClockState.OVERDUE and overdue.working_days_late == 1
    at_17 = replace(FACTS, passport_due_months=17 * 12)
    assert codes(at_17, date(2026, 7, 1))["PASSPORT"].due == date(2026, 6, 15)


def test_entering_care_after_the_set_age_makes_it_due_at_18():
    late = replace(FACTS, period_start=date(2027, 1, 4), iha_done_on=None)
    assert codes(late, date(2027, 1, 5))["PASSPORT"].due == date(2027, 6, 15)


def test_giving_the_passport_stops_the_clock():
    given_on = replace(FACTS, passport_given_on=date(2026, 11, 20))
    assert "PASSPORT" not in codes(given_on, date(2026, 12, 1))
    done = codes(given_on, date(2026, 12, 1), include_done=True)["PASSPORT"]
    assert done.state == ClockState.DONE_ON_TIME and done.done == date(2026, 11, 20)
    late = replace(FACTS, passport_given_on=date(2027, 1, 5))
    assert codes(late, date(2027, 1, 6), include_done=True)["PASSPORT"].state == (
        ClockState.DONE_LATE
    )


def test_a_passport_dated_after_the_day_does_not_stop_the_clock_before_it():
    future = replace(FACTS, passport_given_on=date(2026, 12, 10))
    assert codes(future, date(2026, 12, 1))["PASSPORT"].state == ClockState.DUE_SOON


def test_no_passport_clock_when_no_clocks_run():
    assert "PASSPORT" not in codes(replace(FACTS, looked_after=False), date(2026, 1, 1))
    assert "PASSPORT" not in codes(replace(FACTS, current_ls="V3"), date(2026, 1, 1))
    assert "PASSPORT" not in codes(FACTS, date(2027, 6, 15))  # 18: care has ended


@given(
    dob=st.dates(date(2000, 1, 1), date(2015, 12, 31)),
    entered_after_birth=st.integers(0, 18 * 365),
    months=st.integers(16 * 12, 18 * 12),
    days_on=st.integers(0, 3 * 365),
)
def test_the_clock_is_never_due_after_the_set_age_nor_before_it_starts(
    dob, entered_after_birth, months, days_on
):
    entered = dob + timedelta(days=entered_after_birth)
    facts = replace(FACTS, date_of_birth=dob, period_start=entered, passport_due_months=months)
    start = clocks.passport_starts(dob, entered)
    clock = passport_clock(facts, start + timedelta(days=days_on))
    assert clock is not None
    due = clock.status.due
    assert due >= start or due == clocks.birthday(dob, 18)
    if entered <= clocks.add_months(dob, months):
        assert due == clocks.add_months(dob, months)
    else:
        assert due == clocks.birthday(dob, 18)
    assert passport_clock(facts, start - timedelta(days=1)) is None
