"""The projection's backtest, scenarios and the figures an aggregate-only reader is shown
(pure): last year's projection against the children actually looked after, complete months
only; the reference period may not begin before the record's first entry; a scenario leaves
the months before its date as the base; commissioners' figures are c under 6 and rounded to 5,
never negative."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lachealth.insight import projection as P
from lachealth.insight.projection_tables import figure, money
from lachealth.insight.projections import quarters

from .test_projection import AS_OF, fitted_world


def episode(child: int, start: date, end: date | None, *, entered: bool = True) -> P.CareEpisode:
    return P.CareEpisode(child, date(2015, 3, 1), "1", start, end, "U4", "C2", False, entered)


def test_looked_after_counts_children_not_episodes_and_a_day_of_leaving_is_out():
    day = date(2026, 6, 30)
    episodes = [
        episode(1, date(2026, 1, 5), date(2026, 3, 1)),
        episode(1, date(2026, 3, 1), None, entered=False),  # a move: one child
        episode(2, date(2026, 2, 1), day),  # left on the day: not looked after at its end
        episode(3, date(2026, 7, 1), None),  # not yet
    ]
    assert P.looked_after_on(episodes, [day, date(2026, 7, 31)]) == [1, 2]


def test_the_backtest_compares_complete_months_with_what_happened():
    episodes = fitted_world(11)
    checked = P.backtest(episodes, as_of=AS_OF, months=12, seed=2)
    assert checked.as_of == date(2025, 11, 30)
    ends = [m.month_end for m in checked.months]
    assert ends[0] == date(2025, 12, 31) and ends[-1] == AS_OF and len(ends) == 12
    assert checked.actual == P.looked_after_on(episodes, ends)
    errors = [abs(m.looked_after.expected - a) for m, a in checked.pairs]
    assert checked.mean_absolute_error == pytest.approx(sum(errors) / 12)
    assert checked.mean_absolute_percentage_error == pytest.approx(
        100 * sum(e / a for e, (_, a) in zip(errors, checked.pairs, strict=True)) / 12
    )
    # Mid-month, the month not yet ended is not compared: the backtest ends at the last.
    mid = P.backtest(episodes, as_of=AS_OF + timedelta(days=20), months=12, seed=2)
    assert mid.as_of == date(2025, 11, 30) and mid.months[-1].month_end == AS_OF


def test_the_backtests_95_percent_interval_holds_what_happened_about_as_often_as_it_says():
    """Ten steady worlds, the model right: month ends are correlated (one world's year can sit
    outside together), so the share is taken over all of them."""
    held = sum(P.backtest(fitted_world(s), as_of=AS_OF, seed=s).held for s in range(20, 30))
    assert held >= 0.85 * 120


def test_no_backtest_where_the_record_does_not_reach_back_far_enough():
    episodes = [e for e in fitted_world(12) if e.start >= AS_OF - timedelta(days=900)]
    with pytest.raises(P.ProjectionRefused) as refused:
        P.backtest(episodes, as_of=AS_OF, months=12, reference_years=2)
    assert refused.value.argument == "--as-of"
    assert "12 months earlier, on 2025-11-30" in refused.value.message


def test_a_reference_period_before_the_first_entry_is_refused():
    episodes = [e for e in fitted_world(13) if e.start >= date(2024, 3, 10)]
    with pytest.raises(P.ProjectionRefused) as refused:
        P.fit(episodes, as_of=AS_OF, reference_years=3)
    assert refused.value.argument == "--reference-years"
    assert "first entry to care is on 2024-03" in refused.value.message
    # Asked for no years, it fits the whole years the record holds (the default is three).
    assert P.fit(episodes, as_of=AS_OF).reference_months == 24
    assert P.fit(fitted_world(13), as_of=AS_OF).reference_months == 12 * P.DEFAULT_REFERENCE_YEARS
    # Within the first month of the reference period is the record's start, not a gap.
    assert P.fit(episodes, as_of=date(2026, 3, 31), reference_years=2).entries > 0


def test_a_scenario_leaves_the_months_before_its_date_as_the_base():
    episodes = fitted_world(14)
    fitted = P.fit(episodes, as_of=AS_OF)
    base = P.project(episodes, fitted, months=18, sims=200, seed=4)
    more = P.project(
        episodes,
        fitted,
        months=18,
        sims=200,
        seed=4,
        scenario=P.Scenario(entries_change=50, from_date=date(2027, 6, 1)),
    )
    before = [m for m in base if m.month_end < date(2027, 6, 1)]
    for b, s in zip(before, more, strict=False):
        assert s.looked_after.expected == b.looked_after.expected
    assert more[-1].looked_after.expected > base[-1].looked_after.expected
    assert more[-1].workload["iha"] > 1.3 * base[-1].workload["iha"]


def test_fewer_entries_never_take_a_count_below_zero():
    episodes = fitted_world(15)
    fitted = P.fit(episodes, as_of=AS_OF)
    fewer = P.project(
        episodes, fitted, months=24, sims=100, seed=1, scenario=P.Scenario(entries_change=-90)
    )
    for m in fewer:
        assert m.looked_after.low95 >= 0
        for part in (m.by_age, m.by_year_group, m.by_placement, m.by_location, m.workload):
            assert min(part.values()) >= 0


def test_quarters_are_financial_and_a_part_quarter_says_so():
    episodes = fitted_world(16)
    fitted = P.fit(episodes, as_of=AS_OF)
    months = P.project(episodes, fitted, months=6, sims=40, seed=1)
    found = quarters(months)
    assert found == [
        ("Oct to Dec 2026 (part)", [0]),
        ("Jan to Mar 2027", [1, 2, 3]),
        ("Apr to Jun 2027 (part)", [4, 5]),
    ]


@pytest.mark.parametrize(
    ("value", "staff", "commissioner"),
    [
        (0.0, 0.0, 0),
        (0.49, 0.5, 0),
        (0.5, 0.5, "c"),
        (5.99, 6.0, "c"),
        (7.49, 7.5, "c"),  # would round to 5: a 5 would say 6 or 7
        (7.5, 7.5, 10),
        (12.4, 12, 10),
        (12.5, 12, 15),  # halves round up, not to even
        (1234.6, 1235, 1235),
    ],
)
def test_figures_as_each_audience_sees_them(value, staff, commissioner):  # type: ignore[no-untyped-def]
    assert figure(value, False) == staff
    assert figure(value, True) == commissioner


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_a_commissioner_figure_is_c_or_a_multiple_of_five_near_the_value(value: float) -> None:
    shown = figure(value, True)
    if shown == "c":
        assert 0.5 <= value < 7.5
    else:
        assert isinstance(shown, int) and shown % 5 == 0 and abs(shown - value) <= 2.5
        assert shown == 0 or shown >= 10


def test_money_to_the_pound_or_two_significant_figures():
    assert money(1234567.4, False) == "£1,234,567"
    assert money(1234567.4, True) == "£1,200,000"
    assert money(86.2, True) == "£86"


def test_a_month_end_day_fits_its_own_month_too():
    """From 30 November, November's entries are fitted (the month is whole); from 29
    November they are not (a part month would bend the trend)."""
    episodes = fitted_world(17)
    entered_in_november = sum(
        1 for e in episodes if e.entered and date(2026, 11, 1) <= e.start <= date(2026, 11, 29)
    )
    assert entered_in_november > 0
    whole = P.fit(episodes, as_of=AS_OF, reference_years=2)
    part = P.fit(episodes, as_of=AS_OF - timedelta(days=1), reference_years=2)
    assert whole.origin == date(2026, 12, 1) and part.origin == date(2026, 11, 1)
    # The same number of whole months, one later: November in, November 2024 out.
    november_2024 = sum(
        1 for e in episodes if e.entered and date(2024, 11, 1) <= e.start <= date(2024, 11, 30)
    )
    assert whole.entries - part.entries == entered_in_november - november_2024
