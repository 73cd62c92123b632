"""The projections page, its downloads and the unit costs form: who reaches them, what a
commissioner sees (suppressed) against what staff see, the refusals naming the field, the
scenario, the audited downloads, and unit costs written with their author or not at all."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from lachealth.insight.models import UnitCost
from lachealth.insight.projection import month_end
from lachealth.people.models import AccessAction, AccessLog

from ..conftest import BRADFORD, CALDERDALE, LEEDS, World, make_world, sign_in
from ..factories import ChildFactory, EpisodeFactory, area, ensure_areas

pytestmark = pytest.mark.django_db

NOW = "2026-11-23 10:00:00 +0000"
#: A year ahead keeps each projection quick; the page's own default is two.
YEAR = "months=12"
TABLES = ("placements-table", "ages-table", "year-groups-table", "work-table")
#: The world's children in Leeds and Calderdale (Bradford's projection must not show them).
OTHER_NAMES = ("Bexley", "Calder")


def page_url(query: str = "") -> str:
    return reverse("insight:projections") + (f"?{query}" if query else "")


def download_url(fmt: str, query: str = "") -> str:
    url = reverse("insight:projection_download", args=[fmt])
    return url + (f"?{query}" if query else "")


def costs_url(code: str | None = None) -> str:
    return reverse("insight:unit_costs") + (f"?area={code}" if code else "")


def looked_after(code: str, n: int = 40) -> None:
    """`n` children of the area entering care four weeks apart from September 2023, a mix of
    placements, one in four leaving after six months and one in seven moving placement."""
    places = ("U4", "U1", "K2", "U4", "P1")
    for i in range(n):
        child = ChildFactory(
            responsible_area=area(code),
            date_of_birth=date(2009, 3, 1) + timedelta(days=113 * i),
            sex="1" if i % 2 else "2",
            looked_after=i % 4 != 0,
        )
        start = date(2023, 9, 4) + timedelta(days=27 * i)
        leaves = start + timedelta(days=180) if i % 4 == 0 else None
        if i % 7 == 3:
            moved = start + timedelta(days=90)
            EpisodeFactory(child=child, decom=start, dec=moved, rec="X1", place="U4")
            EpisodeFactory(child=child, decom=moved, rne="P", dec=leaves, place="K2")
        else:
            EpisodeFactory(
                child=child,
                decom=start,
                dec=leaves,
                rec="E11" if leaves else "",
                place=places[i % len(places)],
            )


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The world with 40 more children in Bradford, built once for the module in a
    transaction rolled back after it; each test adds its own savepoint (`db`)."""
    with time_machine.travel(NOW, tick=False), django_db_blocker.unblock(), transaction.atomic():
        ensure_areas()
        found = make_world()
        looked_after(BRADFORD)
        yield found
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def today():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(shared, db) -> World:  # type: ignore[no-untyped-def]
    return shared


@pytest.fixture
def as_user(world):  # type: ignore[no-untyped-def]
    """`as_user("la_a_sw")` gives a client signed in as that world user."""

    def _as(name: str) -> Client:
        return sign_in(Client(), world.users[name])

    return _as


class _Tables(HTMLParser):
    """The text of each body cell of each table with an id, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._body = False
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table" and found.get("id"):
            self._table = found["id"]
            self.tables[self._table] = []
        elif tag == "tbody" and self._table:
            self._body = True
        elif tag == "tr" and self._body:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "tbody":
            self._body = False
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(page: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(page)
    return parser.tables


def rows_of(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content[:500]
    return list(csv.reader(io.StringIO(response.content.decode())))


def numbers(rows: list[list[str]]) -> list[str]:
    """Every figure of a table: each cell but the first column's label."""
    return [cell for row in rows for cell in row[1:]]


def suppressed(cell: str) -> bool:
    """A figure as a commissioner may see it: c, 0 or a multiple of 5."""
    if cell == "c" or cell.startswith("c (not shown"):
        return True
    value = float(cell.replace(",", ""))
    return value == int(value) and int(value) % 5 == 0


def money(cell: str) -> float:
    return float(cell.removeprefix("£").replace(",", ""))


# --- who reaches the pages --------------------------------------------------------------------


def test_anonymous_users_are_sent_to_sign_in(client, world):  # type: ignore[no-untyped-def]
    for url in (page_url(), download_url("csv"), costs_url(BRADFORD)):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in/" in response["Location"], url


@pytest.mark.parametrize("name", ["sysadmin", "norole"])
def test_roles_without_measures_are_refused(as_user, name):  # type: ignore[no-untyped-def]
    client = as_user(name)
    for url in (page_url(YEAR), download_url("csv", YEAR), download_url("xlsx", YEAR)):
        assert client.get(url).status_code == 403, url
    assert client.get(costs_url(BRADFORD)).status_code == 403
    assert client.post(costs_url(BRADFORD), {"fostering": "900"}).status_code == 403
    assert not UnitCost.objects.exists()


@pytest.mark.parametrize(
    "name",
    ["la_a_sw", "la_a_data", "prov_a_nurse", "prov_a_admin", "icb_designated", "commissioner"],
)
def test_every_role_with_measures_reaches_the_projection(as_user, name):  # type: ignore[no-untyped-def]
    response = as_user(name).get(page_url(f"area={BRADFORD}&{YEAR}"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="app-chart app-chart--fan"' in page
    assert len(tables(page)["looked-after-table"]) == 12


def test_the_page_answers_get_only(as_user):  # type: ignore[no-untyped-def]
    client = as_user("la_a_data")
    assert client.post(page_url(YEAR)).status_code == 405
    assert client.post(download_url("csv", YEAR)).status_code == 405
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()


# --- the staff page ---------------------------------------------------------------------------


def test_staff_see_the_fan_chart_every_table_and_the_backtest(as_user):  # type: ignore[no-untyped-def]
    response = as_user("la_a_sw").get(page_url(YEAR))
    assert response.status_code == 200
    page = response.content.decode()
    chart = re.search(r'<img class="app-chart app-chart--fan" src="[^"]+" alt="([^"]+)"', page)
    assert chart is not None
    assert "Bradford" in chart.group(1) and "with 80% and 95% intervals" in chart.group(1)
    found = tables(page)
    looked = found["looked-after-table"]
    ends = [month_end(2026, 11), month_end(2026, 12), *(month_end(2027, m) for m in range(1, 11))]
    assert [row[0] for row in looked] == [f"{end:%-d %b %Y}" for end in ends]
    assert all(len(row) == 6 for row in looked)  # month end, expected and its 4 limits
    for table in TABLES:
        assert found[table], table
    # The record reaches back far enough: last year's projection against what happened.
    assert len(found["backtest-table"]) == 12 and "No backtest:" not in page
    assert page.count('class="app-chart app-chart--fan"') == 2
    assert "app-suppressed" not in page
    assert not any(name in page for name in OTHER_NAMES)


def test_without_the_record_a_year_earlier_the_page_says_why_there_is_no_backtest(as_user):  # type: ignore[no-untyped-def]
    """Three reference years before 31 October 2025 begin before the first entry (September
    2023); before today they do not."""
    response = as_user("la_a_sw").get(page_url(f"{YEAR}&reference_years=3"))
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "No backtest: no projection could have been made 12 months earlier, on 2025-10-31" in page
    )
    assert "backtest-table" not in page and len(tables(page)["looked-after-table"]) == 12
    assert page.count('class="app-chart app-chart--fan"') == 1


def test_too_few_children_are_refused_on_the_page_saying_why(as_user):  # type: ignore[no-untyped-def]
    response = as_user("la_b_sw").get(page_url(YEAR))  # Leeds: one child looked after
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 child was looked after on 2026-11-23: fewer than 20 are too few to project" in page
    assert "app-chart--fan" not in page and "looked-after-table" not in page
    download = as_user("la_b_sw").get(download_url("csv", YEAR))
    assert download.status_code == 200 and download["Content-Type"].startswith("text/html")
    assert "fewer than 20 are too few to project" in download.content.decode()
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()


# --- commissioners' suppression ---------------------------------------------------------------


def test_a_commissioner_sees_every_figure_suppressed(as_user):  # type: ignore[no-untyped-def]
    client = as_user("commissioner")
    query = f"area={BRADFORD}&{YEAR}"
    response = client.get(page_url(query))
    assert response.status_code == 200
    page = response.content.decode()
    shown = tables(page)
    figures = [
        cell
        for key in ("looked-after-table", *TABLES)
        for cell in numbers(shown[key])
        if cell != ""
    ]
    assert figures and all(suppressed(cell) for cell in figures), figures
    assert any(cell not in ("0", "c") and not cell.startswith("c ") for cell in figures)
    for table in ("looked_after", "work", "placements", "ages"):
        rows = rows_of(client.get(download_url("csv", f"{query}&table={table}")))
        assert rows[1:] and all(suppressed(cell) for cell in numbers(rows[1:])), (table, rows)


def test_staff_downloads_of_the_same_projection_are_not_rounded(as_user):  # type: ignore[no-untyped-def]
    """The same area, day and horizon as the commissioner's: staff see whole numbers, so
    rounding to 5 applied to everyone would be found here."""
    client = as_user("la_a_data")
    query = f"area={BRADFORD}&{YEAR}"
    figures = [
        cell
        for table in ("looked_after", "work")
        for cell in numbers(rows_of(client.get(download_url("csv", f"{query}&table={table}")))[1:])
    ]
    assert "c" not in figures
    assert any(not suppressed(cell) for cell in figures)


# --- another area, bad values -----------------------------------------------------------------


def test_another_areas_projection_is_refused(as_user):  # type: ignore[no-untyped-def]
    client = as_user("la_a_sw")  # Bradford's
    for url in (
        page_url(f"area={LEEDS}&{YEAR}"),
        download_url("csv", f"area={LEEDS}&{YEAR}&table=looked_after"),
        download_url("xlsx", f"area={LEEDS}&{YEAR}"),
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        page = response.content.decode()
        assert "Choose one of your areas from the list" in page
        assert "looked-after-table" not in page and "app-chart--fan" not in page
        assert "Leeds" not in page and not any(name in page for name in OTHER_NAMES)
    outside = as_user("commissioner").get(page_url(f"area=E09000001&{YEAR}"))
    assert outside.status_code == 400
    assert "Choose one of your areas from the list" in outside.content.decode()
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("months=61", "Choose 1 to 5 years ahead from the list"),
        ("months=abc", "Choose 1 to 5 years ahead from the list"),
        ("months=12&reference_years=6", "Choose 1 to 5 years from the list"),
        ("months=12&entries_change=500", "Change in entries to care must be 200 or less"),
        ("months=12&entries_change=-95", "Change in entries to care must be -90 or more"),
        ("months=12&as_of=2099-01-31", "Choose today or a month end from the list"),
        ("months=12&as_of=2026-11-15", "Choose today or a month end from the list"),
        ("months=12&moves_from=fostering", "Say by how much moves change"),
        ("months=12&scenario_from=2040-01", "Choose a month from the list"),
    ],
)
def test_a_bad_value_is_refused_naming_the_field(as_user, query, message):  # type: ignore[no-untyped-def]
    client = as_user("la_a_sw")
    response = client.get(page_url(query))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "app-chart--fan" not in page
    download = client.get(download_url("csv", query))
    assert download.status_code == 400 and message in download.content.decode()
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()


# --- scenario and downloads -------------------------------------------------------------------


def test_a_scenario_of_more_entries_projects_more_children(as_user):  # type: ignore[no-untyped-def]
    client = as_user("la_a_sw")
    page = client.get(page_url(f"{YEAR}&entries_change=50"))
    assert page.status_code == 200
    assert "Scenario: expected" in page.content.decode()
    rows = rows_of(client.get(download_url("csv", f"{YEAR}&entries_change=50")))
    header, last = rows[0], rows[-1]
    assert "Scenario: expected" in header
    expected = float(last[header.index("Expected")])
    scenario = float(last[header.index("Scenario: expected")])
    assert scenario > expected
    base = rows_of(client.get(download_url("csv", YEAR)))
    assert "Scenario: expected" not in base[0]
    assert float(base[-1][1]) == expected  # the same random numbers: the base is unchanged


def test_the_xlsx_has_a_sheet_a_table_and_is_audited(as_user, world):  # type: ignore[no-untyped-def]
    response = as_user("la_a_data").get(download_url("xlsx", YEAR))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert {"Looked after", "Placements", "Ages", "Year groups", "Work"} <= set(book.sheetnames)
    assert "Small numbers" not in book.sheetnames
    sheet = book["Looked after"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:2] == ("Month end", "Expected") and len(rows) == 2 + 12
    logged = AccessLog.objects.get(user=world.users["la_a_data"], action=AccessAction.EXPORT)
    assert logged.detail.startswith("projection ") and ".xlsx" in logged.detail


def test_a_commissioners_xlsx_says_how_small_numbers_are_shown(as_user):  # type: ignore[no-untyped-def]
    response = as_user("commissioner").get(download_url("xlsx", f"area={BRADFORD}&{YEAR}"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert "Small numbers" in book.sheetnames
    work = list(book["Work"].iter_rows(min_row=3, values_only=True))
    assert work and all(suppressed(str(v)) for row in work for v in row[1:])


def test_a_csv_is_audited_and_unknown_tables_or_formats_are_not_found(as_user, world):  # type: ignore[no-untyped-def]
    client = as_user("la_a_sw")
    response = client.get(download_url("csv", f"{YEAR}&table=work"))
    rows = rows_of(response)
    assert rows[0][0] == "Quarter" and "Initial health assessments" in rows[0]
    assert "work.csv" in response["Content-Disposition"]
    logged = AccessLog.objects.get(user=world.users["la_a_sw"], action=AccessAction.EXPORT)
    assert logged.detail.startswith("projection ") and "work.csv" in logged.detail
    assert client.get(download_url("csv", f"{YEAR}&table=nonsense")).status_code == 404
    assert client.get(download_url("pdf", YEAR)).status_code == 404
    assert AccessLog.objects.filter(action=AccessAction.EXPORT).count() == 1


# --- unit costs -------------------------------------------------------------------------------


def test_a_data_officer_keeps_the_areas_unit_costs(as_user, world):  # type: ignore[no-untyped-def]
    client = as_user("la_a_data")
    form = client.get(costs_url(BRADFORD))
    assert form.status_code == 200
    assert "Unit costs of placements" in form.content.decode()
    response = client.post(costs_url(BRADFORD), {"fostering": "900", "residential": "5500.50"})
    assert response.status_code == 302
    assert response["Location"] == page_url(f"area={BRADFORD}") + "#costs"
    held = {u.category: u for u in UnitCost.objects.filter(area_id=BRADFORD)}
    assert {k: u.weekly_cost for k, u in held.items()} == {
        "fostering": Decimal("900.00"),
        "residential": Decimal("5500.50"),
    }
    assert all(u.changed_by == world.users["la_a_data"] for u in held.values())
    logged = AccessLog.objects.get(user=world.users["la_a_data"], action=AccessAction.CHANGE)
    assert logged.detail == f"unit costs of {BRADFORD}: fostering, residential"

    page = client.get(page_url(f"area={BRADFORD}&{YEAR}"))
    assert page.status_code == 200
    costs = tables(page.content.decode())["costs-table"]
    assert costs and all(money(row[-1]) > 0 for row in costs)
    # A whole quarter's total is each month's expected children by placement, times the
    # weekly cost, times the month's days over 7 (within the rounding of the figures shown).
    placements = rows_of(
        client.get(download_url("csv", f"area={BRADFORD}&{YEAR}&table=placements"))
    )
    header = placements[0]
    spring = [r for r in placements[1:] if r[0][:7] in ("2027-01", "2027-02", "2027-03")]
    projected = sum(
        (float(r[header.index("Fostering")]) * 900 + float(r[header.index("Residential")]) * 5500.5)
        * date.fromisoformat(r[0]).day
        / 7
        for r in spring
    )
    quarter = next(r for r in costs if r[0] == "Jan to Mar 2027")
    assert money(quarter[-1]) == pytest.approx(projected, rel=0.05)


def test_a_blank_cost_removes_it(as_user, world):  # type: ignore[no-untyped-def]
    keeper = world.users["la_a_data"]
    UnitCost.objects.create(area_id=BRADFORD, category="fostering", weekly_cost=800)
    UnitCost.objects.create(area_id=BRADFORD, category="residential", weekly_cost=5000)
    client = as_user("la_a_data")
    response = client.post(costs_url(BRADFORD), {"fostering": "", "residential": "5000"})
    assert response.status_code == 302
    assert list(UnitCost.objects.filter(area_id=BRADFORD).values_list("category", flat=True)) == [
        "residential"
    ]
    logged = AccessLog.objects.get(user=keeper, action=AccessAction.CHANGE)
    assert logged.detail == f"unit costs of {BRADFORD}: fostering"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-5", "Fostering: a weekly cost cannot be below 0"),
        ("abc", "Fostering: enter pounds a week as a number"),
        ("100001", "Fostering: a weekly cost is at most £100,000"),
        ("12.345", "Fostering: give pounds and pence at most"),
    ],
)
def test_a_bad_cost_is_refused_naming_the_category_and_nothing_is_written(
    as_user, world, value, message
):  # type: ignore[no-untyped-def]
    UnitCost.objects.create(area_id=BRADFORD, category="fostering", weekly_cost=800)
    before = UnitCost.history.count()
    response = as_user("la_a_data").post(
        costs_url(BRADFORD), {"fostering": value, "residential": "5000"}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert list(UnitCost.objects.values_list("area_id", "category", "weekly_cost")) == [
        (BRADFORD, "fostering", Decimal("800.00"))
    ]
    assert UnitCost.history.count() == before
    assert not AccessLog.objects.filter(action=AccessAction.CHANGE).exists()


def test_only_the_areas_keepers_write_its_unit_costs(as_user):  # type: ignore[no-untyped-def]
    other = as_user("la_b_data")  # keeps Leeds's
    response = other.post(costs_url(BRADFORD), {"fostering": "900"})
    assert response.status_code == 400
    assert "Choose the area whose unit costs you keep" in response.content.decode()
    assert other.get(costs_url(BRADFORD)).status_code == 400
    social_worker = as_user("la_a_sw")
    assert social_worker.get(costs_url(BRADFORD)).status_code == 403
    assert social_worker.post(costs_url(BRADFORD), {"fostering": "900"}).status_code == 403
    nurse = as_user("prov_a_nurse")
    assert nurse.post(costs_url(BRADFORD), {"fostering": "900"}).status_code == 403
    assert not UnitCost.objects.exists()
    assert not AccessLog.objects.filter(action=AccessAction.CHANGE).exists()


def test_a_commissioner_keeps_the_costs_of_an_area_of_the_footprint(as_user, world):  # type: ignore[no-untyped-def]
    client = as_user("commissioner")
    assert client.get(costs_url()).status_code == 400  # three areas: which one?
    assert client.get(costs_url(CALDERDALE)).status_code == 200
    response = client.post(costs_url(CALDERDALE), {"secure": "7000"})
    assert response.status_code == 302
    kept = UnitCost.objects.get()
    assert (kept.area_id, kept.category, kept.weekly_cost) == (
        CALDERDALE,
        "secure",
        Decimal("7000.00"),
    )
    assert kept.changed_by == world.users["commissioner"]
    outside = client.post(costs_url("E09000001"), {"secure": "7000"})
    assert outside.status_code == 400
    assert UnitCost.objects.count() == 1


def test_the_health_work_month_by_month_sums_to_the_quarters(as_user):  # type: ignore[no-untyped-def]
    client = as_user("la_a_sw")
    monthly = rows_of(client.get(download_url("csv", f"{YEAR}&table=work_monthly")))
    quarterly = rows_of(client.get(download_url("csv", f"{YEAR}&table=work")))
    assert monthly[0][0] == "Month end" and len(monthly) == 1 + 12
    assert quarterly[0][0] == "Quarter"
    # Jan to Mar 2027 is the months ending 31 January, 28 February and 31 March 2027.
    months = {row[0]: row for row in monthly[1:]}
    quarter = next(row for row in quarterly if row[0] == "Jan to Mar 2027")
    for column in range(1, len(quarter)):
        summed = sum(float(months[d][column]) for d in ("2027-01-31", "2027-02-28", "2027-03-31"))
        assert float(quarter[column]) == pytest.approx(summed, abs=1.5)


def test_a_commissioner_is_told_why_without_the_count(as_user):  # type: ignore[no-untyped-def]
    response = as_user("commissioner").get(page_url(f"area={LEEDS}&{YEAR}"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "fewer than 20 children were looked after on the day: too few to project" in page
    assert "child was looked after" not in page and "2026-11-23" not in page


def test_a_commissioners_costs_come_from_the_numbers_as_shown(as_user, world):  # type: ignore[no-untyped-def]
    officer = as_user("la_a_data")
    costs = {"fostering": "900", "residential": "5200", "parents": "150", "secure": "7000"}
    assert officer.post(costs_url(BRADFORD), costs).status_code == 302
    query = f"area={BRADFORD}&{YEAR}"
    placements = rows_of(
        as_user("commissioner").get(download_url("csv", f"{query}&table=placements"))
    )
    shown = rows_of(as_user("commissioner").get(download_url("csv", f"{query}&table=costs")))
    header = shown[0]
    assert header[-1] == "Total of the kinds shown"
    # Secure is c in every month (none placed so): its cost is c too, never a number.
    secure = placements[0].index("Secure")
    assert {row[secure] for row in placements[1:]} <= {"c", "0"}
    assert all(row[header.index("Secure")] in ("c", "£0") for row in shown[1:])
    # Each shown cost is a whole number of pounds to two significant figures.
    for row in shown[1:]:
        for cell in row[1:]:
            if cell != "c":
                digits = cell.lstrip("£").replace(",", "")
                assert len(digits.rstrip("0")) <= 2, cell
