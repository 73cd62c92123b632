"""Statutory clocks (pure): worked examples across bank holidays and hypothesis properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lachealth.health import clocks
from lachealth.health.clocks import ClockState

days = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31))


@pytest.mark.parametrize(
    ("entered", "due"),
    [
        (date(2026, 12, 1), date(2026, 12, 31)),  # Christmas Day and the Boxing Day substitute
        (date(2027, 12, 20), date(2028, 1, 20)),  # Christmas and New Year substitutes, 2027
        (date(2027, 3, 19), date(2027, 4, 20)),  # Good Friday and Easter Monday 2027
        (date(2026, 3, 27), date(2026, 4, 28)),  # Good Friday and Easter Monday 2026
        (date(2026, 5, 14), date(2026, 6, 12)),  # late May bank holiday 2026 (25 May)
        (date(2027, 5, 21), date(2027, 6, 21)),  # late May bank holiday 2027 (31 May)
    ],
)
def test_initial_health_assessment_worked_examples(entered, due):
    assert clocks.initial_health_assessment_due(entered) == due


def test_working_days_skip_england_bank_holidays():
    assert clocks.add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)  # Easter 2026
    assert clocks.working_days_between(date(2026, 12, 24), date(2026, 12, 29)) == 1
    assert not clocks.is_working_day(date(2026, 8, 31))  # summer bank holiday (England)
    assert clocks.is_working_day(date(2026, 8, 3))  # Scotland's summer holiday: not England's


@settings(deadline=None)  # the first call may build the working-day index
@given(entered=days)
def test_iha_due_is_a_working_day_exactly_20_working_days_and_26_plus_days_later(entered):
    due = clocks.initial_health_assessment_due(entered)
    assert clocks.is_working_day(due)
    assert clocks.working_days_between(entered, due) == 20
    assert clocks.working_days_between(entered, due - timedelta(days=1)) == 19
    assert (due - entered).days >= 26


@settings(deadline=None)  # the first call may build the working-day index
@given(start=days, n=st.integers(min_value=-400, max_value=400))
def test_add_then_count_working_days_round_trips(start, n):
    end = clocks.add_working_days(start, n)
    assert clocks.working_days_between(start, end) == n
    if n:
        assert clocks.is_working_day(end)


@settings(deadline=None)  # the first call may build the working-day index
@given(a=days, b=days)
def test_working_days_between_has_the_sign_of_the_interval_and_is_bounded(a, b):
    n = clocks.working_days_between(a, b)
    assert (n > 0 and b > a) or (n < 0 and b < a) or n == 0
    assert abs(n) <= abs((b - a).days)
    if b > a:
        assert n == sum(
            clocks.is_working_day(a + timedelta(days=i)) for i in range(1, (b - a).days + 1)
        )


@settings(deadline=None)  # the first call may build the working-day index
@given(
    dob=st.dates(min_value=date(2005, 1, 1), max_value=date(2025, 1, 1)),
    offset=st.integers(min_value=-400, max_value=400),
)
def test_review_interval_switches_exactly_at_the_fifth_birthday(dob, offset):
    fifth = clocks.birthday(dob, 5)
    last = fifth + timedelta(days=offset)
    due = clocks.review_health_assessment_due(dob, last)
    months = 6 if last < fifth else 12
    assert due == clocks.add_months(last, months)


def test_review_around_the_fifth_birthday_examples():
    dob = date(2021, 3, 15)
    assert clocks.review_health_assessment_due(dob, date(2026, 3, 14)) == date(2026, 9, 14)
    assert clocks.review_health_assessment_due(dob, date(2026, 3, 15)) == date(2027, 3, 15)
    assert clocks.review_health_assessment_due(date(2020, 2, 29), date(2024, 8, 31)) == date(
        2025, 2, 28
    )


def test_dates_before_birth_raise_a_clear_value_error():
    with pytest.raises(ValueError, match="before the date of birth"):
        clocks.review_health_assessment_due(date(2020, 1, 1), date(2019, 12, 31))
    with pytest.raises(ValueError, match="as_of"):
        clocks.sdq_due(date(2020, 1, 1), None, date(2019, 1, 1))
    with pytest.raises(ValueError, match="last_sdq"):
        clocks.sdq_due(date(2020, 1, 1), date(2019, 1, 1), date(2026, 1, 1))


def test_sdq_due_is_yearly_between_4_and_16():
    dob = date(2015, 6, 1)
    assert clocks.sdq_due(dob, date(2025, 9, 1), date(2026, 1, 1)) == date(2026, 9, 1)
    assert clocks.sdq_due(date(2023, 6, 1), None, date(2026, 11, 23)) is None  # aged 3
    assert clocks.sdq_due(date(2009, 6, 1), None, date(2026, 11, 23)) is None  # aged 17
    # A 16-year-old whose next SDQ would fall after the 17th birthday needs none.
    assert clocks.sdq_due(date(2010, 3, 1), date(2026, 4, 1), date(2026, 11, 23)) is None
    # First SDQ: with the initial health assessment.
    assert clocks.sdq_due(dob, None, date(2026, 12, 1), entered_care=date(2026, 12, 1)) == date(
        2026, 12, 31
    )


@settings(deadline=None)  # the first call may build the working-day index
@given(
    dob=st.dates(min_value=date(2005, 1, 1), max_value=date(2024, 1, 1)),
    as_of=days,
    last=st.none() | days,
)
def test_sdq_due_is_none_outside_4_to_16_and_within_it_otherwise(dob, as_of, last):
    assume(as_of >= dob and (last is None or dob <= last <= as_of))
    due = clocks.sdq_due(dob, last, as_of)
    age = clocks.age_in_years(dob, as_of)
    if not 4 <= age <= 16:
        assert due is None
    if due is not None:
        assert clocks.birthday(dob, 4) <= due < clocks.birthday(dob, 17)


def test_clock_status_in_words():
    as_of = date(2026, 11, 23)  # a Monday
    overdue = clocks.clock_status(date(2026, 11, 16), None, as_of)
    assert overdue.state == ClockState.OVERDUE and overdue.label == "Overdue by 5 working days"
    soon = clocks.clock_status(date(2026, 11, 25), None, as_of)
    assert soon.state == ClockState.DUE_SOON and soon.label == "Due in 2 working days"
    assert clocks.clock_status(date(2027, 1, 25), None, as_of).state == ClockState.DUE_LATER
    late = clocks.clock_status(date(2026, 11, 16), date(2026, 11, 18), as_of)
    assert late.state == ClockState.DONE_LATE and late.label == "Done 2 working days late"
    assert clocks.clock_status(date(2026, 11, 16), date(2026, 11, 16), as_of).state == (
        ClockState.DONE_ON_TIME
    )
    assert (
        clocks.clock_status(date(2026, 12, 4), None, as_of, due_soon_working_days=5).state
        == ClockState.DUE_LATER
    )


@settings(deadline=None)  # the first call may build the working-day index
@given(due=days, as_of=days, done=st.none() | days)
def test_clock_status_is_consistent(due, as_of, done):
    status = clocks.clock_status(due, done, as_of)
    if done is None:
        assert status.state in (ClockState.OVERDUE, ClockState.DUE_SOON, ClockState.DUE_LATER)
        assert (status.state == ClockState.OVERDUE) == (as_of > due)
    else:
        assert (status.state == ClockState.DONE_LATE) == (done > due)
    assert status.working_days_late >= 0 and status.label
    assert bool(status.late_by) == (status.state in (ClockState.OVERDUE, ClockState.DONE_LATE))


def test_review_is_due_on_its_calendar_date_even_on_a_weekend():
    dob = date(2019, 5, 1)
    # 31 August + 6 months is 28 (or 29) February; 31 Jan 2026 + 12 months is Sunday 31 Jan 2027.
    assert clocks.review_health_assessment_due(dob, date(2023, 8, 31)) == date(2024, 2, 29)
    assert clocks.review_health_assessment_due(dob, date(2026, 1, 31)) == date(2027, 1, 31)
    assert clocks.last_working_day_on_or_before(date(2027, 1, 31)) == date(2027, 1, 29)


def test_a_child_assessed_on_31_august_2026_is_due_on_sunday_28_february_2027():
    """Six months and not a day more: the next working day (1 March) would be too late."""
    due = clocks.review_health_assessment_due(date(2024, 8, 31), date(2026, 8, 31))
    assert due == date(2027, 2, 28) and due.weekday() == 6
    friday = date(2027, 2, 26)
    assert clocks.clock_status(due, None, friday).act_by == friday
    assert clocks.clock_status(due, None, friday).label == "Due Sunday: act today"
    assert clocks.clock_status(due, None, date(2027, 2, 27)).label == "Due Sunday"
    assert clocks.clock_status(due, None, due).label == "Due today"
    monday = clocks.clock_status(due, None, date(2027, 3, 1))
    assert monday.state == ClockState.OVERDUE and monday.label == "Overdue by 1 working day"
    done_monday = clocks.clock_status(due, date(2027, 3, 1), date(2027, 3, 2))
    assert done_monday.state == ClockState.DONE_LATE
    assert done_monday.label == "Done 1 working day late"
    assert clocks.clock_status(due, friday, date(2027, 3, 2)).state == ClockState.DONE_ON_TIME


def test_done_on_the_weekend_after_a_saturday_due_date_is_a_day_late_not_on_time():
    saturday, sunday = date(2027, 2, 27), date(2027, 2, 28)
    done = clocks.clock_status(saturday, sunday, date(2027, 3, 1))
    assert done.state == ClockState.DONE_LATE and done.working_days_late == 0
    assert done.label == "Done 1 day late"
    waiting = clocks.clock_status(saturday, None, sunday)
    assert waiting.state == ClockState.OVERDUE and waiting.label == "Overdue by 1 day"


@pytest.mark.parametrize(
    ("due", "act_by"),
    [
        (date(2026, 12, 25), date(2026, 12, 24)),  # Christmas Day: the 24th is a Thursday
        (date(2026, 12, 28), date(2026, 12, 24)),  # Boxing Day substitute, back past Christmas
        (date(2027, 3, 29), date(2027, 3, 25)),  # Easter Monday, back past Good Friday
        (date(2027, 5, 31), date(2027, 5, 28)),  # late May bank holiday
        (date(2027, 3, 3), date(2027, 3, 3)),  # a Wednesday is its own day to act by
    ],
)
def test_the_day_to_act_by_is_the_last_working_day_on_or_before_the_due_date(due, act_by):
    assert clocks.last_working_day_on_or_before(due) == act_by


@settings(deadline=None)  # the first call may build the working-day index
@given(dob=st.dates(min_value=date(2005, 1, 1), max_value=date(2024, 1, 1)), last=days)
def test_no_due_date_is_later_than_the_calendar_date_the_law_gives(dob, last):
    assume(dob <= last)
    months = 6 if last < clocks.birthday(dob, 5) else 12
    law = clocks.add_months(last, months)
    assert clocks.review_health_assessment_due(dob, last) <= law
    assert clocks.dental_check_due(dob, last, dob) <= law


@settings(deadline=None)  # the first call may build the working-day index
@given(
    dob=st.dates(min_value=date(2005, 1, 1), max_value=date(2024, 1, 1)),
    days_on=st.integers(0, 364),
)
def test_no_sdq_is_due_later_than_a_year_after_the_last(dob, days_on):
    """Aged 4 to 15 at the last SDQ, and asked on any day of the year after it."""
    last = clocks.birthday(dob, 4) + timedelta(days=(dob.toordinal() * 7919) % (365 * 11))
    as_of = last + timedelta(days=days_on)
    due = clocks.sdq_due(dob, last, as_of)
    assert due == clocks.add_months(last, 12)  # the calendar date, weekend or not


@settings(deadline=None)  # the first call may build the working-day index
@given(due=days)
def test_the_day_to_act_by_is_the_nearest_working_day_not_after_the_due_date(due):
    act_by = clocks.last_working_day_on_or_before(due)
    assert clocks.is_working_day(act_by) and act_by <= due
    assert clocks.working_days_between(act_by, due) == 0  # no working day in between
    assert (act_by == due) == clocks.is_working_day(due)


@settings(deadline=None)  # the first call may build the working-day index
@given(dob=st.dates(min_value=date(2005, 1, 1), max_value=date(2024, 1, 1)), last=days, as_of=days)
def test_next_sdq_is_a_year_after_the_last(dob, last, as_of):
    assume(dob <= last <= as_of)
    due = clocks.sdq_due(dob, last, as_of)
    if due is not None:
        year_later = clocks.add_months(last, 12)
        assert due == max(year_later, clocks.birthday(dob, 4))


def test_dental_check_due():
    dob = date(2022, 6, 1)
    assert clocks.dental_check_due(dob, date(2026, 1, 6), date(2025, 1, 1)) == date(2026, 7, 6)
    assert clocks.dental_check_due(dob, date(2027, 7, 6), date(2025, 1, 1)) == date(2028, 7, 6)
    assert clocks.dental_check_due(dob, None, date(2025, 1, 1)) == date(2025, 7, 1)
    with pytest.raises(ValueError, match="before the date of birth"):
        clocks.dental_check_due(dob, date(2020, 1, 1), date(2025, 1, 1))


@settings(deadline=None)  # the first call may build the working-day index
@given(
    start=st.dates(min_value=date(1901, 1, 1), max_value=date(2199, 1, 1)),
    n=st.integers(min_value=-300, max_value=300),
)
def test_working_days_round_trip_across_the_whole_supported_range(start, n):
    assert clocks.working_days_between(start, clocks.add_working_days(start, n)) == n


def test_dates_outside_the_supported_years_raise_a_clear_error():
    with pytest.raises(ValueError, match="outside the years"):
        clocks.add_working_days(date(5000, 1, 1), 3)
    with pytest.raises(ValueError, match="outside the years"):
        clocks.working_days_between(date(1, 1, 1), date(2020, 1, 1))


def test_the_index_can_be_widened_while_other_threads_read_it():
    import threading

    errors: list[str] = []

    def reader() -> None:
        for _ in range(300):
            if clocks.add_working_days(date(2026, 12, 1), 20) != date(2026, 12, 31):
                errors.append("wrong answer during a rebuild")

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    clocks.add_working_days(date(1905, 1, 2), 5)  # widens the index meanwhile
    clocks.add_working_days(date(2195, 1, 2), 5)
    for t in threads:
        t.join()
    assert errors == []


@pytest.mark.parametrize(
    ("dob", "entered", "left", "months", "due"),
    [
        # In care from 10: the clock starts at 16, due at 17 years 6 months.
        (date(2009, 6, 15), date(2020, 1, 1), None, 210, date(2026, 12, 15)),
        # Leaving at 16 years 8 months: due on the day they leave.
        (date(2009, 6, 15), date(2020, 1, 1), date(2026, 2, 28), 210, date(2026, 2, 28)),
        # Leaving at 17 years 10 months: the set age came first.
        (date(2009, 6, 15), date(2020, 1, 1), date(2027, 4, 30), 210, date(2026, 12, 15)),
        # An area that sets 17 years.
        (date(2009, 6, 15), date(2020, 1, 1), None, 204, date(2026, 6, 15)),
        # Entering care at 17 years 8 months, after the set age: due at 18 ...
        (date(2009, 6, 15), date(2027, 2, 15), None, 210, date(2027, 6, 15)),
        # ... or on leaving, if earlier.
        (date(2009, 6, 15), date(2027, 2, 15), date(2027, 5, 1), 210, date(2027, 5, 1)),
        # Born on 29 February: 17 years 6 months is 29 August.
        (date(2008, 2, 29), date(2015, 3, 1), None, 210, date(2025, 8, 29)),
    ],
)
def test_passport_due_worked_examples(dob, entered, left, months, due):
    assert clocks.passport_due(dob, entered, left_care=left, due_months=months) == due


def test_the_passport_clock_starts_at_16_or_on_entering_care_after():
    assert clocks.passport_starts(date(2009, 6, 15), date(2012, 1, 1)) == date(2025, 6, 15)
    assert clocks.passport_starts(date(2009, 6, 15), date(2026, 1, 1)) == date(2026, 1, 1)


def test_leaving_care_before_16_has_no_passport_clock():
    with pytest.raises(ValueError, match="before the passport clock starts"):
        clocks.passport_due(date(2009, 6, 15), date(2020, 1, 1), left_care=date(2024, 1, 1))


@given(
    dob=st.dates(min_value=date(2000, 1, 1), max_value=date(2015, 12, 31)),
    entered_after=st.integers(min_value=0, max_value=18 * 366),
    left_after=st.none() | st.integers(min_value=0, max_value=3 * 366),
    months=st.integers(min_value=16 * 12, max_value=18 * 12),
)
def test_the_passport_is_never_due_after_leaving_nor_after_the_set_age(
    dob, entered_after, left_after, months
):
    entered = dob + timedelta(days=entered_after)
    eighteenth = clocks.birthday(dob, 18)
    assume(entered < eighteenth)  # care ends at 18
    start = clocks.passport_starts(dob, entered)
    left = None if left_after is None else min(start + timedelta(days=left_after), eighteenth)
    due = clocks.passport_due(dob, entered, left_care=left, due_months=months)
    set_age = clocks.add_months(dob, months)
    assert start <= due <= eighteenth
    if left is not None:
        assert due <= left
    if start <= set_age:
        assert due <= set_age
    else:  # entered care after the set age: due on leaving, at the latest at 18
        assert due == (left or eighteenth)
