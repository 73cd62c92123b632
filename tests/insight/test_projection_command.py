"""`lachealth projection`: the JSON scripts depend on, the CSV, and a clear refusal naming the
argument for an unknown area, a day in the future or before the data, a horizon over 60
months, an area too small to project and a reference period without entries."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from lachealth.insight import projection, projections

from ..conftest import BRADFORD, LEEDS
from ..factories import ChildFactory, EpisodeFactory, ImportAttemptFactory, area

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel("2026-12-02 10:00:00 +0000", tick=False):
        yield


def looked_after(code: str, n: int, first: date = date(2025, 1, 10)) -> None:
    """`n` children of the area entering care a fortnight apart from `first`, most still in."""
    for i in range(n):
        child = ChildFactory(
            responsible_area=area(code),
            date_of_birth=date(2012, 1, 1) + timedelta(days=97 * i),
            sex="1" if i % 2 else "2",
        )
        start = first + timedelta(days=14 * i)
        EpisodeFactory(
            child=child,
            decom=start,
            dec=start + timedelta(days=200) if i % 5 == 0 else None,
            rec="E11" if i % 5 == 0 else "",
            placement_area=area(code),
        )
        if i % 5 == 0:
            child.looked_after = False
            child.current_placement_area = None
            child.save()


def run(*args: str) -> str:
    out = StringIO()
    call_command("projection", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_json_has_every_month_end_with_its_intervals_breakdowns_and_work(world):
    looked_after(BRADFORD, 40)
    found = json.loads(run("--area", BRADFORD, "--as-of", "2026-11-30", "--months", "12"))
    months = found["months"]
    assert [m["month_end"] for m in months][:2] == ["2026-12-31", "2027-01-31"]
    assert len(months) == 12
    for m in months:
        total = m["looked_after"]
        assert set(total) == {"expected", "low80", "high80", "low95", "high95"}
        assert total["low95"] <= total["low80"] <= total["expected"] <= total["high80"]
        for part in ("by_age", "by_year_group", "by_placement", "by_location"):
            assert sum(m[part].values()) == pytest.approx(total["expected"], abs=0.2)
        assert set(m["workload"]) == {"iha", "rha", "sdq", "dental", "passport", "ooa_notice"}
    table = list(
        csv.reader(
            io.StringIO(
                run("--area", BRADFORD, "--as-of", "2026-11-30", "--months", "3", "--format", "csv")
            )
        )
    )
    assert table[0][:6] == ["month_end", "expected", "low80", "high80", "low95", "high95"]
    assert "by_placement:fostering" in table[0] and "workload:iha" in table[0]
    assert [row[0] for row in table[1:]] == ["2026-12-31", "2027-01-31", "2027-02-28"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--area", "E99999999"], "--area: E99999999 is not the ONS code of an English area"),
        (["--as-of", "2027-01-01"], "--as-of: 2027-01-01 is in the future"),
        (["--as-of", "30/11/2026"], '--as-of: "30/11/2026" is not a date written YYYY-MM-DD'),
        (["--as-of", "2020-01-01"], "--as-of: 2020-01-01 is before the first episode"),
        (["--months", "61"], "--months: project 1 to 60 months ahead, not 61"),
        (
            ["--area", LEEDS],
            "--area: 1 child was looked after on 2026-11-30: fewer than 20 are too few",
        ),
    ],
)
def test_what_cannot_be_projected_is_refused_naming_the_argument(world, args, message):
    looked_after(BRADFORD, 40)
    given = {"--area": BRADFORD, "--as-of": "2026-11-30", "--months": "12"}
    for name, value in zip(args[::2], args[1::2], strict=True):
        given[name] = value
    with pytest.raises(CommandError) as refused:
        run(*(item for pair in given.items() for item in pair))
    assert message in str(refused.value)


def test_a_reference_period_without_entries_is_refused(world):
    looked_after(BRADFORD, 30, first=date(2021, 1, 10))
    with pytest.raises(CommandError) as refused:
        run("--area", BRADFORD, "--as-of", "2026-11-30", "--months", "6", "--reference-years", "2")
    assert "--reference-years: no child entered care in the 2 years before 2026-12-01" in str(
        refused.value
    )


def fitted_years(*args: str) -> int:
    """How many reference years the projection fitted (the page says; the command's CSV
    does not), by asking the service the command runs."""
    rates = projection.fit(
        projections.care_episodes([BRADFORD]),
        as_of=date(2026, 11, 30),
        complete_from=projections.complete_from([BRADFORD]),
        **({"reference_years": int(args[0])} if args else {}),
    )
    return rates.reference_months // 12


def test_by_default_three_reference_years_or_what_the_record_holds(world):
    looked_after(BRADFORD, 60, first=date(2023, 10, 1))
    assert fitted_years() == 3
    # A record whose first SSDA903 return loaded is 2024/25 holds every entry only from
    # 1 April 2024: the default falls back to the two whole years it holds...
    ImportAttemptFactory(area=area(BRADFORD), collection_year=2025, status="imported")
    ImportAttemptFactory(area=area(BRADFORD), collection_year=2026, status="imported")
    ImportAttemptFactory(area=area(BRADFORD), collection_year=2023, status="failed")
    assert projections.complete_from([BRADFORD]) == date(2024, 4, 1)
    assert fitted_years() == 2
    # ...and three years asked for are refused, saying why.
    with pytest.raises(CommandError) as refused:
        run("--area", BRADFORD, "--as-of", "2026-11-30", "--months", "6", "--reference-years", "3")
    assert (
        "--reference-years: the record holds every entry to care only from 2024-04-01 (the "
        "start of the first SSDA903 return loaded): 3 reference years before 2026-11-30 begin "
        "before it" in str(refused.value)
    )
    assert json.loads(run("--area", BRADFORD, "--as-of", "2026-11-30", "--months", "2"))
    # A period of care that ended before the first return shows the history was recorded
    # before the returns were loaded: the first entry says where the record begins.
    child = ChildFactory(responsible_area=area(BRADFORD), looked_after=False)
    EpisodeFactory(child=child, decom=date(2023, 7, 1), dec=date(2024, 2, 1), rec="E11")
    assert projections.complete_from([BRADFORD]) == date(2023, 7, 1)  # its first entry
    assert fitted_years() == 3
