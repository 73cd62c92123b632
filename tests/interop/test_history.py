"""A council's first load: ten years of returns, oldest first, each in its own year's codes,
with children placed in Wales and Scotland; then the whole history again, which changes
nothing. Runs on SQLite and on PostgreSQL, as the suite does."""

from __future__ import annotations

from lachealth.care.models import Child, Episode
from lachealth.demo.returns import yearly_returns
from lachealth.interop.models import ImportAttempt

from ..conftest import BRADFORD
from .helpers import import_return, rows

FIRST, LAST = 2017, 2026


def test_ten_years_oldest_first_then_again_changes_nothing(world):
    officer = world.users["la_a_data"]
    Child.objects.filter(responsible_area_id=BRADFORD).delete()
    history = yearly_returns(
        children=60,
        first_year=FIRST,
        last_year=LAST,
        postcodes=["BD1 1AA", "BD7 1AA", "BD7 1AB", "LS1 4AP"],
        elsewhere=["CF10 1EP", "EH1 1YZ"],
        seed=5,
    )
    first_return = rows(history[FIRST]["Episodes.csv"])
    begun = {r["CHILD"] for r in first_return if r["RNE"] == "S"}
    assert any(r["CHILD"] not in begun for r in first_return)  # in care before 2016/17
    sexes = {year: {r["SEX"] for r in rows(files["Header.csv"])} for year, files in history.items()}
    assert sexes[2018] <= {"1", "2"} and sexes[2026] <= {"M", "F"}
    for year in range(FIRST, LAST + 1):
        done = import_return(officer, BRADFORD, year, history[year])
        assert done.status == "imported", (year, done.message)
    held = Episode.objects.filter(child__responsible_area_id=BRADFORD)
    assert held.filter(placement_area__nation="W").exists()
    assert held.filter(placement_area__nation="S").exists()
    assert set(
        Child.objects.filter(responsible_area_id=BRADFORD).values_list("sex", flat=True)
    ) <= {"M", "F"}
    before = list(held.order_by("pk").values())
    for year in range(FIRST, LAST + 1):
        again = import_return(officer, BRADFORD, year, history[year])
        assert again.status == "unchanged", (year, again.message)
    assert list(held.order_by("pk").values()) == before
    attempts = ImportAttempt.objects.filter(area_id=BRADFORD).order_by("pk")
    assert [a.summary["ruleset"] for a in attempts[:10]] == [2023] * 6 + [2023, 2024, 2025, 2026]
