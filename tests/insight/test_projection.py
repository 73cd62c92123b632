"""The projection's pure rules: a population with no entries and no exits only ages; with
constant rates it stays where it started in expectation; its intervals widen with the horizon;
expected counts are never negative and every breakdown sums to the total; the fitted trend
finds growth; what cannot be projected is refused naming the argument; school years and ages
on the day."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lachealth.insight import projection as P

AS_OF = date(2026, 11, 30)


def rates(**changes) -> P.Rates:  # type: ignore[no-untyped-def]
    """Hand-made rates known exactly: huge exposure, so nothing is uncertain."""
    cats, legal = len(P.CATEGORY_KEYS), len(P.LEGAL_KEYS)
    exposure = np.full((P.AGES, len(P.TIME_BANDS) + 1, legal), 1e9)
    hazard = changes.pop("hazard", 0.0)
    mix = np.zeros((P.AGES, 2))
    mix[changes.pop("entry_age", 0), 0] = 1e9
    first = np.zeros((4, cats))
    first[:, 0] = 1e9
    entry_legal = np.zeros((4, legal))
    entry_legal[:, 0] = 1e9
    values = {
        "as_of": AS_OF,
        "reference_months": 24,
        "level": math.log(changes.pop("entries", 1e-30)),
        "slope": 0.0,
        "covariance": ((1e-14, 0.0), (0.0, 1e-14)),
        "entry_mix": mix,
        "exits": exposure * hazard,
        "exposure": exposure,
        "moves": np.zeros((cats, cats)),
        "move_exposure": np.full(cats, 1e12),
        "first_placement": first,
        "out_exposure": np.zeros(cats),
        "entry_legal": entry_legal,
    }
    return P.Rates(**(values | changes))


def in_care(n: int, rng: random.Random, max_age: int = 10) -> list[P.CareEpisode]:
    found = []
    for child in range(n):
        born = AS_OF - timedelta(days=rng.randrange(1, max_age * 365))
        found.append(
            P.CareEpisode(
                child,
                born,
                "1",
                max(born, AS_OF - timedelta(days=rng.randrange(1, 900))),
                None,
                "U4",
                "C2",
                False,
                True,
            )
        )
    return found


def test_with_no_entries_and_no_exits_the_children_only_grow_older():
    children = in_care(60, random.Random(1))
    months = P.project(children, rates(), months=24, sims=20, seed=1)
    for month in months:
        iv = month.looked_after
        assert (iv.expected, iv.low95, iv.high95) == (60, 60, 60)
    later = months[11].month_end
    want = [0] * P.AGES
    for c in children:
        want[P.age_in_years(c.born, later)] += 1
    assert [months[11].by_age[str(a)] for a in range(P.AGES)] == want


@settings(max_examples=12, deadline=None)
@given(
    st.floats(min_value=2.0, max_value=20.0),  # entries a month
    st.floats(min_value=0.01, max_value=0.08),  # leaving hazard a month
)
def test_with_constant_rates_a_population_at_its_level_stays_there(entries, hazard):
    p = 1 - math.exp(-hazard)
    level = round(entries * (1 - p) / p)  # (N + entries)(1 - p) = N
    children = in_care(level, random.Random(2), max_age=3)
    months = P.project(children, rates(entries=entries, hazard=hazard), months=12, sims=300, seed=3)
    for month in (months[0], months[-1]):
        assert month.looked_after.expected == pytest.approx(level, rel=0.06, abs=2)


def fitted_world(seed: int, growth: float = 0.0) -> list[P.CareEpisode]:
    """Children entering over six years at 8 a month (growing by `growth` a year), staying
    about two years; a few move and some are placed out of area."""
    rng = random.Random(seed)
    episodes, child = [], 0
    day = AS_OF - timedelta(days=6 * 365)
    while day < AS_OF:
        years_back = (AS_OF - day).days / 365.25
        rate = 8 * (1 + growth) ** (-years_back) / 30.44
        day += timedelta(days=max(1, round(rng.expovariate(rate))))
        if day >= AS_OF:
            break
        child += 1
        age = rng.randrange(18)
        born = day - timedelta(days=age * 365 + rng.randrange(365))
        leaves = day + timedelta(days=round(rng.expovariate(1 / 700)))
        at_18 = date(born.year + 18, born.month, min(born.day, 28))
        end = min(leaves, at_18)
        end = None if end >= AS_OF else end
        first = rng.choice(["U4", "U6", "K2", "P1", "K3"])
        moved = day + timedelta(days=rng.randrange(30, 400))
        if (end is None or moved < end) and moved < AS_OF and rng.random() < 0.3:
            episodes.append(
                P.CareEpisode(child, born, rng.choice("12"), day, moved, first, "C2", False, True)
            )
            episodes.append(
                P.CareEpisode(child, born, "1", moved, end, "K2", "C2", rng.random() < 0.4, False)
            )
        else:
            episodes.append(
                P.CareEpisode(
                    child, born, rng.choice("12"), day, end, first, "V2", rng.random() < 0.2, True
                )
            )
    return episodes


def test_intervals_widen_with_the_horizon_and_breakdowns_sum_to_the_total():
    episodes = fitted_world(4)
    fitted = P.fit(episodes, as_of=AS_OF, reference_years=2)
    months = P.project(episodes, fitted, months=36, sims=300, seed=5)
    widths = [m.looked_after.high95 - m.looked_after.low95 for m in months]
    assert widths[-1] > widths[0]
    assert np.mean(widths[24:]) > np.mean(widths[:6])
    for m in months:
        total = m.looked_after.expected
        for breakdown in (m.by_age, m.by_year_group, m.by_placement, m.by_location):
            assert sum(breakdown.values()) == pytest.approx(total)
            assert min(breakdown.values()) >= 0
        assert min(m.workload.values()) >= 0
        iv = m.looked_after
        assert 0 <= iv.low95 <= iv.low80 <= iv.expected <= iv.high80 <= iv.high95


def test_the_fitted_trend_finds_entries_growing_ten_percent_a_year():
    episodes = fitted_world(6, growth=0.10)
    fitted = P.fit(episodes, as_of=AS_OF, reference_years=3)
    yearly = math.exp(12 * fitted.slope) - 1
    se = 12 * math.sqrt(fitted.covariance[1][1])
    assert abs(yearly - 0.10) < 3 * se + 0.02
    assert fitted.monthly_entries == pytest.approx(8, rel=0.25)


def test_what_cannot_be_projected_is_refused_naming_the_argument():
    episodes = fitted_world(7)
    with pytest.raises(P.ProjectionRefused) as early:
        P.fit(episodes, as_of=date(2015, 1, 1))
    assert early.value.argument == "--as-of"
    few = [e for e in episodes if e.child < 40]
    with pytest.raises(P.ProjectionRefused) as small:
        P.fit(few, as_of=AS_OF)
    assert small.value.argument == "--area" and "too few to project" in small.value.message
    old = [e for e in episodes if e.start < AS_OF - timedelta(days=3 * 365)]
    kept = [
        P.CareEpisode(e.child, e.born, e.sex, e.start, None, e.place, e.ls, e.out_of_area, True)
        for e in old
        if e.entered
    ]
    with pytest.raises(P.ProjectionRefused) as none:
        P.fit(kept, as_of=AS_OF, reference_years=2)
    assert none.value.argument == "--reference-years" and "no child entered" in none.value.message
    fitted = P.fit(episodes, as_of=AS_OF)
    with pytest.raises(P.ProjectionRefused) as far:
        P.project(episodes, fitted, months=61)
    assert far.value.argument == "--months"


def test_school_years_and_ages_on_the_day():
    # Reception in the September after the 4th birthday: an August and a September birthday.
    assert P.school_year(date(2020, 8, 31), date(2024, 9, 1)) == 0
    assert P.school_year(date(2020, 9, 1), date(2024, 9, 1)) == -1
    assert P.school_year(date(2010, 1, 15), date(2026, 11, 30)) == 12  # 16: Year 12
    assert P.year_group_label(-3) == "Not yet at school"
    assert P.year_group_label(0) == "Reception"
    assert P.year_group_label(13) == "Year 13" and P.year_group_label(15) == "Past school age"
    # 29 February: a year older on 1 March in a common year.
    assert P.age_in_years(date(2012, 2, 29), date(2026, 2, 28)) == 13
    assert P.age_in_years(date(2012, 2, 29), date(2026, 3, 1)) == 14


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)))
def test_the_vectorised_rules_agree_with_the_plain_ones(born):
    on = date(2026, 11, 30)
    ordinal = np.array([born.toordinal()], dtype=np.int64)
    assert P._school_years(ordinal, on)[0] == P.school_year(born, on)
    if born <= on:
        assert P._ages(ordinal, on)[0] == P.age_in_years(born, on)


def test_a_month_begun_counts_only_the_days_left_in_it():
    mid = date(2026, 11, 15)
    children = in_care(30, random.Random(8))
    months = P.project(children, rates(as_of=mid, entries=100.0), months=2, sims=200, seed=9)
    assert [m.month_end for m in months] == [date(2026, 11, 30), date(2026, 12, 31)]
    assert months[0].looked_after.expected == pytest.approx(30 + 100 * 15 / 30, rel=0.05)
    assert months[1].looked_after.expected == pytest.approx(30 + 50 + 100, rel=0.05)
    assert months[0].workload["iha"] == pytest.approx(50, rel=0.1)


def test_simulations_run_in_batches_give_the_same_kind_of_answer(monkeypatch):
    episodes = fitted_world(4)
    fitted = P.fit(episodes, as_of=AS_OF, reference_years=2)
    whole = P.project(episodes, fitted, months=12, sims=60, seed=11)
    monkeypatch.setattr(P, "CHILD_SLOTS", 2_000)  # a few simulations a batch
    shares: list[float] = []
    batched = P.project(episodes, fitted, months=12, sims=60, seed=11, progress=shares.append)
    assert len(shares) > 3 and shares[-1] == 1.0 and shares == sorted(shares)
    for a, b in zip(whole, batched, strict=True):
        assert b.looked_after.expected == pytest.approx(a.looked_after.expected, rel=0.1)
        assert sum(b.by_placement.values()) == pytest.approx(b.looked_after.expected)
