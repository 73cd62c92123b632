"""The bench's simulated councils (`bench/demand_sim.py`), on which projections are measured:
the same seed gives the same council; entries stay level, grow or fall as the scenario says;
nobody is looked after at 18; the yearly returns have the SSDA903 columns and hold each year's
episodes; what happened after the as-of is what the episodes show."""

from __future__ import annotations

import csv
import dataclasses
import math
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
from bench import demand_sim

from lachealth.insight import projection


@cache
def council(scenario: str, seed: int = 7) -> demand_sim.SimulatedArea:
    return demand_sim.simulate(scenario, seed)


def yearly_entries(area: demand_sim.SimulatedArea) -> list[int]:
    """First entries in each year to 31 March, from the first return's to the future's end."""
    last = area.as_of.year + demand_sim.FUTURE_MONTHS // 12
    first = area.first_return_day.year + 1
    return [area.entries_in(date(y - 1, 4, 1), date(y, 3, 31)) for y in range(first, last + 1)]


def yearly_growth(counts: list[int]) -> float:
    """The yearly factor of a least-squares line through the counts' logarithms."""
    xs = range(len(counts))
    mean_x, mean_y = sum(xs) / len(counts), sum(math.log(c) for c in counts) / len(counts)
    slope = sum((x - mean_x) * (math.log(c) - mean_y) for x, c in zip(xs, counts, strict=True))
    return math.exp(slope / sum((x - mean_x) ** 2 for x in xs))


def test_the_same_seed_gives_the_same_council_and_another_seed_another() -> None:
    again = demand_sim.simulate("steady", 7)
    assert again.history == council("steady").history
    assert again.truth == council("steady").truth
    assert demand_sim.simulate("steady", 8).history != again.history


@pytest.mark.parametrize(
    ("scenario", "low", "high"),
    [("steady", 0.95, 1.05), ("growing", 1.05, 1.15), ("falling", 0.89, 0.99)],
)
def test_entries_follow_the_scenario_from_the_first_return_on(
    scenario: str, low: float, high: float
) -> None:
    # Seven years of about 200 entries: the fitted yearly factor's standard error is about 1.3%.
    counts = yearly_entries(council(scenario))
    assert low < yearly_growth(counts) < high, counts


def test_a_steady_councils_entries_stay_level_within_noise() -> None:
    counts = yearly_entries(council("steady"))
    mean = sum(counts) / len(counts)
    assert all(abs(c - mean) < 4 * math.sqrt(mean) for c in counts), counts


def test_a_council_looks_after_about_as_many_as_a_mid_sized_one() -> None:
    for scenario in demand_sim.SCENARIOS:
        area = council(scenario)
        assert 380 <= area.looked_after_on(area.as_of) <= 650


def test_nobody_is_looked_after_at_18_or_over() -> None:
    for scenario in demand_sim.SCENARIOS:
        area = council(scenario)
        horizon = area.truth[-1][0]
        for e in area.history:
            born = area.children[e.child].born
            last_day = e.end - timedelta(days=1) if e.end is not None else horizon
            assert projection.age_in_years(born, last_day) < 18, e
            assert projection.age_in_years(born, e.start) < 18, e


def test_each_childs_episodes_follow_on_from_entry_to_leaving() -> None:
    area = council("steady")
    by_child: dict[int, list[demand_sim.Episode]] = {}
    for e in area.history:
        by_child.setdefault(e.child, []).append(e)
    for rows in by_child.values():
        assert [e.rne == "S" for e in rows] == [True] + [False] * (len(rows) - 1)
        for before, after in zip(rows, rows[1:], strict=False):
            assert before.end == after.start and before.rec == "X1"
        assert all(e.end is None or e.end > e.start for e in rows)
        assert rows[-1].rec != "X1"
        assert (rows[-1].end is None) == (rows[-1].rec == "")


def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def day(text: str) -> date:
    return datetime.strptime(text, "%d/%m/%Y").date()


def test_the_returns_have_the_columns_and_each_holds_its_years_episodes(tmp_path: Path) -> None:
    area = council("growing")
    written = area.write_returns(tmp_path)
    assert len(written) == 2 * demand_sim.RETURN_YEARS
    for first, last in area.return_years():
        columns, episodes = read(tmp_path / str(last.year) / "episodes.csv")
        assert columns == demand_sim.EPISODE_COLUMNS
        header_columns, header = read(tmp_path / str(last.year) / "header.csv")
        assert header_columns == demand_sim.HEADER_COLUMNS
        assert {row["CHILD"] for row in header} == {row["CHILD"] for row in episodes}
        expected = sum(e.start <= last and (e.end is None or e.end >= first) for e in area.history)
        assert len(episodes) == expected
        for row in episodes:
            assert day(row["DECOM"]) <= last
            assert row["DEC"] == "" or first <= day(row["DEC"]) <= last
            assert (row["DEC"] == "") == (row["REC"] == "")
            assert row["RNE"] in {"S", "P", "L", "T"}
        # cs-demand-model tells a return's year by its latest start: the year it ends.
        assert max(day(row["DECOM"]) for row in episodes).year == last.year


def test_the_care_record_holds_the_returns_episodes_open_on_the_as_of_left_open() -> None:
    area = council("falling")
    episodes = area.episodes()
    assert all(e.start <= area.as_of for e in episodes)
    assert all(e.end is None or area.first_return_day <= e.end <= area.as_of for e in episodes)
    open_now = [e.child for e in episodes if e.end is None]
    assert len(open_now) == len(set(open_now)) == area.looked_after_on(area.as_of)


def test_the_true_future_is_what_the_episodes_show_a_month_later() -> None:
    area = council("growing")
    first_month_end, looked_after = area.truth[0]
    assert first_month_end == date(2026, 4, 30)
    later = dataclasses.replace(area, as_of=first_month_end)
    assert sum(e.end is None for e in later.episodes()) == looked_after
    assert len(area.truth) == demand_sim.FUTURE_MONTHS
