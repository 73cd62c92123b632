"""Periods and breakdowns: years to 31 March, rolling years, the entry window of initial
assessments due in a period, and ages as date-of-birth bounds (examples and properties)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lachealth.care.codes import Ethnicity, Placement
from lachealth.health.clocks import age_in_years, initial_health_assessment_due
from lachealth.insight.periods import (
    AGE_BANDS,
    ETHNICITY_GROUPS,
    PLACEMENT_GROUPS,
    birth_dates_for,
    iha_entry_window,
    latest_birth_date,
    latest_year,
    parse_period,
    recent_years,
    rolling_year,
    year_to_march,
)

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


def test_a_year_runs_from_1_april_to_31_march_and_is_labelled_as_the_dfe_does():
    year = year_to_march(2026)
    assert (year.start, year.end, year.label, year.key) == (
        date(2025, 4, 1),
        date(2026, 3, 31),
        "2025-26",
        "2025-26",
    )
    assert year.previous(2) == year_to_march(2024)


def test_the_rolling_year_ends_yesterday():
    rolling = rolling_year(date(2026, 11, 23))
    assert (rolling.start, rolling.end, rolling.key) == (
        date(2025, 11, 23),
        date(2026, 11, 22),
        "rolling",
    )
    assert rolling.label == "12 months to 22 November 2026"
    assert rolling.previous().end == date(2025, 11, 22)


def test_the_latest_year_is_the_last_that_has_ended():
    assert latest_year(date(2026, 3, 31)) == year_to_march(2025)
    assert latest_year(date(2026, 4, 1)) == year_to_march(2026)
    assert [p.label for p in recent_years(date(2026, 11, 23), 3)] == [
        "2025-26",
        "2024-25",
        "2023-24",
    ]


def test_parse_period_accepts_ended_years_and_rolling_and_says_what_else_is_allowed():
    today = date(2026, 11, 23)
    assert parse_period("2025-26", as_of=today) == year_to_march(2026)
    assert parse_period("rolling", as_of=today) == rolling_year(today)
    with pytest.raises(ValueError, match="write it like 2025-26"):
        parse_period("2025-27", as_of=today)
    with pytest.raises(ValueError, match="write it like 2025-26"):
        parse_period("last year", as_of=today)
    with pytest.raises(ValueError, match="2026-27 has not ended"):
        parse_period("2026-27", as_of=today)


@given(days, st.integers(min_value=0, max_value=25))
def test_latest_birth_date_is_exactly_the_age_boundary(on, age):
    born_by = latest_birth_date(age, on)
    assert age_in_years(born_by, on) >= age
    next_day = born_by + timedelta(days=1)
    assert next_day > on or age_in_years(next_day, on) < age


def test_a_29_february_birthday_counts_on_28_february():
    assert latest_birth_date(5, date(2025, 2, 28)) == date(2020, 2, 29)


@given(days)
def test_age_bands_cover_every_child_once(on):
    born_after_1 = on - timedelta(days=365 * 30)
    for offset in range(0, 365 * 19, 97):
        dob = on - timedelta(days=offset)
        if dob < born_after_1:
            continue
        holding = []
        for band in AGE_BANDS:
            after, by = birth_dates_for(band, on)
            if dob <= by and (after is None or dob > after):
                holding.append(band.key)
        assert len(holding) == 1, (dob, holding)


@given(st.builds(year_to_march, st.integers(min_value=2005, max_value=2035)))
def test_the_entry_window_holds_exactly_the_entries_due_in_the_period(period):
    first, last = iha_entry_window(period) or (None, None)
    assert first is not None and last is not None
    one = timedelta(days=1)
    assert period.start <= initial_health_assessment_due(first) <= period.end
    assert initial_health_assessment_due(first - one) < period.start
    assert period.start <= initial_health_assessment_due(last) <= period.end
    assert initial_health_assessment_due(last + one) > period.end


def test_every_ethnicity_and_placement_code_is_in_exactly_one_group():
    for groups, codes in (
        (ETHNICITY_GROUPS, Ethnicity.values),
        (PLACEMENT_GROUPS, Placement.values),
    ):
        listed = [code for _, members in groups.values() for code in members]
        assert sorted(listed) == sorted(codes)
